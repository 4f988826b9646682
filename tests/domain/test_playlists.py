from __future__ import annotations

import ntpath
import posixpath
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import CorruptFile, InvalidInput
from app.domain.playlists.m3u import (
    MAX_FILE_NAME_BYTES,
    PathStyle,
    Playlist,
    PlaylistEntry,
    assign_file_names,
    file_url,
    format_display_title,
    parse_playlist,
    relative_location,
    render_playlist,
    safe_file_name,
    split_display_title,
    title_from_file_name,
)

POSIX = PathStyle.POSIX
WINDOWS = PathStyle.WINDOWS
POSIX_LIST = "/data/music/Playlists/Mix.m3u"
WINDOWS_LIST = "D:\\Playlists\\Mix.m3u"


def parse(text: str | bytes, playlist_path: str = POSIX_LIST, style: PathStyle = POSIX) -> Playlist:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_playlist(data, playlist_path=playlist_path, path_style=style)


def only_entry(line: str, playlist_path: str, style: PathStyle) -> PlaylistEntry:
    (entry,) = parse(line + "\n", playlist_path, style).entries
    return entry


# --- path forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("playlist_path", "style", "line", "location", "location_style"),
    [
        # POSIX playlists
        (POSIX_LIST, POSIX, "/srv/music/A/b.flac", "/srv/music/A/b.flac", POSIX),
        (POSIX_LIST, POSIX, "b.flac", "/data/music/Playlists/b.flac", POSIX),
        (POSIX_LIST, POSIX, "../A/b.flac", "/data/music/A/b.flac", POSIX),
        (POSIX_LIST, POSIX, "./x/../A//b.flac", "/data/music/Playlists/A/b.flac", POSIX),
        (POSIX_LIST, POSIX, "../../../../../b.flac", "/b.flac", POSIX),
        (POSIX_LIST, POSIX, "//srv/music/b.flac", "/srv/music/b.flac", POSIX),
        (POSIX_LIST, POSIX, "C:rel/b.flac", "/data/music/Playlists/C:rel/b.flac", POSIX),
        # Windows paths written by Windows players, read where the playlist has a POSIX path
        (POSIX_LIST, POSIX, "..\\Music\\A\\b.flac", "/data/music/Music/A/b.flac", POSIX),
        (POSIX_LIST, POSIX, "A\\b.flac", "/data/music/Playlists/A/b.flac", POSIX),
        (POSIX_LIST, POSIX, "\\Music\\b.flac", "/Music/b.flac", POSIX),
        (POSIX_LIST, POSIX, "D:\\Music\\A\\b.flac", "D:\\Music\\A\\b.flac", WINDOWS),
        (POSIX_LIST, POSIX, "d:/Music/A/../b.flac", "D:\\Music\\b.flac", WINDOWS),
        (POSIX_LIST, POSIX, "\\\\nas\\music\\A\\b.flac", "\\\\nas\\music\\A\\b.flac", WINDOWS),
        # Windows playlists
        (WINDOWS_LIST, WINDOWS, "..\\Music\\b.flac", "D:\\Music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "Music/b.flac", "D:\\Playlists\\Music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "/Music/b.flac", "D:\\Music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "e:\\Music\\b.flac", "E:\\Music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "c:Music\\b.flac", "C:\\Music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "//nas/music/b.flac", "\\\\nas\\music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "\\\\?\\C:\\Music\\b.flac", "C:\\Music\\b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "\\\\?\\UNC\\nas\\m\\b.flac", "\\\\nas\\m\\b.flac", WINDOWS),
        (
            "\\\\nas\\music\\Lists\\Mix.m3u",
            WINDOWS,
            "..\\A\\b.flac",
            "\\\\nas\\music\\A\\b.flac",
            WINDOWS,
        ),
        # file:// URLs
        (POSIX_LIST, POSIX, "file:///home/me/a%20b%23.flac", "/home/me/a b#.flac", POSIX),
        (POSIX_LIST, POSIX, "file://localhost/home/me/a.flac", "/home/me/a.flac", POSIX),
        (POSIX_LIST, POSIX, "FILE:/home/me/a.flac", "/home/me/a.flac", POSIX),
        (POSIX_LIST, POSIX, "file:///home/me/Beyonc%C3%A9.flac", "/home/me/Beyoncé.flac", POSIX),
        (POSIX_LIST, POSIX, "file:///home/me/Beyonc%E9.flac", "/home/me/Beyonc\udce9.flac", POSIX),
        (
            POSIX_LIST,
            POSIX,
            "file:///C:/Music/Beyonc%C3%A9.flac",
            "C:\\Music\\Beyoncé.flac",
            WINDOWS,
        ),
        (POSIX_LIST, POSIX, "file:///C:/Music/Beyonc%E9.flac", "C:\\Music\\Beyoncé.flac", WINDOWS),
        (POSIX_LIST, POSIX, "file:///c|/Music/a.flac", "C:\\Music\\a.flac", WINDOWS),
        (POSIX_LIST, POSIX, "file:C:/Music/a.flac", "C:\\Music\\a.flac", WINDOWS),
        (POSIX_LIST, POSIX, "file://nas/music/a%20b.flac", "\\\\nas\\music\\a b.flac", WINDOWS),
        (WINDOWS_LIST, WINDOWS, "file:///C:/Music/a.flac", "C:\\Music\\a.flac", WINDOWS),
    ],
)
def test_locations_resolve_to_normalised_absolute_paths(
    playlist_path: str, style: PathStyle, line: str, location: str, location_style: PathStyle
) -> None:
    entry = only_entry(line, playlist_path, style)
    assert (entry.location, entry.path_style, entry.path) == (location, location_style, location)
    assert entry.raw == line
    assert not entry.is_remote


