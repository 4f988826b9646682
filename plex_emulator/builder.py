"""Building an emulator from folders, accounts and an optional state file (CLI and tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plex_emulator.knobs import Knobs
from plex_emulator.model import MOVIE, MUSIC, Location
from plex_emulator.persist import StateFile
from plex_emulator.scanner import scan_section
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section, gc_paused


@dataclass(frozen=True)
class Folder:
    """A real folder, shown by the server as ``plex_path`` (default: its own absolute path)."""

    local_dir: str
    plex_path: str | None = None

    def location(self) -> Location:
        local = str(Path(self.local_dir).absolute())
        return Location(plex_path=self.plex_path or local, local_dir=local)


@dataclass(frozen=True)
class EmulatorConfig:
    owner_token: str
    owner_name: str = "owner"
    music: Sequence[Folder] = ()
    movies: Sequence[Folder] = ()
    users: Sequence[tuple[str, str]] = ()  # (name, token)
    synthetic_tracks: int = 0
    state_file: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    machine_identifier: str | None = None


def build_state(config: EmulatorConfig, state_file: StateFile | None = None) -> EmulatorState:
    state = EmulatorState(machine_identifier=config.machine_identifier)
    if state_file is not None:
        state_file.load_into(state)
    state.add_account(config.owner_name, config.owner_token, owner=True)
    for name, token in config.users:
        state.add_account(name, token)
    if config.music:
        section = state.add_section(MUSIC, "Music", [f.location() for f in config.music])
        with gc_paused():
            scan_section(state, section.section_id)
    if config.synthetic_tracks:
        title = "Synthetic Music" if config.music else "Music"
        add_synthetic_music_section(state, config.synthetic_tracks, title=title)
    if config.movies:
        section = state.add_section(MOVIE, "Movies", [f.location() for f in config.movies])
        scan_section(state, section.section_id)
    state.forget_missing_playlist_items()
    return state


def build_emulator(config: EmulatorConfig, knobs: Knobs | None = None) -> EmulatorServer:
    """A ready (not yet started) server for ``config``; with a state file, changes persist."""
    state_file = StateFile(config.state_file) if config.state_file else None
    state = build_state(config, state_file)
    if state_file is not None:
        state_file.attach(state)
    return EmulatorServer(
        state, host=config.host, port=config.port, knobs=knobs, state_file=state_file
    )
