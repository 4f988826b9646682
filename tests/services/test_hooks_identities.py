"""Which Plex server a library lives on, asked of the Plex emulator: asked once per library and
URL, and a server that cannot be asked is left alone for ``retry_after_s``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.plex import PlexServerClient
from app.domain.library_records import LibraryRecord
from app.services.hooks.identities import PlexIdentities
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.emulator.support import OWNER_TOKEN


class Asking:
    """The real client factory, counting the servers it was asked to reach."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, base_url: str, token: str, timeout_s: float) -> PlexServerClient:
        self.asked.append(base_url)
        return PlexServerClient(base_url, token, timeout_s=timeout_s, retries=0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    state = EmulatorState()
    state.add_account("owner", OWNER_TOKEN, owner=True)
    with EmulatorServer(state) as server:
        yield server


def plex_library(libraries: LibraryRepository, base_url: str) -> LibraryRecord:
    return libraries.add_library(
        kind="plex_music",
        name=f"Plex at {base_url}",
        config={"base_url": base_url, "section_ids": [1]},
        secret=OWNER_TOKEN,
    )


def test_a_server_is_asked_once(session_factory: SessionFactory, emulator: EmulatorServer) -> None:
    libraries = LibraryRepository(session_factory)
    library = plex_library(libraries, emulator.url)
    asking = Asking()
    identities = PlexIdentities(libraries, asking)
    machine = emulator.state.machine_identifier
    assert identities.machine_identifier(library) == machine
    assert identities.machine_identifier(library) == machine
    assert asking.asked == [emulator.url]


def test_a_server_that_cannot_be_asked_is_left_alone_for_a_while(
    session_factory: SessionFactory,
) -> None:
    libraries = LibraryRepository(session_factory)
    library = plex_library(libraries, "http://127.0.0.1:9")  # nothing listens on discard
    asking = Asking()
    clock = Clock()
    identities = PlexIdentities(libraries, asking, timeout_s=1.0, retry_after_s=60.0, clock=clock)
    assert identities.machine_identifier(library) is None
    clock.now += 59
    assert identities.machine_identifier(library) is None
    assert len(asking.asked) == 1
    clock.now += 2
    assert identities.machine_identifier(library) is None
    assert len(asking.asked) == 2