@pytest.mark.parametrize(
    "line",
    [
        "http://radio.example/stream.mp3",
        "https://example.com/a%20b.mp3?x=1",
        "HTTP://EXAMPLE.COM/A.MP3",
        "rtsp://cam/stream",
        "smb://nas/music/a.flac",
        "file:relative.flac",
        "file://nas",
    ],
)
def test_remote_and_unusable_urls_are_kept_as_remote_entries(line: str) -> None:
    entry = only_entry(line, POSIX_LIST, POSIX)
    assert (entry.location, entry.path_style, entry.path, entry.is_remote) == (
        line,
        None,
        None,
        True,
    )


# --- encodings and line ends ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "location"),
    [
        ("Beyoncé/Halo.mp3\n".encode(), "utf-8", "/data/music/Playlists/Beyoncé/Halo.mp3"),
        (
            b"\xef\xbb\xbf" + "Beyoncé.mp3".encode(),
            "utf-8-sig",
            "/data/music/Playlists/Beyoncé.mp3",
        ),
        (b"Beyonc\xe9.mp3\r\n", "cp1252", "/data/music/Playlists/Beyoncé.mp3"),
        (b"Don\x92t Stop.mp3", "cp1252", "/data/music/Playlists/Don’t Stop.mp3"),
        (b"Caf\xe9\x81.mp3", "latin-1", "/data/music/Playlists/Café\x81.mp3"),
        (
            "\ufeffSigur Rós.mp3\r\n".encode("utf-16-le"),
            "utf-16",
            "/data/music/Playlists/Sigur Rós.mp3",
        ),
        (
            "\ufeffSigur Rós.mp3".encode("utf-16-be"),
            "utf-16",
            "/data/music/Playlists/Sigur Rós.mp3",
        ),
        (b"\xef\xbb\xbfBeyonc\xe9.mp3", "cp1252", "/data/music/Playlists/Beyoncé.mp3"),
    ],
)
def test_bytes_decode_as_utf8_then_cp1252_then_latin1(
    data: bytes, encoding: str, location: str
) -> None:
    playlist = parse(data)
    assert playlist.encoding == encoding
    assert [entry.location for entry in playlist.entries] == [location]


