"""The emulator state's snapshot (the state file's content) round-trips."""

from __future__ import annotations

import pytest

from plex_emulator.model import MUSIC, Location
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import synthetic_tracks
from tests.emulator.state_support import Clock, make_state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> EmulatorState:
    return make_state(clock)


def test_snapshot_round_trip(state: EmulatorState) -> None:
    owner = state.accounts[1]
    key = state.sections[1].leaf_keys[3]
    state.rate(owner, key, 4.0, 1_600_000_000)
    uri = f"server://{state.machine_identifier}/com.plexapp.plugins.library/library/metadata/"
    state.playlist_store.create(
        owner, title="Keep", playlist_type="audio", smart=False, uri=f"{uri}{key}"
    )
    snapshot = state.snapshot()

    restored = EmulatorState()
    restored.restore(snapshot)
    restored.add_account("owner", "t-owner", owner=True)
    section = restored.add_section(MUSIC, "Music", [Location("/music", None)])
    restored.apply_music_scan(section.section_id, synthetic_tracks(30, "/music"))
    assert restored.machine_identifier == state.machine_identifier
    assert restored.sections[1].leaf_keys == state.sections[1].leaf_keys
    data = restored.data_for(restored.accounts[1], key)
    assert data is not None and (data.rating, data.last_rated_at) == (4.0, 1_600_000_000)
    (playlist,) = restored.playlists.values()
    assert [e.rating_key for e in playlist.entries] == [key]
    with pytest.raises(ValueError, match="version"):
        EmulatorState().restore({"version": 99})
