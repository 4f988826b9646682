"""The emulator state's accounts: owner, shared accounts, tokens."""

from __future__ import annotations

import pytest

from plex_emulator.state import EmulatorState
from tests.emulator.state_support import Clock, make_state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> EmulatorState:
    return make_state(clock)


def test_accounts(state: EmulatorState) -> None:
    owner = state.account_for_token("t-owner")
    bob = state.account_for_token("t-bob")
    assert owner is not None and owner.account_id == 1 and owner.is_owner
    assert bob is not None and bob.account_id == 1000 and not bob.is_owner
    assert state.account_for_token("nope") is None
    with pytest.raises(ValueError, match="already"):
        state.add_account("eve", "t-bob")