def test_latin1_fallback_also_applies_to_a_mislabelled_m3u8() -> None:
    playlist = parse(b"Beyonc\xe9.mp3\n", playlist_path="/lists/Mix.m3u8")
    assert [entry.location for entry in playlist.entries] == ["/lists/Beyoncé.mp3"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_every_line_end_separates_lines(line_end: str) -> None:
    text = line_end.join(["#EXTM3U", "#EXTINF:3,A - B", "a.mp3", "", "b.mp3", ""])
    playlist = parse(text)
    assert [
        (entry.location, entry.duration_s, entry.line_number) for entry in playlist.entries
    ] == [
        ("/data/music/Playlists/a.mp3", 3, 3),
        ("/data/music/Playlists/b.mp3", None, 5),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a.mp3\n\x00\x00\x00", "NUL"),
        (b"\xff\xfea\x00b", "UTF-16"),
    ],
)
def test_binary_data_is_a_corrupt_file_error(data: bytes, message: str) -> None:
    with pytest.raises(CorruptFile, match=message) as raised:
        parse(data)
    assert raised.value.path == POSIX_LIST


def test_an_empty_file_is_an_empty_playlist_named_after_the_file() -> None:
    assert parse(b"") == Playlist(title="Mix", entries=(), encoding="utf-8")


@pytest.mark.parametrize(
    ("playlist_path", "style"),
    [("Playlists/Mix.m3u", POSIX), ("Playlists\\Mix.m3u", WINDOWS), ("\\Mix.m3u", WINDOWS)],
)
def test_the_playlist_path_must_be_absolute(playlist_path: str, style: PathStyle) -> None:
    with pytest.raises(InvalidInput):
        parse(b"a.mp3\n", playlist_path, style)
    with pytest.raises(InvalidInput):
        render_playlist(Playlist("x", ()), playlist_path=playlist_path, path_style=style)


# --- directives ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extinf", "duration_s", "display_title"),
    [
        ("#EXTINF:215,Beyoncé - Halo", 215, "Beyoncé - Halo"),
        ("#EXTINF:215, Artist, Jr. - A, B ", 215, "Artist, Jr. - A, B"),
        ("#EXTINF:-1,Radio", None, "Radio"),
        ("#EXTINF:215.6,x", 216, "x"),
        ("#EXTINF:0,", 0, None),
        ('#EXTINF:123 tvg-name="a,b" tvg-id="7",Name', 123, "Name"),
        ("#extinf:5,lower case", 5, "lower case"),
        ("#EXTINF:12", 12, None),
        ("#EXTINF:,Only a title", None, "Only a title"),
        ("#EXTINF:abc", None, None),
        ("#EXTINF:", None, None),
    ],
)
def test_extinf_gives_duration_and_display_title(
    extinf: str, duration_s: int | None, display_title: str | None
) -> None:
    (entry,) = parse(f"#EXTM3U\n{extinf}\na.mp3\n").entries
    assert (entry.duration_s, entry.display_title) == (duration_s, display_title)


def test_extinf_applies_to_the_next_location_only_across_other_directives() -> None:
    text = "\n".join(
        [
            "#EXTM3U",
            "#EXTINF:10,First",
            "#EXTALB:Album",
            "# a comment",
            "",
            "a.mp3",
            "b.mp3",
            "#EXTINF:20,Ignored",
            "#EXTINF:30,Third",
            "c.mp3",
            "#EXTINF:40,Dangling",
        ]
    )
    entries = parse(text).entries
    assert [(e.raw, e.duration_s, e.display_title, e.line_number) for e in entries] == [
        ("a.mp3", 10, "First", 6),
        ("b.mp3", None, None, 7),
        ("c.mp3", 30, "Third", 10),
    ]


@pytest.mark.parametrize(
    ("text", "playlist_path", "style", "title"),
    [
        ("#EXTM3U\n#PLAYLIST:Road Trip\n#PLAYLIST:Later\n", POSIX_LIST, POSIX, "Road Trip"),
        ("#EXTM3U\n#playlist:  Spaced  \n", POSIX_LIST, POSIX, "Spaced"),
        ("#EXTM3U\n#PLAYLIST:\n", POSIX_LIST, POSIX, "Mix"),
        ("a.mp3\n", "/lists/Road Trip.m3u8", POSIX, "Road Trip"),
        ("a.mp3\n", "/lists/v1.0 Mix.M3U", POSIX, "v1.0 Mix"),
        ("a.mp3\n", "/lists/notes.txt", POSIX, "notes.txt"),
        ("a.mp3\n", "C:\\Lists\\Party.m3u", WINDOWS, "Party"),
    ],
)
def test_title_comes_from_playlist_directive_else_file_name(
    text: str, playlist_path: str, style: PathStyle, title: str
) -> None:
    assert parse(text, playlist_path, style).title == title


