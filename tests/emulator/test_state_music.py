"""Music scans of the emulator state: albums and artists grouped, keys kept on a rescan."""

from __future__ import annotations

import pytest

from plex_emulator.model import Track
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import synthetic_tracks
from tests.emulator.state_support import Clock, make_state, tracks_of


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> EmulatorState:
    return make_state(clock)


def test_scan_groups_albums_and_artists(state: EmulatorState) -> None:
    section = state.sections[1]
    assert len(section.leaf_keys) == 30
    assert len(section.album_keys) == 3
    assert len(section.artist_keys) == 1
    album = state.items[section.album_keys[0]]
    assert [state.items[k].source.track_no for k in album.track_keys] == list(range(1, 11))


def test_rescan_keeps_keys_and_reports_changes(state: EmulatorState, clock: Clock) -> None:
    before = {t.source.plex_path: t.rating_key for t in tracks_of(state)}
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
    after = {t.source.plex_path: t.rating_key for t in tracks_of(state)}
    assert after == before  # a file that comes back gets its old key
