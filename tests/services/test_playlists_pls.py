"""End to end with PLS files: real tagged files, the Plex emulator, a real database, the
playlists sync. A PLS file as Winamp writes it on Windows (cp1252, CRLF, relative backslash
paths) goes to Plex; a change in Plex comes back into the same file, still PLS, in its own form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.domain.links import Mode
from app.domain.playlists.m3u import PathStyle
from app.domain.playlists.pls import parse_pls
from tests.services.playlists_support import (
    CA_VA,
    CAFE,
    OOPS,
    WAVE,
    PlaylistsWorld,
    playlists_world,
)


@pytest.fixture
def world(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sqlite_url: str
) -> Iterator[PlaylistsWorld]:
    engine = create_db_engine(sqlite_url)
    try:
        migrate.upgrade(engine)
        with playlists_world(tmp_path, tmp_path_factory, create_session_factory(engine)) as built:
            yield built
    finally:
        engine.dispose()


def winamp_pls() -> bytes:
    lines = [
        "[playlist]",
        r"File1=..\music\Björk & Friends\Ünïcødé Album\1-01 Ça va.m4a",
        "Title1=Björk & Friends - Ça va",
        "Length1=215",
        r"File2=..\music\Artist\Album\02 Café & Crema.mp3",
        "Title2=Artist - Café & Crema",
        "Length2=190",
        r"File3=..\music\Various Artists\Hits\04 Wave.wav",
        "Length3=-1",
        "NumberOfEntries=3",
        "Version=2",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def pls_paths(path: Path) -> list[str | None]:
    parsed = parse_pls(path.read_bytes(), playlist_path=str(path), path_style=PathStyle.POSIX)
    return [entry.path for entry in parsed.entries]


def test_a_pls_file_goes_to_plex_and_comes_back_in_its_own_form(world: PlaylistsWorld) -> None:
    pls = world.playlists / "Sunday.pls"
    pls.write_bytes(winamp_pls())

    summary, reporter = world.run(Mode.IMPORT)

    assert summary.created_a == 1 and summary.unmatched == 0, reporter.events
    playlist_id = world.plex_titles()["Sunday"]
    assert world.plex_items(playlist_id) == world.keys(CA_VA, CAFE, WAVE)
    assert pls.read_bytes() == winamp_pls()

    world.client.replace_playlist_items(playlist_id, world.keys(CA_VA, WAVE, OOPS))
    summary, _ = world.run()

    assert summary.updated_b == 1
    data = pls.read_bytes()
    assert data.startswith(b"[playlist]\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert "Ünïcødé".encode("cp1252") in data
    assert b"File3=..\\music\\Various Artists\\Hits\\03 Oops.opus\r\n" in data
    assert b"NumberOfEntries=3\r\n" in data
    assert pls_paths(pls) == world.local(CA_VA, WAVE, OOPS)
    assert sorted(p.name for p in world.playlists.iterdir()) == ["Sunday.pls"]
