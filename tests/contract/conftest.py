"""plexapi reads its config file when imported: point it at nothing, so a developer's
~/.config/plexapi/config.ini cannot change page sizes, auto-reload or timeouts."""

from __future__ import annotations

import os

os.environ["PLEXAPI_CONFIG_PATH"] = os.devnull

from collections.abc import Iterator
from pathlib import Path

import pytest
from plexapi.server import PlexServer

from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library


@pytest.fixture(scope="session")
def audio_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo tracks, written once per session (read-only for tests)."""
    return write_library(tmp_path_factory.mktemp("library") / "music", tmp_path_factory)


@pytest.fixture
def emulator(audio_library: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(audio_library))]) as server:
        yield server


@pytest.fixture
def plex(emulator: EmulatorServer) -> PlexServer:
    return PlexServer(emulator.url, emulator.owner_token)
