"""Playlists over names that are not valid UTF-8: a Latin-1-named ``.m3u`` whose entries are
Latin-1 names too. Its Plex copy is titled with the display form, its entries resolve to the
files by their bytes, and the pair is stored and found again on the next run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from tests.services.playlists_support import CA_VA, CAFE, FIRST, PlaylistsWorld, playlists_world

CAFE_LATIN1 = "Artist/Album/02 Caf\xe9 & Crema.mp3".encode("latin-1")
M3U_LATIN1 = b"Caf\xe9 mix.m3u"


@pytest.fixture
def world(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> Iterator[PlaylistsWorld]:
    with playlists_world(tmp_path, tmp_path_factory, session_factory) as built:
        yield built


def test_a_latin1_m3u_with_latin1_entries_goes_to_plex(world: PlaylistsWorld) -> None:
    music = os.fsencode(world.music)
    # Plex knows the track by its UTF-8 name; the file here now has a Latin-1 name.
    os.rename(world.music / CAFE, os.fsdecode(music + b"/" + CAFE_LATIN1))
    playlist = (
        b"#EXTM3U\n" + music + b"/" + FIRST.encode() + b"\n" + music + b"/" + CAFE_LATIN1 + b"\n"
    )
    m3u = os.fsdecode(os.fsencode(world.playlists) + b"/" + M3U_LATIN1)
    Path(m3u).write_bytes(playlist)

    _, reporter = world.run()

    errors = [e for e in reporter.events if e["level"] == "error"]
    assert errors == []
    titles = world.plex_titles()
    assert "Caf\\xe9 mix" in titles
    assert world.plex_items(titles["Caf\\xe9 mix"]) == world.keys(FIRST, CAFE)
    assert Path(m3u).read_bytes() == playlist  # the file itself is left as it was

    _, reporter = world.run()
    assert [e for e in reporter.events if e["level"] == "error"] == []
    assert world.plex_titles() == titles


def test_entries_are_resolved_by_their_bytes(world: PlaylistsWorld) -> None:
    music = os.fsencode(world.music)
    os.rename(world.music / CAFE, os.fsdecode(music + b"/" + CAFE_LATIN1))
    # One UTF-8 name and one Latin-1 name: the text as a whole is not UTF-8 (read as cp1252,
    # "Ça" would read "Ã‡a"), yet each line names its file by its bytes.
    playlist = b"\n".join(
        [b"#EXTM3U", music + b"/" + CA_VA.encode(), music + b"/" + CAFE_LATIN1, b""]
    )
    (world.playlists / "Mixed.m3u").write_bytes(playlist)

    _, reporter = world.run()

    assert reporter.actions("entry_unmatched") == []
    assert [e for e in reporter.events if e["level"] == "error"] == []
    assert world.plex_items(world.plex_titles()["Mixed"]) == world.keys(CA_VA, CAFE)


def test_a_plex_playlist_is_written_with_the_files_own_bytes(world: PlaylistsWorld) -> None:
    music = os.fsencode(world.music)
    os.rename(world.music / CAFE, os.fsdecode(music + b"/" + CAFE_LATIN1))
    world.create_plex_playlist("Café night", FIRST, CAFE)

    _, reporter = world.run()

    assert [e for e in reporter.events if e["level"] == "error"] == []
    (written,) = [path for path in world.playlists.iterdir() if path.suffix == ".m3u8"]
    written.read_bytes().decode("utf-8")  # the file stays valid UTF-8 (a file URL holds it)
    assert [os.fsencode(path or "") for path in world.file_paths(written.name)] == [
        music + b"/" + FIRST.encode(),
        music + b"/" + CAFE_LATIN1,
    ]
    _, reporter = world.run()
    assert [e for e in reporter.events if e["level"] == "error"] == []
    assert reporter.actions("entry_unmatched") == []
