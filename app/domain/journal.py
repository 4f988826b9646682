"""The write-ahead journal's decisions (pure): what a crash left, and what undo does.

Every write a job makes (a tag, a Plex rating, a playlist) is journaled *before* it touches
the file or the server, as ``pending`` with the value it was to hold before (``before``) and
after (``after``); once the write is verified the entry is settled: ``done`` (``after`` is
then the value a re-read showed), ``failed`` (the write raised: it may or may not have
changed the item) or ``not_applied`` (it was never sent). A process killed between the two
leaves ``pending`` entries: whether their write happened is read from the item itself.

- :func:`plan_reconcile`: the next run of the link settles a dead job's pending entry from
  what the item holds now;
- :func:`plan_undo_write`: undo of one entry, whatever its state.

Both work on any value type compared with ``==`` (a rating, a playlist's content).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

_V = TypeVar("_V")


class WriteState(StrEnum):
    """A journaled write's state."""

    PENDING = "pending"  # journaled, not yet verified (or the process died meanwhile)
    DONE = "done"  # verified; ``after`` is what the re-read showed
    FAILED = "failed"  # the write raised; the item may hold anything
    NOT_APPLIED = "not_applied"  # never sent, or a crash came before it

    @property
    def settled(self) -> bool:
        return self is not WriteState.PENDING


class ReconcileAction(StrEnum):
    APPLIED = "applied"  # the item holds ``after``: the write happened
    NOT_APPLIED = "not_applied"  # the item holds ``before``: it did not
    CHANGED_SINCE = "changed_since"  # neither: changed by someone else since


@dataclass(frozen=True, slots=True)
class ReconcileDecision:
    """``applied``: settle as done and record the baseline the crashed run would have
    recorded. ``not_applied``: settle as not applied (the run plans the pair again).
    ``changed_since``: settle as failed and leave the pair to the run's merge."""

    action: ReconcileAction
    state: WriteState
    reason: str


def plan_reconcile(*, before: _V, after: _V, current: _V) -> ReconcileDecision:
    """Settle a dead job's ``pending`` entry (``before`` -> ``after``) from the item's
    ``current`` value. ``after`` wins when ``before == after`` (nothing to tell apart)."""
    if current == after:
        return ReconcileDecision(
            ReconcileAction.APPLIED, WriteState.DONE, "the write happened before the crash"
        )
    if current == before:
        return ReconcileDecision(
            ReconcileAction.NOT_APPLIED,
            WriteState.NOT_APPLIED,
            "the crash came before the write",
        )
    return ReconcileDecision(
        ReconcileAction.CHANGED_SINCE,
        WriteState.FAILED,
        "changed since the crash: neither the value before nor the one being written",
    )


class UndoAction(StrEnum):
    RESTORE = "restore"
    RESTORE_PARTIAL = "restore_partial"  # a half-done write of a job that died: put back
    ALREADY_RESTORED = "already_restored"
    NOT_APPLIED = "not_applied"
    CHANGED_SINCE = "changed_since"


@dataclass(frozen=True, slots=True)
class UndoDecision(Generic[_V]):
    """``restore``: write ``value`` (the journaled ``before``). ``already_restored``: the item
    holds ``before`` already (a verified write undone by hand). ``not_applied``: the write
    never happened (a crash before it, or never sent): nothing to undo. ``changed_since``: the
    item changed after the job wrote it; leave it alone. ``reason`` says which for events."""

    action: UndoAction
    value: _V
    reason: str


def _plain(value: object) -> str:
    return str(value)


def _never_partial(before: object, after: object, current: object) -> bool:
    return False


def plan_undo_write(
    *,
    state: WriteState,
    before: _V,
    after: _V,
    current: _V,
    describe: Callable[[_V], str] = _plain,
    partial: Callable[[_V, _V, _V], bool] = _never_partial,
) -> UndoDecision[_V]:
    """Plan undoing one journaled write (``before`` -> ``after``, in ``state``) given what
    the item holds now.

    The write is undone only if the item still holds what the job wrote (a value that
    differs was changed since, by a person or a later job, and wins). A write that was never
    verified (pending after a crash, failed) happened if the item holds ``after``, did not if
    it holds ``before``. One never sent is not applied whatever the item holds.

    A write that takes several requests (a Plex playlist's rows removed, added and moved one
    by one) can be cut halfway by a crash: ``partial(before, after, current)`` says whether
    ``current`` is such a half-done state (made only of what ``before`` and ``after`` hold).
    An unverified entry (pending, or failed: a request in the middle may have raised) in that
    state is put back to ``before``; a verified one never is (its write was whole, so anything
    else is a change made since).
    """
    if state is WriteState.NOT_APPLIED:
        return UndoDecision(UndoAction.NOT_APPLIED, current, "not applied: nothing to undo")
    if current == before:
        if state is WriteState.DONE:
            return UndoDecision(
                UndoAction.ALREADY_RESTORED,
                before,
                f"already {describe(before)}: nothing to undo",
            )
        return UndoDecision(
            UndoAction.NOT_APPLIED,
            before,
            f"not applied: still {describe(before)} (the write never happened)",
        )
    if current != after and state is not WriteState.DONE and partial(before, after, current):
        return UndoDecision(
            UndoAction.RESTORE_PARTIAL,
            before,
            f"half-written when the job ended ({describe(current)}): restore {describe(before)}",
        )
    if current != after:
        return UndoDecision(
            UndoAction.CHANGED_SINCE,
            current,
            f"changed since the job wrote {describe(after)}: now {describe(current)}, left alone",
        )
    return UndoDecision(
        UndoAction.RESTORE, before, f"restore {describe(after)} -> {describe(before)}"
    )
