from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.playlists.diff import (
    MovedEntry,
    PlacedEntry,
    PlaylistDiff,
    PlaylistMode,
    Side,
    TwoWayAction,
    decide_two_way,
    diff_entries,
    plan_playlist,
)

MIRROR = PlaylistMode.MIRROR
APPEND = PlaylistMode.APPEND


def added(diff: PlaylistDiff[str]) -> list[tuple[str, int]]:
    return [(entry.key, entry.index) for entry in diff.added]


def removed(diff: PlaylistDiff[str]) -> list[tuple[str, int]]:
    return [(entry.key, entry.index) for entry in diff.removed]


def moved(diff: PlaylistDiff[str]) -> list[tuple[str, int, int]]:
    return [(entry.key, entry.from_index, entry.to_index) for entry in diff.moved]


def apply(current: str, diff: PlaylistDiff[str], length: int) -> str:
    """Rebuild the new list from the old one and a diff, checking the diff's consistency."""
    assert all(current[entry.index] == entry.key for entry in diff.removed)
    assert all(current[entry.from_index] == entry.key for entry in diff.moved)
    gone = {entry.index for entry in diff.removed} | {entry.from_index for entry in diff.moved}
    assert len(gone) == len(diff.removed) + len(diff.moved)
    stay = iter([key for index, key in enumerate(current) if index not in gone])
    slots: dict[int, str] = {}
    for index, key in [(e.index, e.key) for e in diff.added] + [
        (e.to_index, e.key) for e in diff.moved
    ]:
        assert index not in slots
        slots[index] = key
    rebuilt = "".join(slots[index] if index in slots else next(stay) for index in range(length))
    assert next(stay, None) is None
    return rebuilt


def lcs_length(first: str, second: str) -> int:
    table = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            table[i + 1][j + 1] = (
                table[i][j] + 1 if a == b else max(table[i][j + 1], table[i + 1][j])
            )
    return table[-1][-1]


# --- diff ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "desired", "added_", "removed_", "moved_"),
    [
        ("", "", [], [], []),
        ("ABC", "ABC", [], [], []),
        ("", "AB", [("A", 0), ("B", 1)], [], []),
        ("AB", "", [], [("A", 0), ("B", 1)], []),
        ("ABC", "ABDC", [("D", 2)], [], []),
        ("ABC", "AC", [], [("B", 1)], []),
        ("ABCD", "DABC", [], [], [("D", 3, 0)]),
        ("ABCD", "BCDA", [], [], [("A", 0, 3)]),
        ("ABCD", "DCBA", [], [], [("D", 3, 0), ("C", 2, 1), ("B", 1, 2)]),
        ("ABCD", "BADE", [("E", 3)], [("C", 2)], [("B", 1, 0)]),
        # the same track more than once
        ("AA", "A", [], [("A", 1)], []),
        ("A", "AAA", [("A", 1), ("A", 2)], [], []),
        ("ABA", "BAA", [], [], [("A", 0, 2)]),
        ("AAB", "BAA", [], [], [("B", 2, 0)]),
        ("ABAB", "BABA", [], [], [("B", 3, 0)]),
        ("ABCA", "BAAD", [("D", 3)], [("C", 2)], [("A", 0, 2)]),
    ],
)
def test_diff_finds_added_removed_and_fewest_moved(
    current: str,
    desired: str,
    added_: list[tuple[str, int]],
    removed_: list[tuple[str, int]],
    moved_: list[tuple[str, int, int]],
) -> None:
    diff = diff_entries(current, desired)
    assert (added(diff), removed(diff), moved(diff)) == (added_, removed_, moved_)
    assert diff.is_empty == (current == desired)
    assert apply(current, diff, len(desired)) == desired


def test_diff_takes_any_hashable_keys() -> None:
    diff = diff_entries([(1, "a"), (2, "b")], [(2, "b"), (3, "c")])
    assert diff == PlaylistDiff(
        added=(PlacedEntry((3, "c"), 1),), removed=(PlacedEntry((1, "a"), 0),), moved=()
    )


_keys = st.text(st.sampled_from("ABCD"), max_size=9)


@given(current=_keys, desired=_keys)
def test_diff_rebuilds_the_desired_list_with_the_fewest_moves(current: str, desired: str) -> None:
    diff = diff_entries(current, desired)
    assert apply(current, diff, len(desired)) == desired
    common = sum((Counter(current) & Counter(desired)).values())
    assert len(diff.moved) == common - lcs_length(current, desired)
    assert len(diff.added) == len(desired) - common
    assert len(diff.removed) == len(current) - common


def test_diff_of_long_lists_stays_exact() -> None:
    current = list(range(5000))
    desired = [*current[1:2500], 0, *current[2500:4000], 9999, *current[4001:]]
    diff = diff_entries(current, desired)
    assert diff.moved == (MovedEntry(0, 0, 2499),)
    assert diff.added == (PlacedEntry(9999, 4000),)
    assert diff.removed == (PlacedEntry(4000, 4000),)


