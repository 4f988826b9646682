"""The emulator's playlists: entries moved and removed, albums added as their tracks, playlists
of other accounts hidden."""

from __future__ import annotations

import pytest

from plex_emulator.errors import HttpError
from plex_emulator.state import EmulatorState
from tests.emulator.state_support import Clock, make_state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> EmulatorState:
    return make_state(clock)


def test_playlist_moves_and_removes(state: EmulatorState) -> None:
    owner = state.accounts[1]
    keys = state.sections[1].leaf_keys[:4]
    uri = f"server://{state.machine_identifier}/com.plexapp.plugins.library/library/metadata/"
    playlist = state.playlist_store.create(
        owner, title="P", playlist_type="audio", smart=False, uri=uri + ",".join(map(str, keys))
    )
    ids = [e.item_id for e in playlist.entries]
    state.playlist_store.move(owner, playlist.playlist_id, ids[3], ids[0])
    assert [e.item_id for e in playlist.entries] == [ids[0], ids[3], ids[1], ids[2]]
    state.playlist_store.move(owner, playlist.playlist_id, ids[2], None)
    assert [e.item_id for e in playlist.entries] == [ids[2], ids[0], ids[3], ids[1]]
    with pytest.raises(HttpError):
        state.playlist_store.move(owner, playlist.playlist_id, ids[1], 999)
    assert [e.item_id for e in playlist.entries] == [ids[2], ids[0], ids[3], ids[1]]
    state.playlist_store.remove(owner, playlist.playlist_id, ids[0])
    assert [e.rating_key for e in playlist.entries] == [keys[2], keys[3], keys[1]]
    album = state.sections[1].album_keys[0]
    state.playlist_store.add(owner, playlist.playlist_id, f"{uri}{album}")
    assert len(playlist.entries) == 13  # an album adds its tracks
    with pytest.raises(HttpError):
        state.playlist_store.get(state.accounts[1000], playlist.playlist_id)
