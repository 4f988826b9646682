from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
