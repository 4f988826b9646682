"""PLS playlists: read and written with the M3U rules (decoding, path forms, round trips)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import CorruptFile, InvalidInput
from app.domain.playlists.m3u import PathStyle, Playlist, PlaylistEntry, parse_playlist
from app.domain.playlists.pls import is_pls_name, parse_pls, render_pls
from tests.domain.test_playlists import (
    assert_same_playlist,
    playlists,
    posix_paths,
    windows_paths,
)

# Names as os.fsdecode gives them: the only lone surrogates are surrogateescape's U+DC80-DCFF.
_NOT_FROM_A_FILE_SYSTEM = re.compile("[\ud800-\udc7f\udd00-\udfff]")
POSIX = PathStyle.POSIX
WINDOWS = PathStyle.WINDOWS
POSIX_LIST = "/data/music/Playlists/Road Trip.pls"
WINDOWS_LIST = "D:\\Playlists\\Road Trip.pls"


def parse(text: str | bytes, path: str = POSIX_LIST, style: PathStyle = POSIX) -> Playlist:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_pls(data, playlist_path=path, path_style=style)


def summary(playlist: Playlist) -> list[tuple[str, int | None, str | None]]:
    return [(e.location, e.duration_s, e.display_title) for e in playlist.entries]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the common form; relative paths against the file's folder
            "[playlist]\nFile1=../a.flac\nTitle1=A - One\nLength1=61\n"
            "File2=/srv/b.mp3\nLength2=-1\nNumberOfEntries=2\nVersion=2\n",
            [("/data/music/a.flac", 61, "A - One"), ("/srv/b.mp3", None, None)],
        ),
        (  # entries by number, not by line order; keys in any case; spaces around
            "[Playlist]\r\nfile2 = b.mp3\r\nFILE1=a.mp3\r\ntitle2=Two\r\n",
            [
                ("/data/music/Playlists/a.mp3", None, None),
                ("/data/music/Playlists/b.mp3", None, "Two"),
            ],
        ),
        (  # a number without File is no entry; the first of a repeated key counts
            "[playlist]\nTitle1=lonely\nFile2=b.mp3\nFile2=c.mp3\n",
            [("/data/music/Playlists/b.mp3", None, None)],
        ),
        (  # comments, other sections and keys are skipped; bad lengths are unknown
            "; made by hand\n[other]\nFile1=x.mp3\n[playlist]\n#note\nFile1=a.mp3\n"
            "Length1=abc\nX-Custom=1\n",
            [("/data/music/Playlists/a.mp3", None, None)],
        ),
        (  # backslashes are separators; remote URLs are kept; file URLs resolved
            "[playlist]\nFile1=..\\a.mp3\nFile2=http://radio.example/stream\n"
            "File3=file:///srv/M%C3%BCsik/c.mp3\n",
            [
                ("/data/music/a.mp3", None, None),
                ("http://radio.example/stream", None, None),
                ("/srv/Müsik/c.mp3", None, None),
            ],
        ),
        ("", []),
    ],
)
def test_parsing(text: str, expected: list[tuple[str, int | None, str | None]]) -> None:
    playlist = parse(text)
    assert summary(playlist) == expected
    assert playlist.title == "Road Trip"


def test_windows_players_files_decode_and_resolve_like_m3u() -> None:
    data = b"[playlist]\r\nFile1=Music\\Caf\xe9.mp3\r\nTitle1=Caf\xe9 \x96 Song\r\n"
    playlist = parse(data, WINDOWS_LIST, WINDOWS)
    assert playlist.encoding == "cp1252"
    assert summary(playlist) == [("D:\\Playlists\\Music\\Café.mp3", None, "Café – Song")]
    m3u = parse_playlist(
        b"Music\\Caf\xe9.mp3\r\n", playlist_path="D:\\Playlists\\x.m3u", path_style=WINDOWS
    )
    assert playlist.entries[0].location == m3u.entries[0].location


def test_utf16_and_binary_data() -> None:
    utf16 = "[playlist]\nFile1=ä.mp3\n".encode("utf-16")
    assert summary(parse(utf16)) == [("/data/music/Playlists/ä.mp3", None, None)]
    with pytest.raises(CorruptFile):
        parse(b"[playlist]\x00\x01")
    with pytest.raises(InvalidInput):
        parse("[playlist]\n", "Road Trip.pls")


def test_render_writes_numbered_entries_relative_to_the_file() -> None:
    playlist = Playlist(
        "ignored: PLS has no title",
        (
            PlaylistEntry.for_path("/data/music/a.flac", POSIX, duration_s=61, title="One"),
            PlaylistEntry.for_path("/srv/b.mp3", POSIX),
        ),
    )
    data = render_pls(playlist, playlist_path=POSIX_LIST, path_style=POSIX)
    assert data == (
        b"[playlist]\nFile1=../a.flac\nTitle1=One\nLength1=61\n"
        b"File2=../../../srv/b.mp3\nLength2=-1\nNumberOfEntries=2\nVersion=2\n"
    )
    absolute = render_pls(playlist, playlist_path=POSIX_LIST, path_style=POSIX, absolute_paths=True)
    assert b"File2=/srv/b.mp3\n" in absolute


def test_render_for_windows_and_with_backslashes() -> None:
    entry = PlaylistEntry.for_path("D:\\Music\\AC/DC.mp3".replace("/", "_"), WINDOWS, title="AC/DC")
    data = render_pls(Playlist("x", (entry,)), playlist_path=WINDOWS_LIST, path_style=WINDOWS)
    assert data.startswith(b"[playlist]\r\nFile1=..\\Music\\AC_DC.mp3\r\nTitle1=AC/DC\r\n")
    posix_entry = PlaylistEntry.for_path("/data/music/x/a.mp3", POSIX, title="AC/DC")
    slashed = render_pls(
        Playlist("x", (posix_entry,)), playlist_path=POSIX_LIST, path_style=POSIX, backslashes=True
    )
    assert b"File1=..\\x\\a.mp3\nTitle1=AC/DC\n" in slashed
    assert summary(parse(slashed)) == [("/data/music/x/a.mp3", None, "AC/DC")]


def test_names_that_do_not_read_back_become_file_urls() -> None:
    entry = PlaylistEntry.for_path("/data/music/Playlists/a.mp3 ", POSIX)
    data = render_pls(Playlist("x", (entry,)), playlist_path=POSIX_LIST, path_style=POSIX)
    assert b"File1=file:///data/music/Playlists/a.mp3%20\n" in data
    assert summary(parse(data)) == [("/data/music/Playlists/a.mp3 ", None, None)]


@pytest.mark.parametrize(
    ("name", "pls"), [("a.pls", True), ("A.PLS", True), ("a.m3u", False), ("pls", False)]
)
def test_is_pls_name(name: str, pls: bool) -> None:
    assert is_pls_name(name) is pls


def fs_paths() -> st.SearchStrategy[str]:
    return posix_paths().filter(lambda path: not _NOT_FROM_A_FILE_SYSTEM.search(path))


@settings(max_examples=50)  # the M3U properties cover the shared path rules at length
@given(
    playlist=playlists(fs_paths(), POSIX),
    playlist_path=fs_paths().map(lambda path: path + ".pls"),
    absolute=st.booleans(),
    backslashes=st.booleans(),
)
def test_posix_render_then_parse_gives_the_same_paths(
    playlist: Playlist, playlist_path: str, absolute: bool, backslashes: bool
) -> None:
    data = render_pls(
        playlist,
        playlist_path=playlist_path,
        path_style=POSIX,
        absolute_paths=absolute,
        backslashes=backslashes,
    )
    assert_same_playlist(parse_pls(data, playlist_path=playlist_path, path_style=POSIX), playlist)


@settings(max_examples=50)
@given(
    playlist=playlists(windows_paths(), WINDOWS),
    playlist_path=windows_paths().map(lambda path: path + ".pls"),
    absolute=st.booleans(),
)
def test_windows_render_then_parse_gives_the_same_paths(
    playlist: Playlist, playlist_path: str, absolute: bool
) -> None:
    data = render_pls(
        playlist, playlist_path=playlist_path, path_style=WINDOWS, absolute_paths=absolute
    )
    assert_same_playlist(parse_pls(data, playlist_path=playlist_path, path_style=WINDOWS), playlist)
