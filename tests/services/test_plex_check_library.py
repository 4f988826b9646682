"""The dashboard's entry points of the Plex diagnostic (``app.services.libraries.plex_check``):
"Test connection" by URL and token, the check of a saved library, its default roots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.db import migrate
from app.adapters.db.engine import SessionFactory, create_db_engine, create_session_factory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.plex import PlexServerClient
from app.domain.errors import InvalidInput, PlexError
from app.services.libraries.plex_check import check_library, linked_roots, server_sections
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library


@pytest.fixture
def sqlite_sessions(sqlite_url: str) -> Iterator[SessionFactory]:
    """A migrated SQLite database (the PostgreSQL side of these queries is covered in
    tests/adapters/db/test_insights_repo.py)."""
    engine = create_db_engine(sqlite_url)
    migrate.upgrade(engine)
    try:
        yield create_session_factory(engine)
    finally:
        engine.dispose()


def connect(base_url: str, token: str, timeout_s: float) -> PlexServerClient:
    return PlexServerClient(base_url, token, timeout_s=timeout_s, retries=0)


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path, tmp_path: Path) -> Iterator[EmulatorServer]:
    movies = tmp_path / "movies"
    movies.mkdir()
    with running_emulator(
        music=[Folder(str(music), "/data/music")], movies=[Folder(str(movies))]
    ) as server:
        yield server


def test_server_sections_lists_music_and_movies(emulator: EmulatorServer) -> None:
    sections = server_sections(connect, emulator.url + "/", OWNER_TOKEN)
    assert sorted(s.kind for s in sections) == ["artist", "movie"]
    music = next(s for s in sections if s.is_music)
    assert music.locations == ("/data/music",)


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [("ftp://x", "t", "http://"), ("http://127.0.0.1:1", " ", "needs a token")],
)
def test_server_sections_refuses_bad_input(url: str, token: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        server_sections(connect, url, token)


def test_server_sections_with_a_wrong_token_is_a_plex_error(emulator: EmulatorServer) -> None:
    with pytest.raises(PlexError):
        server_sections(connect, emulator.url, "wrong")


def test_check_library_uses_the_saved_token_mappings_and_sections(
    emulator: EmulatorServer, music: Path, sqlite_sessions: SessionFactory
) -> None:
    libraries = LibraryRepository(sqlite_sessions)
    with connect(emulator.url, OWNER_TOKEN, 5) as client:
        section_id = next(s.section_id for s in client.list_sections() if s.is_music)
    plex = libraries.add_library(
        kind="plex_music",
        name="Plex",
        config={"base_url": emulator.url, "section_ids": [section_id], "timeout_s": 5},
        secret=OWNER_TOKEN,
    )
    report = check_library(libraries, connect, plex.id, roots=[str(music)], sample_size=3)
    (check,) = report.checks
    assert (check.sampled, check.resolved, check.fixed_by_proposals) == (3, 0, 3)
    assert len(report.sections) == 2

    libraries.update_library(plex.id, path_mappings=[("/data/music", str(music))])
    (check,) = check_library(libraries, connect, plex.id, roots=[], sample_size=3).checks
    assert check.ok

    folder = libraries.add_library(
        kind="music_folder", name="Files", config={"root": str(music)}, secret=None
    )
    with pytest.raises(InvalidInput, match="not a Plex library"):
        check_library(libraries, connect, folder.id, roots=[])


def test_linked_roots_prefer_linked_folders(sqlite_sessions: SessionFactory) -> None:
    libraries = LibraryRepository(sqlite_sessions)
    plex = libraries.add_library(
        kind="plex_music",
        name="P",
        config={"base_url": "http://p", "section_ids": [1]},
        secret="t",
    )
    assert linked_roots(libraries, plex.id) == []
    first = libraries.add_library(kind="music_folder", name="A", config={"root": "/a"}, secret=None)
    libraries.add_library(kind="music_folder", name="B", config={"root": "/b"}, secret=None)
    assert linked_roots(libraries, plex.id) == ["/a", "/b"]
    libraries.add_link(
        kind="ratings",
        library_a_id=plex.id,
        library_b_id=first.id,
        direction="both",
        policy="ask",
        options={},
    )
    assert linked_roots(libraries, plex.id) == ["/a"]
