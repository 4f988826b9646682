"""Playlist diffs: what changes between two orders of the same kind of keys, and what to do.

Keys are whatever the caller compares entries by (a Plex rating key, a matched track id, a
normalised path); they need only be hashable. A playlist may hold the same key more than once:
the n-th copy in one list pairs with a copy in the other, and surplus copies are added or
removed one by one, so a duplicate is never lost or invented.

* :func:`diff_entries` says which entries are added, removed and moved to turn ``current`` into
  ``desired``, with the fewest moves: entries on a longest common subsequence stay put and every
  other common entry is a move (Hunt-Szymanski, so O(r log n) with r matching pairs, which is
  about n for playlists with few duplicates).
* :func:`plan_playlist` applies a mode: ``mirror`` makes the target identical to the source,
  order included; ``append`` keeps the target and adds, in source order, each source entry the
  target lacks (counting copies: a track twice in the source and once in the target is added
  once more).
* :func:`decide_two_way` is the three-way decision against the last agreed list (the baseline).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class PlaylistMode(StrEnum):
    MIRROR = "mirror"
    APPEND = "append"


@dataclass(frozen=True, slots=True)
class PlacedEntry(Generic[K]):
    """An added entry (``index`` in the new list) or a removed one (``index`` in the old)."""

    key: K
    index: int


@dataclass(frozen=True, slots=True)
class MovedEntry(Generic[K]):
    key: K
    from_index: int
    to_index: int


@dataclass(frozen=True, slots=True)
class PlaylistDiff(Generic[K]):
    """Old list → new list; each tuple is in index order."""

    added: tuple[PlacedEntry[K], ...] = ()
    removed: tuple[PlacedEntry[K], ...] = ()
    moved: tuple[MovedEntry[K], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.moved)


@dataclass(frozen=True, slots=True)
class PlaylistPlan(Generic[K]):
    """The list the target should hold, and how it differs from what it holds now."""

    result: tuple[K, ...]
    diff: PlaylistDiff[K]

    @property
    def changes(self) -> bool:
        return not self.diff.is_empty


def diff_entries(current: Sequence[K], desired: Sequence[K]) -> PlaylistDiff[K]:
    """Added, removed and moved entries that turn ``current`` into ``desired``."""
    if list(current) == list(desired):
        return PlaylistDiff()
    kept_pairs = _longest_common_subsequence(current, desired)
    kept_current = {current_index for current_index, _ in kept_pairs}
    kept_desired = {desired_index for _, desired_index in kept_pairs}
    unkept_current: defaultdict[K, deque[int]] = defaultdict(deque)
    for index, key in enumerate(current):
        if index not in kept_current:
            unkept_current[key].append(index)
    added: list[PlacedEntry[K]] = []
    moved: list[MovedEntry[K]] = []
    for index, key in enumerate(desired):
        if index in kept_desired:
            continue
        sources = unkept_current.get(key)
        if sources:
            moved.append(MovedEntry(key=key, from_index=sources.popleft(), to_index=index))
        else:
            added.append(PlacedEntry(key=key, index=index))
    removed = tuple(
        PlacedEntry(key=current[index], index=index)
        for index in sorted(index for left in unkept_current.values() for index in left)
    )
    return PlaylistDiff(added=tuple(added), removed=removed, moved=tuple(moved))


def _longest_common_subsequence(
    current: Sequence[K], desired: Sequence[K]
) -> list[tuple[int, int]]:
    """Index pairs (current, desired) of one longest common subsequence, in order."""
    positions: defaultdict[K, list[int]] = defaultdict(list)
    for index, key in enumerate(current):
        positions[key].append(index)
    tails: list[int] = []  # tails[n]: smallest current index ending a common run of length n+1
    tail_nodes: list[int] = []  # the node of that run's last pair
    nodes: list[tuple[int, int, int]] = []  # (current index, desired index, previous node or -1)
    for desired_index, key in enumerate(desired):
        for current_index in reversed(positions.get(key, ())):
            length = bisect_left(tails, current_index)
            if length < len(tails) and tails[length] == current_index:
                continue  # an earlier copy already pairs there; keep the earliest pairing
            previous = tail_nodes[length - 1] if length else -1
            nodes.append((current_index, desired_index, previous))
            if length == len(tails):
                tails.append(current_index)
                tail_nodes.append(len(nodes) - 1)
            else:
                tails[length] = current_index
                tail_nodes[length] = len(nodes) - 1
    pairs: list[tuple[int, int]] = []
    node = tail_nodes[-1] if tail_nodes else -1
    while node != -1:
        current_index, desired_index, node = nodes[node]
        pairs.append((current_index, desired_index))
    pairs.reverse()
    return pairs


def plan_playlist(current: Sequence[K], source: Sequence[K], mode: PlaylistMode) -> PlaylistPlan[K]:
    """What the target holding ``current`` should hold after a sync from ``source``."""
    if mode is PlaylistMode.MIRROR:
        result = tuple(source)
    else:
        missing = Counter(source) - Counter(current)
        appended: list[K] = []
        for key in source:
            if missing[key] > 0:
                missing[key] -= 1
                appended.append(key)
        result = (*current, *appended)
    return PlaylistPlan(result=result, diff=diff_entries(current, result))


# --- two-way ---------------------------------------------------------------------------------


class Side(StrEnum):
    A = "a"
    B = "b"


class TwoWayAction(StrEnum):
    NOTHING = "nothing"  # neither side changed
    COPY_A_TO_B = "copy_a_to_b"  # only A changed (or A won a first run)
    COPY_B_TO_A = "copy_b_to_a"
    RECORD_BASELINE = "record_baseline"  # both hold the same list; store it as the baseline
    CONFLICT = "conflict"  # both changed, differently: for a person to settle


@dataclass(frozen=True, slots=True)
class TwoWayDecision(Generic[K]):
    """What to do with one playlist pair.

    ``result`` is the list both sides and the new baseline hold afterwards (None for a
    conflict). ``a_changes``/``b_changes`` are each side against the baseline, or against the
    other side when there is no baseline; after a copy, the copied side's changes are exactly
    what the other side receives.
    """

    action: TwoWayAction
    result: tuple[K, ...] | None
    a_changes: PlaylistDiff[K]
    b_changes: PlaylistDiff[K]


def decide_two_way(
    a: Sequence[K],
    b: Sequence[K],
    baseline: Sequence[K] | None,
    *,
    first_run_winner: Side | None = None,
) -> TwoWayDecision[K]:
    """The three-way decision for a playlist kept on sides A and B (order counts as a change).

    Without a baseline (first run): equal lists are recorded; different ones go to
    ``first_run_winner``, or are a conflict when there is none.
    """
    a_list, b_list = tuple(a), tuple(b)
    if baseline is None:
        a_changes, b_changes = diff_entries(b_list, a_list), diff_entries(a_list, b_list)
        if a_list == b_list:
            return TwoWayDecision(TwoWayAction.RECORD_BASELINE, a_list, a_changes, b_changes)
        if first_run_winner is Side.A:
            return TwoWayDecision(TwoWayAction.COPY_A_TO_B, a_list, a_changes, b_changes)
        if first_run_winner is Side.B:
            return TwoWayDecision(TwoWayAction.COPY_B_TO_A, b_list, a_changes, b_changes)
        return TwoWayDecision(TwoWayAction.CONFLICT, None, a_changes, b_changes)
    baseline_list = tuple(baseline)
    a_changes = diff_entries(baseline_list, a_list)
    b_changes = diff_entries(baseline_list, b_list)
    a_changed, b_changed = not a_changes.is_empty, not b_changes.is_empty
    if not a_changed and not b_changed:
        action, result = TwoWayAction.NOTHING, baseline_list
    elif a_changed and not b_changed:
        action, result = TwoWayAction.COPY_A_TO_B, a_list
    elif b_changed and not a_changed:
        action, result = TwoWayAction.COPY_B_TO_A, b_list
    elif a_list == b_list:
        action, result = TwoWayAction.RECORD_BASELINE, a_list
    else:
        return TwoWayDecision(TwoWayAction.CONFLICT, None, a_changes, b_changes)
    return TwoWayDecision(action, result, a_changes, b_changes)