@pytest.mark.parametrize(
    ("artist", "title", "display_title", "split"),
    [
        ("Beyoncé", "Halo", "Beyoncé - Halo", ("Beyoncé", "Halo")),
        ("A", "Song - Remastered", "A - Song - Remastered", ("A", "Song - Remastered")),
        (None, "Halo", "Halo", (None, "Halo")),
        ("Beyoncé", None, "Beyoncé", (None, "Beyoncé")),
        (" ", "", None, (None, None)),
    ],
)
def test_display_title_joins_and_splits_artist_and_title(
    artist: str | None,
    title: str | None,
    display_title: str | None,
    split: tuple[str | None, str | None],
) -> None:
    assert format_display_title(artist, title) == display_title
    assert split_display_title(display_title) == split
    entry = PlaylistEntry.for_path("/m/a.mp3", POSIX, artist=artist, title=title)
    assert (entry.artist, entry.title) == split


# --- the files MusicBee, foobar2000 and Winamp write ----------------------------------------


def test_musicbee_m3u_with_relative_windows_paths_in_latin1() -> None:
    data = (
        b"#EXTM3U\r\n"
        b"#EXTINF:261,Beyonc\xe9 - Halo\r\n"
        b"..\\Music\\Beyonc\xe9\\I Am... Sasha Fierce\\01 Halo.mp3\r\n"
        b"#EXTINF:293,Sigur R\xf3s - Hopp\xedpolla\r\n"
        b"..\\Music\\Sigur R\xf3s\\Me\xf0 su\xf0 \xed eyrum\\02 Hopp\xedpolla.flac\r\n"
    )
    playlist = parse_playlist(
        data, playlist_path="/data/music/Playlists/Favourites.m3u", path_style=POSIX
    )
    assert playlist.title == "Favourites"
    assert playlist.encoding == "cp1252"
    assert [(e.location, e.duration_s, e.artist, e.title) for e in playlist.entries] == [
        ("/data/music/Music/Beyoncé/I Am... Sasha Fierce/01 Halo.mp3", 261, "Beyoncé", "Halo"),
        (
            "/data/music/Music/Sigur Rós/Með suð í eyrum/02 Hoppípolla.flac",
            293,
            "Sigur Rós",
            "Hoppípolla",
        ),
    ]


def test_foobar2000_plain_m3u8_with_bom_and_mixed_paths() -> None:
    data = (
        b"\xef\xbb\xbf"
        + (
            "Music\\Sigur Rós\\Ágætis byrjun\\01 Intro.flac\r\n"
            "D:\\Music\\Björk\\Post\\01 Army of Me.flac\r\n"
            "\\\\NAS\\music\\Mùm\\01 Green Grass.mp3\r\n"
        ).encode()
    )
    playlist = parse_playlist(data, playlist_path="/mnt/d/Post Rock.m3u8", path_style=POSIX)
    assert playlist.title == "Post Rock"
    assert [(e.location, e.path_style, e.duration_s) for e in playlist.entries] == [
        ("/mnt/d/Music/Sigur Rós/Ágætis byrjun/01 Intro.flac", POSIX, None),
        ("D:\\Music\\Björk\\Post\\01 Army of Me.flac", WINDOWS, None),
        ("\\\\NAS\\music\\Mùm\\01 Green Grass.mp3", WINDOWS, None),
    ]


def test_winamp_m3u_read_with_windows_rules() -> None:
    data = b"#EXTM3U\r\n#EXTINF:254,Caf\xe9 Tacvba - Eres\r\nMusic\\Eres.mp3\r\nhttp://radio/s\r\n"
    playlist = parse_playlist(data, playlist_path="C:\\Users\\me\\Mix.m3u", path_style=WINDOWS)
    assert [(e.location, e.display_title) for e in playlist.entries] == [
        ("C:\\Users\\me\\Music\\Eres.mp3", "Café Tacvba - Eres"),
        ("http://radio/s", None),
    ]


# --- rendering -----------------------------------------------------------------------------


