"""What the emulator state's tests share: a clock to move by hand, and a state with an owner,
a shared account ("bob") and a scanned music section of 30 synthetic tracks."""

from __future__ import annotations

from plex_emulator.model import MUSIC, Location, Track
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import synthetic_tracks


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000

    def __call__(self) -> int:
        return self.now


def make_state(clock: Clock) -> EmulatorState:
    state = EmulatorState(clock=clock)
    state.add_account("owner", "t-owner", owner=True)
    state.add_account("bob", "t-bob")
    section = state.add_section(MUSIC, "Music", [Location("/music", None)])
    state.apply_music_scan(section.section_id, synthetic_tracks(30, "/music"))
    return state


def tracks_of(state: EmulatorState) -> list[Track]:
    return [t for t in state.items.values() if isinstance(t, Track)]
