"""The write-ahead journal's decisions: reconcile after a crash, undo of one write."""

from __future__ import annotations

import pytest

from app.domain.journal import (
    ReconcileAction,
    UndoAction,
    WriteState,
    plan_reconcile,
    plan_undo_write,
)

PENDING, DONE, FAILED, NOT_APPLIED = (
    WriteState.PENDING,
    WriteState.DONE,
    WriteState.FAILED,
    WriteState.NOT_APPLIED,
)


@pytest.mark.parametrize(
    ("before", "after", "current", "action", "state"),
    [
        (6, 8, 8, ReconcileAction.APPLIED, DONE),  # written before the crash
        (None, 8, 8, ReconcileAction.APPLIED, DONE),
        (6, None, None, ReconcileAction.APPLIED, DONE),  # a clear that happened
        (6, 8, 6, ReconcileAction.NOT_APPLIED, NOT_APPLIED),  # the crash came first
        (None, 8, None, ReconcileAction.NOT_APPLIED, NOT_APPLIED),
        (6, 8, 2, ReconcileAction.CHANGED_SINCE, FAILED),  # a person re-rated it since
        (6, 8, None, ReconcileAction.CHANGED_SINCE, FAILED),
        (6, 6, 6, ReconcileAction.APPLIED, DONE),  # nothing to tell apart: it holds after
    ],
)
def test_plan_reconcile(
    before: int | None,
    after: int | None,
    current: int | None,
    action: ReconcileAction,
    state: WriteState,
) -> None:
    decision = plan_reconcile(before=before, after=after, current=current)
    assert (decision.action, decision.state) == (action, state)
    assert decision.state.settled


@pytest.mark.parametrize(
    ("state", "before", "after", "current", "action", "value"),
    [
        # verified writes
        (DONE, 6, 8, 8, UndoAction.RESTORE, 6),
        (DONE, 6, 8, 6, UndoAction.ALREADY_RESTORED, 6),
        (DONE, 6, 8, 2, UndoAction.CHANGED_SINCE, 2),
        # a crash left them pending: the item says whether the write happened
        (PENDING, 6, 8, 8, UndoAction.RESTORE, 6),
        (PENDING, None, 8, 8, UndoAction.RESTORE, None),
        (PENDING, 6, 8, 6, UndoAction.NOT_APPLIED, 6),
        (PENDING, 6, 8, 4, UndoAction.CHANGED_SINCE, 4),
        # a write that raised may have happened too
        (FAILED, 6, 8, 8, UndoAction.RESTORE, 6),
        (FAILED, 6, 8, 6, UndoAction.NOT_APPLIED, 6),
        # never sent: nothing to undo, whatever the item holds now
        (NOT_APPLIED, 6, 8, 8, UndoAction.NOT_APPLIED, 8),
        (NOT_APPLIED, 6, 8, 6, UndoAction.NOT_APPLIED, 6),
    ],
)
def test_plan_undo_write(
    state: WriteState,
    before: int | None,
    after: int | None,
    current: int | None,
    action: UndoAction,
    value: int | None,
) -> None:
    decision = plan_undo_write(state=state, before=before, after=after, current=current)
    assert (decision.action, decision.value) == (action, value)


def test_plan_undo_write_compares_any_value_and_says_why() -> None:
    before, after = ("k1", "k2"), ("k2", "k1")
    restore = plan_undo_write(state=DONE, before=before, after=after, current=after)
    assert restore.action is UndoAction.RESTORE and restore.value == before
    missing = plan_undo_write(state=PENDING, before=None, after=after, current=None)
    assert missing.action is UndoAction.NOT_APPLIED
    assert missing.reason == "not applied: still None (the write never happened)"
    changed = plan_undo_write(state=DONE, before=1, after=2, current=3, describe=lambda v: f"<{v}>")
    assert changed.reason == "changed since the job wrote <2>: now <3>, left alone"


def _between(before: tuple[str, ...], after: tuple[str, ...], current: tuple[str, ...]) -> bool:
    """A toy half-done test: only entries the two ends hold."""
    return set(current) <= set(before) | set(after)


@pytest.mark.parametrize(
    ("state", "current", "action", "value"),
    [
        # a multi-step write cut halfway by a crash: put back what was there
        (PENDING, ("k2", "k3"), UndoAction.RESTORE_PARTIAL, ("k1", "k2")),
        (FAILED, ("k2",), UndoAction.RESTORE_PARTIAL, ("k1", "k2")),
        # something neither end held: a person's change since, left alone
        (PENDING, ("k9",), UndoAction.CHANGED_SINCE, ("k9",)),
        # a verified write was whole: anything else is a change since
        (DONE, ("k2", "k3"), UndoAction.CHANGED_SINCE, ("k2", "k3")),
        # the two ends themselves keep their meaning
        (PENDING, ("k2", "k3", "k1"), UndoAction.RESTORE, ("k1", "k2")),
        (PENDING, ("k1", "k2"), UndoAction.NOT_APPLIED, ("k1", "k2")),
    ],
)
def test_plan_undo_write_puts_back_a_half_done_write(
    state: WriteState, current: tuple[str, ...], action: UndoAction, value: tuple[str, ...]
) -> None:
    decision = plan_undo_write(
        state=state,
        before=("k1", "k2"),
        after=("k2", "k3", "k1"),
        current=current,
        partial=_between,
    )
    assert (decision.action, decision.value) == (action, value)