def track(
    path: str,
    style: PathStyle = POSIX,
    *,
    duration_s: int | None = None,
    artist: str | None = None,
    title: str | None = None,
) -> PlaylistEntry:
    return PlaylistEntry.for_path(path, style, duration_s=duration_s, artist=artist, title=title)


ROAD_TRIP = Playlist(
    "Road Trip",
    (
        track("/data/music/Beyoncé/Halo.flac", duration_s=261, artist="Beyoncé", title="Halo"),
        track("/data/music/Playlists/local.mp3", title="Local"),
        track("/data/music/Other/x.mp3", duration_s=10),
        track("/data/music/Other/y.mp3"),
        PlaylistEntry(location="https://radio.example/live", path_style=None),
    ),
)


def test_render_writes_extended_m3u8_relative_to_the_playlist() -> None:
    data = render_playlist(ROAD_TRIP, playlist_path=POSIX_LIST, path_style=POSIX)
    assert data.decode("utf-8") == (
        "#EXTM3U\n"
        "#PLAYLIST:Road Trip\n"
        "#EXTINF:261,Beyoncé - Halo\n"
        "../Beyoncé/Halo.flac\n"
        "#EXTINF:-1,Local\n"
        "local.mp3\n"
        "#EXTINF:10,\n"
        "../Other/x.mp3\n"
        "../Other/y.mp3\n"
        "https://radio.example/live\n"
    )


def test_render_writes_absolute_paths_when_asked() -> None:
    data = render_playlist(
        ROAD_TRIP, playlist_path=POSIX_LIST, path_style=POSIX, absolute_paths=True
    )
    lines = data.decode("utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "/data/music/Beyoncé/Halo.flac",
        "/data/music/Playlists/local.mp3",
        "/data/music/Other/x.mp3",
        "/data/music/Other/y.mp3",
        "https://radio.example/live",
    ]


def test_render_for_a_windows_target_uses_backslashes_and_crlf() -> None:
    playlist = Playlist(
        "Mix",
        (
            track("D:\\Music\\Björk\\Army.flac", WINDOWS, duration_s=200),
            track("d:\\playlists\\Here.mp3", WINDOWS),
            track("E:\\Other\\a.mp3", WINDOWS),
            track("\\\\nas\\music\\b.mp3", WINDOWS),
            track("/srv/posix only.mp3", POSIX),
        ),
    )
    data = render_playlist(playlist, playlist_path=WINDOWS_LIST, path_style=WINDOWS)
    assert (
        data
        == (
            "#EXTM3U\r\n#PLAYLIST:Mix\r\n#EXTINF:200,\r\n..\\Music\\Björk\\Army.flac\r\n"
            "D:\\playlists\\Here.mp3\r\nE:\\Other\\a.mp3\r\n\\\\nas\\music\\b.mp3\r\n"
            "file:///srv/posix%20only.mp3\r\n"
        ).encode()
    )
    reread = parse_playlist(data, playlist_path=WINDOWS_LIST, path_style=WINDOWS)
    assert [e.location for e in reread.entries] == [e.location for e in playlist.entries]


@pytest.mark.parametrize(
    ("path", "style", "line"),
    [
        ("/data/music/Playlists/#1 Hit.mp3", POSIX, "/data/music/Playlists/#1 Hit.mp3"),
        ("/#1/a.mp3", POSIX, "../../../#1/a.mp3"),
        ("/data/music/Playlists/ lead.mp3", POSIX, "/data/music/Playlists/ lead.mp3"),
        ("/data/music/Playlists/trail.mp3 ", POSIX, "file:///data/music/Playlists/trail.mp3%20"),
        (
            "/data/music/Playlists/two\nlines.mp3",
            POSIX,
            "file:///data/music/Playlists/two%0Alines.mp3",
        ),
        ("/data/music/Playlists/C:/x.mp3", POSIX, "/data/music/Playlists/C:/x.mp3"),
        (
            "/data/music/Playlists/back\\slash.mp3",
            POSIX,
            "file:///data/music/Playlists/back%5Cslash.mp3",
        ),
        ("/data/music/Beyonc\udce9.mp3", POSIX, "file:///data/music/Beyonc%E9.mp3"),
        ("/data/music/Playlists/file:x.mp3", POSIX, "/data/music/Playlists/file:x.mp3"),
        ("D:\\Music\\a.mp3", WINDOWS, "D:\\Music\\a.mp3"),
    ],
)
def test_render_falls_back_to_forms_that_read_back_as_the_same_path(
    path: str, style: PathStyle, line: str
) -> None:
    playlist = Playlist("x", (track(path, style),))
    data = render_playlist(playlist, playlist_path=POSIX_LIST, path_style=POSIX)
    assert data.decode("utf-8").splitlines()[2] == line
    (entry,) = parse(data).entries
    assert (entry.location, entry.path_style) == (path, style)


