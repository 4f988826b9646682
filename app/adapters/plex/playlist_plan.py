"""Planning an in-place playlist edit: which rows to remove, which tracks to append, which
rows to move so the playlist ends up exactly as wanted while keeping its id.

Pure. Rows are ``(playlist_item_id, rating_key)``. Rows that stay keep their ids (the first
occurrences, in current order, of each wanted track); tracks still missing are appended and get
placeholder ids -1, -2, … in order; then the fewest single-row moves (the rows outside a longest
increasing subsequence) put everything in order, each row moved right after its wanted
predecessor (or to the front).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

Row = tuple[int, int]  # (playlist_item_id, rating_key)
Move = tuple[int, int | None]  # (item to move, item to put it after; None = front)


@dataclass(frozen=True)
class EditPlan:
    remove: tuple[int, ...]  # playlist item ids
    add: tuple[int, ...]  # rating keys, appended in this order
    moves: tuple[Move, ...]  # new rows are placeholders -1, -2, … in the order of ``add``

    @property
    def operations(self) -> int:
        return len(self.remove) + len(self.moves)


def plan_edit(current: Sequence[Row], wanted: Sequence[int]) -> EditPlan:
    needed: dict[int, int] = defaultdict(int)
    for key in wanted:
        needed[key] += 1
    kept: dict[int, deque[int]] = defaultdict(deque)
    remove: list[int] = []
    server_order: list[int] = []
    for item_id, key in current:
        if needed[key] > 0:
            needed[key] -= 1
            kept[key].append(item_id)
            server_order.append(item_id)
        else:
            remove.append(item_id)
    target: list[int] = []
    add: list[int] = []
    for key in wanted:
        if kept[key]:
            target.append(kept[key].popleft())
        else:
            add.append(key)
            placeholder = -len(add)
            target.append(placeholder)
            server_order.append(placeholder)
    return EditPlan(tuple(remove), tuple(add), tuple(plan_moves(server_order, target)))


def plan_moves(order: Sequence[int], target: Sequence[int]) -> list[Move]:
    """Moves turning ``order`` into ``target`` (the same ids, rearranged)."""
    position = {item: index for index, item in enumerate(order)}
    sequence = [position[item] for item in target]
    stay = {target[i] for i in _lis_indices(sequence)}
    moves: list[Move] = []
    for index, item in enumerate(target):
        if item not in stay:
            moves.append((item, target[index - 1] if index else None))
    return moves


def _lis_indices(values: Sequence[int]) -> list[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []  # values
    tail_index: list[int] = []  # index in ``values`` of each tail
    previous: list[int] = [-1] * len(values)
    for index, value in enumerate(values):
        slot = bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[slot] = value
            tail_index[slot] = index
        previous[index] = tail_index[slot - 1] if slot else -1
    out: list[int] = []
    cursor = tail_index[-1] if tail_index else -1
    while cursor != -1:
        out.append(cursor)
        cursor = previous[cursor]
    return out[::-1]


def apply_plan(current: Sequence[Row], plan: EditPlan) -> list[int]:
    """The rating keys a server would hold after ``plan`` (for tests and self-checks)."""
    removed = set(plan.remove)
    rows = [(item_id, key) for item_id, key in current if item_id not in removed]
    rows.extend((-(n + 1), key) for n, key in enumerate(plan.add))
    for item, after in plan.moves:
        index = next(i for i, (row_id, _) in enumerate(rows) if row_id == item)
        row = rows.pop(index)
        if after is None:
            rows.insert(0, row)
        else:
            after_index = next(i for i, (row_id, _) in enumerate(rows) if row_id == after)
            rows.insert(after_index + 1, row)
    return [key for _, key in rows]