# --- mirror and append ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "source", "mode", "result", "added_", "removed_", "moved_"),
    [
        ("ABC", "CAB", MIRROR, "CAB", [], [], [("C", 2, 0)]),
        ("ABC", "ABDE", MIRROR, "ABDE", [("D", 2), ("E", 3)], [("C", 2)], []),
        ("", "AB", MIRROR, "AB", [("A", 0), ("B", 1)], [], []),
        ("AB", "", MIRROR, "", [], [("A", 0), ("B", 1)], []),
        ("ABC", "CAB", APPEND, "ABC", [], [], []),
        ("AB", "CBD", APPEND, "ABCD", [("C", 2), ("D", 3)], [], []),
        ("AXB", "", APPEND, "AXB", [], [], []),
        ("AB", "BAAC", APPEND, "ABAC", [("A", 2), ("C", 3)], [], []),
        ("AAA", "A", APPEND, "AAA", [], [], []),
        ("", "AA", APPEND, "AA", [("A", 0), ("A", 1)], [], []),
    ],
)
def test_plan_applies_mirror_or_append(
    current: str,
    source: str,
    mode: PlaylistMode,
    result: str,
    added_: list[tuple[str, int]],
    removed_: list[tuple[str, int]],
    moved_: list[tuple[str, int, int]],
) -> None:
    plan = plan_playlist(current, source, mode)
    assert "".join(plan.result) == result
    assert (added(plan.diff), removed(plan.diff), moved(plan.diff)) == (added_, removed_, moved_)
    assert plan.changes == (current != result)


@given(current=_keys, source=_keys)
def test_append_keeps_the_target_and_adds_only_missing_copies(current: str, source: str) -> None:
    plan = plan_playlist(current, source, APPEND)
    result = "".join(plan.result)
    assert result.startswith(current)
    assert Counter(result) == Counter(current) | Counter(source)
    assert not plan.diff.removed and not plan.diff.moved
    assert plan_playlist(result, source, APPEND).result == plan.result
    assert "".join(plan_playlist(current, source, MIRROR).result) == source


# --- two-way with a baseline -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "baseline", "action", "result"),
    [
        ("ABC", "ABC", "ABC", TwoWayAction.NOTHING, "ABC"),
        ("ACB", "ABC", "ABC", TwoWayAction.COPY_A_TO_B, "ACB"),
        ("AB", "ABC", "ABC", TwoWayAction.COPY_A_TO_B, "AB"),
        ("ABC", "ABCD", "ABC", TwoWayAction.COPY_B_TO_A, "ABCD"),
        ("ABC", "", "ABC", TwoWayAction.COPY_B_TO_A, ""),
        ("ABCD", "ABCD", "ABC", TwoWayAction.RECORD_BASELINE, "ABCD"),
        ("ABCD", "ABCE", "ABC", TwoWayAction.CONFLICT, None),
        ("BAC", "ABCC", "ABC", TwoWayAction.CONFLICT, None),
        ("AAB", "AB", "AB", TwoWayAction.COPY_A_TO_B, "AAB"),
    ],
)
def test_two_way_decision_against_the_baseline(
    a: str, b: str, baseline: str, action: TwoWayAction, result: str | None
) -> None:
    decision = decide_two_way(a, b, baseline)
    assert decision.action is action
    assert decision.result == (None if result is None else tuple(result))
    assert decision.a_changes == diff_entries(baseline, a)
    assert decision.b_changes == diff_entries(baseline, b)


def test_a_conflict_shows_each_side_as_a_diff_against_the_baseline() -> None:
    decision = decide_two_way("BACD", "AB", "ABC")
    assert decision.action is TwoWayAction.CONFLICT
    assert (added(decision.a_changes), moved(decision.a_changes)) == ([("D", 3)], [("B", 1, 0)])
    assert (removed(decision.b_changes), added(decision.b_changes)) == ([("C", 2)], [])


def test_after_a_copy_the_copied_side_changes_are_what_the_other_side_receives() -> None:
    decision = decide_two_way("CAB", "ABC", "ABC")
    assert decision.action is TwoWayAction.COPY_A_TO_B
    assert decision.a_changes == diff_entries("ABC", "CAB")
    assert decision.b_changes.is_empty


@pytest.mark.parametrize(
    ("a", "b", "winner", "action", "result"),
    [
        ("AB", "AB", None, TwoWayAction.RECORD_BASELINE, "AB"),
        ("AB", "BA", None, TwoWayAction.CONFLICT, None),
        ("AB", "BA", Side.A, TwoWayAction.COPY_A_TO_B, "AB"),
        ("AB", "BAC", Side.B, TwoWayAction.COPY_B_TO_A, "BAC"),
        ("", "", None, TwoWayAction.RECORD_BASELINE, ""),
    ],
)
def test_first_run_without_baseline(
    a: str, b: str, winner: Side | None, action: TwoWayAction, result: str | None
) -> None:
    decision = decide_two_way(a, b, None, first_run_winner=winner)
    assert decision.action is action
    assert decision.result == (None if result is None else tuple(result))
    assert decision.a_changes == diff_entries(b, a)
    assert decision.b_changes == diff_entries(a, b)


@given(a=_keys, b=_keys, baseline=_keys)
def test_two_way_result_is_what_each_unchanged_side_must_become(
    a: str, b: str, baseline: str
) -> None:
    decision = decide_two_way(a, b, baseline)
    if decision.result is None:
        assert decision.action is TwoWayAction.CONFLICT
        assert a != b and a != baseline and b != baseline
    else:
        assert "".join(decision.result) in (a, b)
        assert decision.action is TwoWayAction.NOTHING or decision.result != tuple(baseline)