def test_render_keeps_directives_on_one_line_and_valid_utf8() -> None:
    entry = PlaylistEntry.for_path("/m/a.mp3", POSIX, artist="Bad\udce9", title="Two\nLines")
    data = render_playlist(
        Playlist(" Multi\r\nline\x00 ", (entry,)), playlist_path="/m/x.m3u8", path_style=POSIX
    )
    assert data.decode("utf-8").splitlines() == [
        "#EXTM3U",
        "#PLAYLIST:Multi line",
        "#EXTINF:-1,Bad\ufffd - Two Lines",
        "a.mp3",
    ]


def test_entries_for_render_need_absolute_paths() -> None:
    with pytest.raises(InvalidInput):
        PlaylistEntry.for_path("Music/a.mp3", POSIX)
    assert PlaylistEntry.for_path("/m/./a/../b.mp3", POSIX).location == "/m/b.mp3"


@pytest.mark.parametrize(
    ("path", "base_dir", "style", "relative"),
    [
        ("/a/b/c.mp3", "/a/b", POSIX, "c.mp3"),
        ("/a/c.mp3", "/a/b/d", POSIX, "../../c.mp3"),
        ("/a/b", "/a/b", POSIX, None),
        ("/a", "/a/b", POSIX, None),
        ("/x.mp3", "/", POSIX, "x.mp3"),
        ("D:\\Music\\a.mp3", "d:\\music\\Sub", WINDOWS, "..\\a.mp3"),
        ("E:\\a.mp3", "D:\\Music", WINDOWS, None),
        ("\\\\nas\\m\\a.mp3", "\\\\NAS\\M\\lists", WINDOWS, "..\\a.mp3"),
        ("\\\\nas\\m\\a.mp3", "\\\\nas\\other", WINDOWS, None),
    ],
)
def test_relative_location_is_pure_and_knows_drives(
    path: str, base_dir: str, style: PathStyle, relative: str | None
) -> None:
    assert relative_location(path, base_dir=base_dir, path_style=style) == relative


@pytest.mark.parametrize(
    ("path", "style", "url"),
    [
        ("/home/me/a b#?.flac", POSIX, "file:///home/me/a%20b%23%3F.flac"),
        ("/home/Beyoncé.flac", POSIX, "file:///home/Beyonc%C3%A9.flac"),
        ("C:\\Music\\a b.flac", WINDOWS, "file:///C:/Music/a%20b.flac"),
        ("\\\\nas\\music\\a.flac", WINDOWS, "file://nas/music/a.flac"),
    ],
)
def test_file_urls_follow_rfc_8089_and_read_back(path: str, style: PathStyle, url: str) -> None:
    assert file_url(path, style) == url
    entry = only_entry(url, POSIX_LIST, POSIX)
    assert (entry.location, entry.path_style) == (path, style)


# --- round trips (hypothesis) ----------------------------------------------------------------

_posix_name = st.text(
    st.one_of(
        # a real name holds lone surrogates only from undecodable bytes (U+DC80-U+DCFF,
        # sampled below), never U+D800 and the like
        st.characters(exclude_characters="/\x00", exclude_categories=("Cs",)),
        st.sampled_from(["\udce9", "\\", "#", " ", "\n", ":", "%"]),
    ),
    min_size=1,
    max_size=12,
).filter(lambda name: name not in (".", ".."))
_windows_name = st.text(
    st.characters(exclude_characters='<>:"/\\|?*', exclude_categories=("Cc", "Cs")),
    min_size=1,
    max_size=12,
).filter(lambda name: name not in (".", ".."))
_durations = st.none() | st.integers(min_value=0, max_value=100_000)
_display = st.none() | st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20
).map(str.strip).filter(bool)


