"""The sides of a playlists link: Plex paths through the mappings (cached per folder, same
answers as the domain), and a folder side's files written back in their own form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient, PlexTrack
from app.domain.paths import PathMapping, map_plex_to_local
from app.services.playlists.sides import FolderPlaylistSide, PlexPlaylistSide
from tests.services.ratings_support import RecordingReporter

MAPPINGS = [
    PathMapping("D:\\Music", "/mnt/music"),
    PathMapping("/data/music", "/srv/music"),
    PathMapping("/x", "C:\\Music"),
]


def track(*paths: str) -> PlexTrack:
    return PlexTrack(
        rating_key=1,
        section_id=1,
        guid=None,
        external_ids=(),
        title="T",
        artist=None,
        album=None,
        album_artist=None,
        track_no=None,
        disc_no=None,
        duration_ms=None,
        file_paths=paths,
        size_bytes=None,
        user_rating=None,
        last_rated_at=None,
        updated_at=None,
        added_at=None,
    )


@pytest.mark.parametrize(
    "plex_path",
    [
        "D:\\Music\\Artist\\Album\\01 a.flac",
        "d:/music/Artist/Album/02 b.flac",
        "D:\\Music\\top.flac",
        "/data/music/Artist/01 a.flac",
        "/data/musicals/01 a.flac",
        "/x/y/z.mp3",
        "/elsewhere/a.flac",
        "nofolder.flac",
    ],
)
def test_local_paths_agree_with_the_domain_mapping(plex_path: str) -> None:
    side = PlexPlaylistSide(PlexServerClient("http://127.0.0.1:9", "t"), [1], MAPPINGS, label="P")
    try:
        expected = map_plex_to_local(plex_path, MAPPINGS)
        assert side.local_path(track(plex_path)) == expected
        assert side.local_path(track(plex_path)) == expected  # from the folder cache
    finally:
        side.close()


def test_the_first_mapped_file_of_a_track_wins() -> None:
    side = PlexPlaylistSide(PlexServerClient("http://127.0.0.1:9", "t"), [1], MAPPINGS, label="P")
    try:
        assert side.local_path(track("/nope/a.flac", "/data/music/a.flac")) == "/srv/music/a.flac"
        assert side.local_path(track("/nope/a.flac")) is None
    finally:
        side.close()


def test_a_folder_side_lists_parses_and_rewrites_in_the_files_own_form(tmp_path: Path) -> None:
    (tmp_path / "Mix.m3u").write_bytes(b"#EXTM3U\r\n..\\music\\Caf\xe9.mp3\r\n")
    (tmp_path / "Other.m3u8").write_text("../music/a.mp3\n")
    side = FolderPlaylistSide(str(tmp_path), label="Files")

    listing = side.list(RecordingReporter(), lambda names: "Mix" in names)

    assert listing.present == {"Mix.m3u", "Other.m3u8"}
    [mix] = listing.playlists
    assert mix.encoding == "cp1252" and mix.names == ("Mix", "Mix")
    assert [entry.label for entry in mix.entries] == ["Café.mp3"]
    side.write(mix, "Mix", [*mix.entries, *mix.entries])
    assert (tmp_path / "Mix.m3u").read_bytes() == (
        b"#EXTM3U\r\n#PLAYLIST:Mix\r\n..\\music\\Caf\xe9.mp3\r\n..\\music\\Caf\xe9.mp3\r\n"
    )


@pytest.mark.parametrize(
    ("playlist_bytes", "file_name"),
    [
        (b"Caf\xe9.mp3\n", b"Caf\xe9.mp3"),  # cp1252 text, a Latin-1 name on disk
        ("Café.mp3\n".encode(), "Café.mp3".encode()),  # UTF-8 text and name
        ("Ça.mp3\n".encode() + b"Caf\xe9.mp3\n", "Ça.mp3".encode()),  # mixed: not UTF-8
        ("Ça.mp3\n".encode() + b"Caf\xe9.mp3\n", b"Caf\xe9.mp3"),
        (b"Caf\xe9.mp3\n", "Café.mp3".encode()),  # the text names a UTF-8 file: kept
    ],
)
def test_folder_entries_name_files_by_their_bytes(
    tmp_path: Path, playlist_bytes: bytes, file_name: bytes
) -> None:
    folder = os.fsencode(tmp_path)
    Path(os.fsdecode(folder + b"/" + file_name)).write_bytes(b"audio")
    (tmp_path / "mix.m3u").write_bytes(playlist_bytes)
    side = FolderPlaylistSide(str(tmp_path), label="B")

    (playlist,) = side.list(RecordingReporter(), lambda _names: True).playlists

    paths = [os.fsencode(e.entry.path or "") for e in playlist.entries if e.entry is not None]
    assert folder + b"/" + file_name in paths


def test_a_latin1_playlist_name_titles_it_in_display_form(tmp_path: Path) -> None:
    Path(os.fsdecode(os.fsencode(tmp_path) + b"/Caf\xe9 mix.m3u")).write_bytes(b"#EXTM3U\n")
    side = FolderPlaylistSide(str(tmp_path), label="B")

    (playlist,) = side.list(RecordingReporter(), lambda _names: True).playlists

    assert playlist.title == "Caf\\xe9 mix"
    assert os.fsencode(playlist.ref) == b"Caf\xe9 mix.m3u"
    playlist.title.encode("utf-8")


def test_a_folder_side_reads_and_rewrites_pls_in_its_own_form(tmp_path: Path) -> None:
    (tmp_path / "Road.pls").write_bytes(
        b"[playlist]\r\nFile1=..\\music\\Caf\xe9.mp3\r\nTitle1=AC/DC - Caf\xe9\r\nLength1=200\r\n"
        b"NumberOfEntries=1\r\nVersion=2\r\n"
    )
    side = FolderPlaylistSide(str(tmp_path), label="Files")

    listing = side.list(RecordingReporter(), lambda _names: True)

    assert listing.present == {"Road.pls"}
    [road] = listing.playlists
    assert road.encoding == "cp1252" and road.title == "Road"
    assert [entry.label for entry in road.entries] == ["AC/DC – Café"]
    side.write(road, "Road", [*road.entries, *road.entries])
    assert (tmp_path / "Road.pls").read_bytes() == (
        b"[playlist]\r\nFile1=..\\music\\Caf\xe9.mp3\r\nTitle1=AC/DC - Caf\xe9\r\nLength1=200\r\n"
        b"File2=..\\music\\Caf\xe9.mp3\r\nTitle2=AC/DC - Caf\xe9\r\nLength2=200\r\n"
        b"NumberOfEntries=2\r\nVersion=2\r\n"
    )
