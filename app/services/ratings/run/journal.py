"""The write-ahead journal of the ratings sync: writes journaled before they are sent,
settled after, and what a dead job left settled by the next run.

:class:`WriteJournal` journals a batch of a run's writes ``pending`` (committed) before the
batch is sent and settles it once its outcomes are known: verified writes with their pairs'
baselines, in one transaction. A process killed midway leaves ``pending`` entries;
:func:`reconcile` settles them from what each item holds now
(``app.domain.journal.plan_reconcile``) and records the baselines the dead run would have
recorded, so its writes raise no false conflict. :func:`settled_undo` settles an undo's write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from app.domain.errors import CrossfadeError
from app.domain.jobs import EventLevel
from app.domain.journal import ReconcileAction, WriteState, plan_reconcile
from app.domain.links import Side
from app.domain.ratings.merge import format_rating
from app.domain.ratings.records import JournalRecord, NewJournalEntry, SettledWrite
from app.services.ports import RatingsRepositoryPort, Reporter, SideItem, Written
from app.services.ratings.run.values import (
    PlannedPair,
    RatingsEvent,
    held_value,
    to_half_stars,
    to_rating,
)


class JournaledWrites(Protocol):
    """A run's planned writes as the journal reads them, by position: the pair, the side
    written, the outcome (the rating a re-read shows, or the error) and whether it was sent."""

    @property
    def pairs(self) -> Sequence[PlannedPair]: ...

    @property
    def targets(self) -> Sequence[Side]: ...

    @property
    def outcomes(self) -> Sequence[Written]: ...

    @property
    def attempted(self) -> Sequence[bool]: ...

    def item(self, index: int) -> SideItem: ...


class WriteJournal:
    """The write-ahead journal of one run's writes: :meth:`pending` before a batch is sent,
    :meth:`settle` once its outcomes are known (verified writes with their pairs' baselines,
    in one transaction). Without a job (``job_id`` None) only the baselines are recorded."""

    def __init__(self, repository: RatingsRepositoryPort, job_id: int | None, at: datetime) -> None:
        self._repository = repository
        self._job_id = job_id
        self._at = at

    def pending(self, writes: JournaledWrites, indexes: Sequence[int]) -> None:
        if self._job_id is None:
            return
        entries = []
        for index in indexes:
            pair, item = writes.pairs[index], writes.item(index)
            value = to_half_stars(pair.decision.value)
            entries.append(
                NewJournalEntry(
                    track_link_id=pair.track_link_id,
                    side=writes.targets[index].value,
                    item_key=item.key,
                    before=to_half_stars(item.rating),
                    after=value,
                    baseline_known_before=pair.baseline_known,
                    baseline_before=pair.baseline_rating,
                    state=WriteState.PENDING.value,
                    baseline_after=value,
                )
            )
        self._repository.add_journal(self._job_id, entries)

    def settle(self, writes: JournaledWrites, indexes: Sequence[int]) -> None:
        settled = []
        for index in indexes:
            pair, target = writes.pairs[index], writes.targets[index]
            planned = to_half_stars(pair.decision.value)
            written = writes.outcomes[index]
            if not writes.attempted[index]:
                # Never answered: unsent after a cancellation, or lost with an error midway
                # (it may have been sent). It stays pending: the next run of the link or an
                # undo tells from the item itself whether it happened.
                continue
            if isinstance(written, CrossfadeError):
                state, after = WriteState.FAILED, planned
            else:
                state, after = WriteState.DONE, to_half_stars(written)
            held: tuple[int | None, int | None] = (None, None)
            if state is WriteState.DONE and after != planned:
                kept = held_value(to_rating(after))  # a lossy write: the side holds what it can
                held = (kept, None) if target is Side.A else (None, kept)
            settled.append(
                SettledWrite(
                    side=target.value,
                    item_key=writes.item(index).key,
                    state=state.value,
                    after=after,
                    track_link_id=pair.track_link_id,
                    baseline=planned,
                    record_baseline=state is WriteState.DONE,
                    held=held,
                )
            )
        if self._job_id is not None:
            self._repository.settle_journal(self._job_id, settled, at=self._at)
            return
        baselines = [
            (w.track_link_id, w.baseline)
            for w in settled
            if w.record_baseline and w.track_link_id is not None
        ]
        held_by_pair = {
            w.track_link_id: w.held
            for w in settled
            if w.record_baseline and w.track_link_id is not None and w.held != (None, None)
        }
        self._repository.set_baselines(baselines, at=self._at, held=held_by_pair)


def _held_on(side: str, value: int | None) -> tuple[int | None, int | None]:
    """``(a_held, b_held)`` with ``value`` held on ``side`` (0 for unrated)."""
    kept = 0 if value is None else value
    return (kept, None) if side == Side.A.value else (None, kept)


def _settled(entry: JournalRecord, state: WriteState, current: int | None) -> SettledWrite:
    """A dead job's entry settled from what the item holds (``current``): a write that
    happened records the baseline it was made for, with the side's held value when the item
    holds something else than that baseline (an undo's write, a lossy one)."""
    applied = state is WriteState.DONE
    held: tuple[int | None, int | None] = (None, None)
    if applied and current != entry.baseline_after:
        held = _held_on(entry.side, current)
    return SettledWrite(
        side=entry.side,
        item_key=entry.item_key,
        state=state.value,
        after=current if applied else entry.after,
        track_link_id=entry.track_link_id,
        baseline=entry.baseline_after,
        record_baseline=applied,
        held=held,
    )


def settled_undo(entry: JournalRecord, state: WriteState, written: int | None) -> SettledWrite:
    """An undo's write of ``entry.before`` settled: once verified, the pair's baseline stays
    what the undone run agreed on and the restored side holds what undo wrote (undo sticks)."""
    done = state is WriteState.DONE
    held: tuple[int | None, int | None] = (None, None)
    if done and written != entry.baseline_after:
        held = _held_on(entry.side, written)
    return SettledWrite(
        side=entry.side,
        item_key=entry.item_key,
        state=state.value,
        after=written,
        track_link_id=entry.track_link_id,
        baseline=entry.baseline_after,
        record_baseline=done,
        held=held,
    )


def reconcile(
    repository: RatingsRepositoryPort,
    link_id: int,
    read: Callable[[Side, str], int | None],
    job_id: int | None,
    reporter: Reporter,
    now: Callable[[], datetime],
) -> None:
    """Settle the ``pending`` journal entries a dead job of the link left, from what each
    item holds now, and record the baselines its verified writes would have recorded."""
    entries = repository.unsettled_journal(link_id, except_job_id=job_id)
    settled: list[tuple[JournalRecord, SettledWrite]] = []
    for entry in entries:
        reporter.check_cancelled()
        which = Side(entry.side)
        try:
            current = read(which, entry.item_key)
        except CrossfadeError as error:
            reporter.event(
                RatingsEvent.RECONCILED,
                entry.item_key,
                level=EventLevel.WARNING,
                detail=f"job {entry.job_id} died while writing it; unreadable now "
                f"({error.code}: {error}): settled as failed",
            )
            settled.append((entry, _settled(entry, WriteState.FAILED, entry.after)))
            continue
        decision = plan_reconcile(before=entry.before, after=entry.after, current=current)
        settled.append((entry, _settled(entry, decision.state, current)))
        reporter.event(
            RatingsEvent.RECONCILED,
            entry.item_key,
            level=EventLevel.INFO
            if decision.action is not ReconcileAction.CHANGED_SINCE
            else EventLevel.WARNING,
            before=format_rating(to_rating(entry.before)),
            after=format_rating(to_rating(current)),
            detail=f"job {entry.job_id} died while writing it: {decision.reason}",
        )
    if settled:
        repository.settle_entries(settled, at=now())