@st.composite
def posix_paths(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(st.sampled_from(["music", "lists", "A"]) | _posix_name, min_size=1, max_size=4)
    )
    return "/" + "/".join(parts)


@st.composite
def windows_paths(draw: st.DrawFn) -> str:
    anchor = draw(
        st.sampled_from(["C:\\", "D:\\", "d:\\", "\\\\nas\\music\\"])
        | st.builds(
            lambda letter: f"{letter}:\\", st.characters(min_codepoint=65, max_codepoint=90)
        )
    )
    parts = draw(
        st.lists(st.sampled_from(["Music", "lists", "A"]) | _windows_name, min_size=1, max_size=4)
    )
    return anchor + "\\".join(parts)


@st.composite
def playlists(draw: st.DrawFn, paths: st.SearchStrategy[str], style: PathStyle) -> Playlist:
    entries = draw(
        st.lists(
            st.builds(
                lambda path, duration, display: PlaylistEntry.for_path(
                    path, style, duration_s=duration, title=display
                ),
                paths,
                _durations,
                _display,
            ),
            max_size=6,
        )
    )
    title = draw(
        st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=20)
        .map(lambda text: " ".join(text.split()))
        .filter(bool)
    )
    return Playlist(title, tuple(entries))


def assert_same_playlist(reread: Playlist, original: Playlist) -> None:
    assert [(e.location, e.path_style) for e in reread.entries] == [
        (e.location, e.path_style) for e in original.entries
    ]
    assert [(e.duration_s, e.display_title) for e in reread.entries] == [
        (e.duration_s, e.display_title) for e in original.entries
    ]


@given(
    playlist=playlists(posix_paths(), POSIX),
    playlist_path=posix_paths().map(lambda path: path + ".m3u8"),
    absolute=st.booleans(),
)
def test_posix_render_then_parse_gives_the_same_paths(
    playlist: Playlist, playlist_path: str, absolute: bool
) -> None:
    data = render_playlist(
        playlist, playlist_path=playlist_path, path_style=POSIX, absolute_paths=absolute
    )
    reread = parse_playlist(data, playlist_path=playlist_path, path_style=POSIX)
    assert_same_playlist(reread, playlist)
    assert reread.title == playlist.title


@given(
    playlist=playlists(windows_paths(), WINDOWS),
    playlist_path=windows_paths().map(lambda path: path + ".m3u8"),
    absolute=st.booleans(),
)
def test_windows_render_then_parse_gives_the_same_paths(
    playlist: Playlist, playlist_path: str, absolute: bool
) -> None:
    data = render_playlist(
        playlist, playlist_path=playlist_path, path_style=WINDOWS, absolute_paths=absolute
    )
    reread = parse_playlist(data, playlist_path=playlist_path, path_style=WINDOWS)
    assert_same_playlist(reread, playlist)
    on_posix = parse_playlist(data, playlist_path="/mnt/x/list.m3u8", path_style=POSIX)
    assert len(on_posix.entries) == len(playlist.entries)


@given(playlist=playlists(windows_paths(), WINDOWS), playlist_path=posix_paths())
def test_windows_entries_in_a_posix_playlist_stay_windows_paths(
    playlist: Playlist, playlist_path: str
) -> None:
    data = render_playlist(playlist, playlist_path=playlist_path, path_style=POSIX)
    assert_same_playlist(
        parse_playlist(data, playlist_path=playlist_path, path_style=POSIX), playlist
    )


def test_relative_rendering_matches_posixpath_and_ntpath() -> None:
    assert relative_location(
        "/a/x/y.mp3", base_dir="/a/b/c", path_style=POSIX
    ) == posixpath.relpath("/a/x/y.mp3", "/a/b/c")
    assert relative_location(
        "D:\\a\\x\\y.mp3", base_dir="D:\\a\\b", path_style=WINDOWS
    ) == ntpath.relpath("D:\\a\\x\\y.mp3", "D:\\a\\b")


