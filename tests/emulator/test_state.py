from __future__ import annotations

import pytest

from plex_emulator.errors import HttpError, InvalidRequest, http_error_of
from plex_emulator.model import MUSIC, Location, Track
from plex_emulator.state import EmulatorState
from plex_emulator.state_core import Event
from plex_emulator.synthetic import synthetic_tracks


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> EmulatorState:
    state = EmulatorState(clock=clock)
    state.add_account("owner", "t-owner", owner=True)
    state.add_account("bob", "t-bob")
    section = state.add_section(MUSIC, "Music", [Location("/music", None)])
    state.apply_music_scan(section.section_id, synthetic_tracks(30, "/music"))
    return state


def _tracks(state: EmulatorState) -> list[Track]:
    return [t for t in state.items.values() if isinstance(t, Track)]


def test_accounts(state: EmulatorState) -> None:
    owner = state.account_for_token("t-owner")
    bob = state.account_for_token("t-bob")
    assert owner is not None and owner.account_id == 1 and owner.is_owner
    assert bob is not None and bob.account_id == 1000 and not bob.is_owner
    assert state.account_for_token("nope") is None
    with pytest.raises(ValueError, match="already"):
        state.add_account("eve", "t-bob")


def test_scan_groups_albums_and_artists(state: EmulatorState) -> None:
    section = state.sections[1]
    assert len(section.leaf_keys) == 30
    assert len(section.album_keys) == 3
    assert len(section.artist_keys) == 1
    album = state.items[section.album_keys[0]]
    assert [state.items[k].source.track_no for k in album.track_keys] == list(range(1, 11))


def test_rescan_keeps_keys_and_reports_changes(state: EmulatorState, clock: Clock) -> None:
    before = {t.source.plex_path: t.rating_key for t in _tracks(state)}
    sources = synthetic_tracks(30, "/music")
    clock.now += 100
    changed = [sources[0].__class__(**{**sources[0].__dict__, "title": "Renamed"})]
    result = state.apply_music_scan(1, changed + sources[1:20])
    assert result.updated == (before[sources[0].plex_path],)
    assert len(result.removed) == 10
    assert result.added == ()
    renamed = state.items[before[sources[0].plex_path]]
    assert isinstance(renamed, Track)
    assert renamed.title == "Renamed"
    assert renamed.updated_at == clock.now
    assert len(state.sections[1].album_keys) == 2  # the emptied album went away

    again = state.apply_music_scan(1, sources)
    assert len(again.added) == 10
    after = {t.source.plex_path: t.rating_key for t in _tracks(state)}
    assert after == before  # a file that comes back gets its old key


def test_rating_per_account_and_clear(state: EmulatorState, clock: Clock) -> None:
    owner, bob = state.accounts[1], state.accounts[1000]
    key = state.sections[1].leaf_keys[0]
    events: list[Event] = []
    state.listeners.append(events.append)
    state.rate(owner, key, 8.0, None)
    assert state.data_for(owner, key) is not None
    assert state.data_for(bob, key) is None
    clock.now += 50
    cleared = state.rate(owner, key, None, None)
    assert cleared.rating is None
    assert cleared.last_rated_at == clock.now - 50  # kept on clear
    state.clear_refreshes_last_rated_at = True
    assert state.rate(owner, key, None, None).last_rated_at == clock.now
    assert state.rate(owner, key, 6.0, clock.now - 1000).last_rated_at == clock.now - 1000
    with pytest.raises(InvalidRequest) as caught:
        state.rate(owner, key, 6.0, clock.now + 10)
    assert http_error_of(caught.value).status == 400
    assert [(e.kind, e.rating) for e in events] == [
        ("media.rate", 8.0),
        ("media.rate", None),
        ("media.rate", None),
        ("media.rate", 6.0),
    ]


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
