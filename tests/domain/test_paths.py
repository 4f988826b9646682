from __future__ import annotations

import pytest

from app.domain.paths import (
    PathMapping,
    is_windows_path,
    map_local_to_plex,
    map_plex_to_local,
    propose_mappings,
    split_path,
    strip_prefix,
)


@pytest.mark.parametrize(
    ("path", "anchor", "parts", "windows"),
    [
        ("/data/music/a.flac", "/", ("data", "music", "a.flac"), False),
        ("/data//music/./x/../a.flac", "/", ("data", "music", "a.flac"), False),
        ("relative/a.flac", "", ("relative", "a.flac"), False),
        ("D:\\Music\\Artist\\01.flac", "D:", ("Music", "Artist", "01.flac"), True),
        ("d:/Music/Artist/01.flac", "D:", ("Music", "Artist", "01.flac"), True),
        ("D:\\", "D:", (), True),
        ("\\\\nas\\share\\Music\\01.flac", "\\\\nas\\share", ("Music", "01.flac"), True),
        ("\\\\nas/share/Music/01.flac", "\\\\nas\\share", ("Music", "01.flac"), True),
    ],
)
def test_split_path(path: str, anchor: str, parts: tuple[str, ...], windows: bool) -> None:
    split = split_path(path)
    assert (split.anchor, split.parts, split.windows) == (anchor, parts, windows)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("C:\\x", True),
        ("c:/x", True),
        ("\\\\server\\share", True),
        ("/mnt/c", False),
        ("music\\x", False),
        ("C:relative", False),
    ],
)
def test_is_windows_path(path: str, expected: bool) -> None:
    assert is_windows_path(path) is expected


@pytest.mark.parametrize(
    ("path", "prefix", "rest"),
    [
        ("/music/a/b.flac", "/music", ("a", "b.flac")),
        ("/music/a/b.flac", "/music/", ("a", "b.flac")),
        ("/musicals/a.flac", "/music", None),  # whole components only
        ("/Music/a.flac", "/music", None),  # POSIX is case-sensitive
        ("D:\\MUSIC\\a.flac", "d:\\music", ("a.flac",)),  # Windows is not
        ("D:/Music/a.flac", "D:\\Music", ("a.flac",)),  # either separator
        ("E:\\Music\\a.flac", "D:\\Music", None),  # another drive
        ("\\\\NAS\\Share\\a.flac", "\\\\nas\\share", ("a.flac",)),
        ("/music/a.flac", "D:\\music", None),  # styles never mix
        ("/music", "/music", ()),
    ],
)
def test_strip_prefix(path: str, prefix: str, rest: tuple[str, ...] | None) -> None:
    assert strip_prefix(path, prefix) == rest


MAPPINGS = [
    PathMapping("D:\\Music", "/data/music"),
    PathMapping("\\\\nas\\media\\Audio", "/mnt/nas/audio"),
    PathMapping("/volume1/music", "/data/music"),
    PathMapping("/volume1", "/data/other"),
]


@pytest.mark.parametrize(
    ("plex_path", "local_path"),
    [
        ("D:\\Music\\Artist\\Album\\01.flac", "/data/music/Artist/Album/01.flac"),
        ("d:/music/Artist/Album/01.flac", "/data/music/Artist/Album/01.flac"),
        (
            "\\\\NAS\\media\\Audio\\Ärtist\\01 Café & Co.mp3",
            "/mnt/nas/audio/Ärtist/01 Café & Co.mp3",
        ),
        ("/volume1/music/A/b.mp3", "/data/music/A/b.mp3"),  # first match wins
        ("/volume1/video/x.mkv", "/data/other/video/x.mkv"),
        ("/elsewhere/x.mp3", None),
        ("E:\\Music\\x.mp3", None),
    ],
)
def test_map_plex_to_local(plex_path: str, local_path: str | None) -> None:
    assert map_plex_to_local(plex_path, MAPPINGS) == local_path


@pytest.mark.parametrize(
    ("local_path", "plex_path"),
    [
        ("/data/music/Artist/Album/01.flac", "D:\\Music\\Artist\\Album\\01.flac"),
        ("/mnt/nas/audio/x/y.mp3", "\\\\nas\\media\\Audio\\x\\y.mp3"),
        ("/data/other/video/x.mkv", "/volume1/video/x.mkv"),
        ("/home/x.mp3", None),
    ],
)
def test_map_local_to_plex(local_path: str, plex_path: str | None) -> None:
    assert map_local_to_plex(local_path, MAPPINGS) == plex_path


def test_mapping_to_a_windows_target_uses_backslashes() -> None:
    mappings = [PathMapping("/music", "C:\\Users\\me\\Music")]
    assert map_plex_to_local("/music/A/b.flac", mappings) == "C:\\Users\\me\\Music\\A\\b.flac"


def test_no_mappings_map_nothing() -> None:
    assert map_plex_to_local("/music/a.flac", []) is None


def test_proposal_for_windows_server_and_posix_files() -> None:
    plex = [
        "D:\\Music\\Artist\\Album\\01.flac",
        "D:\\Music\\Artist\\Album\\02.flac",
        "D:\\Music\\Other\\Record\\01.flac",
    ]
    local = [
        "/data/music/Artist/Album/01.flac",
        "/data/music/Artist/Album/02.flac",
        "/data/music/Other/Record/01.flac",
        "/data/music/Other/Record/cover.jpg",
    ]
    (proposal,) = propose_mappings(plex, local)
    assert proposal.mapping == PathMapping("D:\\Music", "/data/music")
    assert proposal.supporting == 3
    assert proposal.common_suffix_parts == 3
    for plex_path, local_path in zip(plex, local, strict=False):
        assert map_plex_to_local(plex_path, [proposal.mapping]) == local_path


def test_proposal_picks_the_longest_suffix_among_same_named_files() -> None:
    plex = ["/volume1/music/B/Two/01.flac"]
    local = ["/srv/a/A/One/01.flac", "/srv/a/B/Two/01.flac", "/srv/b/01.flac"]
    (proposal,) = propose_mappings(plex, local)
    assert proposal.mapping == PathMapping("/volume1/music", "/srv/a")


def test_proposals_cover_several_roots() -> None:
    plex = ["/v1/Musik/A/1.mp3", "/v1/Musik/A/2.mp3", "/v2/Extra/B/3.mp3"]
    local = ["/data/music/A/1.mp3", "/data/music/A/2.mp3", "/mnt/extra/B/3.mp3"]
    proposals = propose_mappings(plex, local)
    assert [p.mapping for p in proposals] == [
        PathMapping("/v1/Musik", "/data/music"),
        PathMapping("/v2/Extra", "/mnt/extra"),
    ]
    assert [p.supporting for p in proposals] == [2, 1]


def test_case_differences_on_a_windows_server_still_find_the_roots() -> None:
    # the mapping keeps the server's spelling below the prefix: it resolves only where local
    # lookups ignore case, and the diagnostic reports whether the mapped files exist
    (proposal,) = propose_mappings(["D:\\MUSIC\\ARTIST\\01.FLAC"], ["/data/Music/Artist/01.flac"])
    assert proposal.mapping == PathMapping("D:\\", "/data")
    assert map_plex_to_local("D:\\MUSIC\\ARTIST\\01.FLAC", [proposal.mapping]) == (
        "/data/MUSIC/ARTIST/01.FLAC"
    )


def test_nothing_in_common_proposes_nothing() -> None:
    assert propose_mappings(["/a/b/c.flac"], ["/x/y/z.flac"]) == ()
    assert propose_mappings([], ["/x/y/z.flac"]) == ()