# --- file names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "file_name"),
    [
        ("Road Trip", "Road Trip.m3u8"),
        ("AC/DC: Best?", "AC_DC_ Best_.m3u8"),
        ('a<b>c"d\\e|f*g', "a_b_c_d_e_f_g.m3u8"),
        ("tab\there\x7f", "tab_here_.m3u8"),
        ("  Trailing dots... ", "Trailing dots.m3u8"),
        ("...And Justice for All", "And Justice for All.m3u8"),
        (".hidden", "hidden.m3u8"),
        ("", "Playlist.m3u8"),
        ("...", "Playlist.m3u8"),
        ("/", "_.m3u8"),
        ("CON", "CON_.m3u8"),
        ("con", "con_.m3u8"),
        ("Nul.txt", "Nul_.txt.m3u8"),
        ("COM1", "COM1_.m3u8"),
        ("LPT¹", "LPT¹_.m3u8"),
        ("COM10", "COM10.m3u8"),
        ("Console", "Console.m3u8"),
        ("Cafe\u0301", "Café.m3u8"),
        ("bad\udce9", "bad_.m3u8"),
    ],
)
def test_safe_file_name(title: str, file_name: str) -> None:
    assert safe_file_name(title) == file_name


def test_long_titles_are_cut_to_255_utf8_bytes_on_a_character_boundary() -> None:
    name = safe_file_name("é" * 300, extension=".m3u")
    assert name == "é" * 125 + ".m3u"
    assert len(name.encode("utf-8")) <= MAX_FILE_NAME_BYTES
    numbered = assign_file_names(["x" * 300, "x" * 300])
    assert numbered[1] == "x" * (255 - len(" (2).m3u8")) + " (2).m3u8"
    assert all(len(name.encode()) == MAX_FILE_NAME_BYTES for name in numbered)


def test_extension_must_be_a_playlist_extension() -> None:
    with pytest.raises(InvalidInput):
        safe_file_name("x", extension=".txt")
    assert safe_file_name("x", extension=".M3U") == "x.M3U"


@pytest.mark.parametrize(
    ("titles", "taken", "names"),
    [
        (["Mix", "Mix", "Mix"], [], ["Mix.m3u8", "Mix (2).m3u8", "Mix (3).m3u8"]),
        (["Mix", "MIX", "mix"], [], ["Mix.m3u8", "MIX (2).m3u8", "mix (3).m3u8"]),
        (["Mix", "Mix", "Mix (2)"], [], ["Mix.m3u8", "Mix (2).m3u8", "Mix (2) (2).m3u8"]),
        (["Mix (2)", "Mix", "Mix"], [], ["Mix (2).m3u8", "Mix.m3u8", "Mix (3).m3u8"]),
        (["A/B", "A:B", "A?B"], [], ["A_B.m3u8", "A_B (2).m3u8", "A_B (3).m3u8"]),
        (["Mix"], ["mix.M3U8"], ["Mix (2).m3u8"]),
        (["", "..."], [], ["Playlist.m3u8", "Playlist (2).m3u8"]),
        (["Café", "Cafe\u0301"], [], ["Café.m3u8", "Café (2).m3u8"]),
    ],
)
def test_duplicate_titles_get_numbered_names(
    titles: list[str], taken: list[str], names: list[str]
) -> None:
    assert assign_file_names(titles, taken=taken) == tuple(names)


_WINDOWS_INVALID = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789¹²³"
}


@given(st.text(max_size=300))
def test_any_title_gives_a_valid_stable_file_name(title: str) -> None:
    name = safe_file_name(title)
    stem = name.removesuffix(".m3u8")
    assert stem and not _WINDOWS_INVALID.search(name)
    assert stem == stem.strip().strip(".") and not stem.startswith(" ")
    assert stem.split(".")[0].rstrip(" ").upper() not in RESERVED
    assert len(name.encode("utf-8")) <= MAX_FILE_NAME_BYTES
    assert unicodedata.is_normalized("NFC", name)
    assert safe_file_name(title_from_file_name(name)) == name


@given(st.lists(st.text(st.sampled_from("aA. /:"), max_size=4), max_size=12))
def test_assigned_names_are_distinct_without_regard_to_case(titles: list[str]) -> None:
    names = assign_file_names(titles)
    assert len(names) == len(titles)
    assert len({name.casefold() for name in names}) == len(names)
    assert assign_file_names(titles) == names
