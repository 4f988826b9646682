from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from plex_emulator import scan
from plex_emulator.demo_files import make_template
from plex_emulator.model import MUSIC, Location, Track
from plex_emulator.scan import parse_movie_name, read_track, walk_files
from plex_emulator.scanner import local_dir_for, scan_section
from plex_emulator.state import EmulatorState
from tests.emulator.support import template_cache


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Blade Runner (1982)", ("Blade Runner", 1982, None, ())),
        (
            "Blade Runner (1982) {edition-The Final Cut} {imdb-tt0083658}",
            ("Blade Runner", 1982, "The Final Cut", ("imdb://tt0083658",)),
        ),
        ("Alien (1979) [imdbid-tt0078748] - 1080p", ("Alien", 1979, None, ("imdb://tt0078748",))),
        ("Heat (1995) {tmdb-949}", ("Heat", 1995, None, ("tmdb://949",))),
        ("Some Home Video", ("Some Home Video", None, None, ())),
    ],
)
def test_parse_movie_name(stem: str, expected: tuple[object, ...]) -> None:
    assert parse_movie_name(stem) == expected


def test_read_track_tags(audio_library: Path) -> None:
    location = Location("D:\\Music", str(audio_library))
    source = read_track(
        location, str(audio_library / "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a")
    )
    assert source is not None
    assert source.plex_path == "D:\\Music\\Björk & Friends\\Ünïcødé Album\\1-01 Ça va.m4a"
    assert (source.title, source.album_artist, source.album) == (
        "Ça va",
        "Björk & Friends",
        "Ünïcødé Album",
    )
    assert (source.track_no, source.disc_no) == (1, 1)
    assert source.mbid_recording == "0a8e1f2a-5b6c-4d7e-8f90-a1b2c3d4e5f6"
    assert 150 <= source.duration_ms <= 400
    wav = read_track(location, str(audio_library / "Various Artists/Hits/04 Wave.wav"))
    assert wav is not None
    assert (wav.title, wav.track_artist, wav.album_artist) == (
        "Wave",
        "Other Artist",
        "Various Artists",
    )


def test_bad_files_are_skipped_and_untagged_ones_use_names(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path / "music"
    record = root / "Band" / "Record"
    record.mkdir(parents=True)
    (record / "zero.mp3").write_bytes(b"")
    (record / "junk.flac").write_bytes(b"not flac at all" * 10)
    (record / "notes.txt").write_text("ignored")
    untagged = record / "07 No Tags.mp3"
    shutil.copyfile(make_template(template_cache(tmp_path_factory), ".mp3"), untagged)
    shutil.copyfile(untagged, os.fsencode(record) + b"/08 Caf\xe9.mp3")  # not UTF-8

    state = EmulatorState()
    state.add_account("owner", "t", owner=True)
    section = state.add_section(MUSIC, "Music", [Location(str(root), str(root))])
    result = scan_section(state, section.section_id)
    tracks = [state.items[k] for k in result.added]
    assert all(isinstance(t, Track) for t in tracks)
    by_name = {Path(t.source.plex_path).name: t for t in tracks}
    assert set(by_name) == {"07 No Tags.mp3", "08 Caf\ufffd.mp3"}
    plain = by_name["07 No Tags.mp3"]
    assert (plain.title, plain.source.album, plain.source.album_artist) == (
        "07 No Tags",
        "Record",
        "Band",
    )


def test_special_files_loops_and_huge_files_are_skipped_with_a_warning(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "music"
    record = root / "Band" / "Record"
    record.mkdir(parents=True)
    good = record / "01 Good.mp3"
    shutil.copyfile(make_template(template_cache(tmp_path_factory), ".mp3"), good)
    (record / "02 Zero.mp3").symlink_to("/dev/zero")  # once read to 23 GB
    os.mkfifo(record / "03 Pipe.mp3")  # opening it would block the scan forever
    (record / "04 Loop.mp3").symlink_to("04 Loop.mp3")
    (record / "Again").symlink_to(root)  # a folder loop
    (record / "x.flac").mkdir()  # a folder named like audio is walked as a folder
    shutil.copyfile(good, record / "x.flac" / "05 Inside.mp3")
    with open(record / "06 Huge.mp3", "wb") as huge:  # sparse: no disk used
        huge.truncate(scan.MAX_FILE_BYTES + 1)

    assert list(walk_files(str(root), scan.AUDIO_EXTENSIONS)) == [
        str(good),
        str(record / "x.flac" / "05 Inside.mp3"),
    ]
    state = EmulatorState()
    state.add_account("owner", "t", owner=True)
    section = state.add_section(MUSIC, "Music", [Location(str(root), str(root))])
    caplog.clear()
    result = scan_section(state, section.section_id)
    names = {Path(state.items[k].source.plex_path).name for k in result.added}  # type: ignore[union-attr]
    assert names == {"01 Good.mp3", "05 Inside.mp3"}
    warned = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    for expected in (
        "02 Zero.mp3: not a regular file",
        "03 Pipe.mp3: not a regular file",
        "04 Loop.mp3: Too many levels of symbolic links",
        "Again: a symlink loop",
        "06 Huge.mp3: 4294967297 bytes, over the 4294967296-byte limit",
    ):
        assert expected in warned

    # A file that turns into something else between the walk and the read is caught there.
    (record / "01 Good.mp3").unlink()
    os.mkfifo(record / "01 Good.mp3")
    assert read_track(Location(str(root), str(root)), str(record / "01 Good.mp3")) is None
    monkeypatch.setattr(scan, "MAX_FILE_BYTES", 10)
    inside = str(record / "x.flac" / "05 Inside.mp3")
    assert read_track(Location(str(root), str(root)), inside) is None


def test_local_dir_for_maps_server_paths() -> None:
    windows = Location("D:\\Music", "/srv/music")
    assert local_dir_for(windows, "d:/music/A B/Ç") == "/srv/music/A B/Ç"
    assert local_dir_for(windows, "E:\\Music") is None
    posix = Location("/volume1/music", "/srv/music")
    assert local_dir_for(posix, "/volume1/music") == "/srv/music"
    assert local_dir_for(posix, "/volume1/musicals") is None
    assert local_dir_for(Location("/x", None), "/x/y") is None
