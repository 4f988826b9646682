from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.adapters.plex.playlist_plan import apply_plan, plan_edit, plan_moves


def _rows(keys: list[int]) -> list[tuple[int, int]]:
    return [(100 + i, key) for i, key in enumerate(keys)]


@pytest.mark.parametrize(
    ("current", "wanted", "removes", "adds", "moves"),
    [
        ([1, 2, 3], [1, 2, 3], 0, 0, 0),
        ([1, 2, 3], [1, 3], 1, 0, 0),
        ([1, 2], [1, 2, 3], 0, 1, 0),
        ([1, 2, 3], [3, 1, 2], 0, 0, 1),
        ([1, 2, 3, 4], [4, 3, 2, 1], 0, 0, 3),
        ([1, 1, 2], [1, 2, 1], 0, 0, 1),
        ([1, 2, 3], [], 3, 0, 0),
        ([], [5, 6], 0, 2, 0),
        ([1, 2, 3], [9, 1, 2, 3], 0, 1, 1),
    ],
)
def test_plans(current: list[int], wanted: list[int], removes: int, adds: int, moves: int) -> None:
    plan = plan_edit(_rows(current), wanted)
    assert (len(plan.remove), len(plan.add), len(plan.moves)) == (removes, adds, moves)
    assert apply_plan(_rows(current), plan) == wanted


def test_moves_go_after_the_wanted_predecessor_or_to_the_front() -> None:
    assert plan_moves([1, 2, 3], [3, 1, 2]) == [(3, None)]
    assert plan_moves([1, 2, 3, 4], [1, 4, 2, 3]) == [(4, 1)]


@given(
    st.lists(st.integers(1, 6), max_size=12),
    st.lists(st.integers(1, 6), max_size=12),
)
def test_any_plan_reaches_the_wanted_order(current: list[int], wanted: list[int]) -> None:
    plan = plan_edit(_rows(current), wanted)
    assert apply_plan(_rows(current), plan) == wanted
    assert len(plan.moves) <= len(wanted)
