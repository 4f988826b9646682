"""Ratings in the emulator state: per account, cleared, refused in the future (a state error
the HTTP layer answers 400)."""

from __future__ import annotations

import pytest

from plex_emulator.errors import InvalidRequest, http_error_of
from plex_emulator.state import EmulatorState
from plex_emulator.state_core import Event
from tests.emulator.state_support import Clock, make_state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> EmulatorState:
    return make_state(clock)


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
