"""Undo of a ratings job: every value it wrote restored, unless it changed again since.

Pending entries of a job that died are restored when the item holds what was being written,
reported ``not_applied`` when it still holds the value before (``app.domain.journal``). Undo
sticks: an undone pair's baseline stays what the run agreed on and the restored side *holds*
the restored value, so later runs leave the pair as it is until a side changes again. The
undo's own writes are journaled ahead like a run's, so undoing an undo job redoes the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from app.domain.errors import CrossfadeError
from app.domain.jobs import EventLevel
from app.domain.journal import WriteState
from app.domain.links import Side
from app.domain.ratings.merge import UndoAction, format_rating, plan_undo
from app.domain.ratings.records import JournalRecord, NewJournalEntry, SettledWrite
from app.domain.ratings.value import Rating
from app.services.ports import RatingsRepositoryPort, RatingWrite, Reporter
from app.services.ratings.run.concurrency import SyncSides
from app.services.ratings.run.journal import settled_undo
from app.services.ratings.run.values import (
    RatingsEvent,
    RunPhase,
    SyncSummary,
    to_half_stars,
    to_rating,
)


class RatingsUndo:
    """Undoes the journaled writes of one job of a ratings link."""

    def __init__(self, repository: RatingsRepositoryPort, *, now: Callable[[], datetime]) -> None:
        self._repository = repository
        self._now = now

    def undo(
        self, *, undo_job_id: int, sides: SyncSides, job_id: int, reporter: Reporter
    ) -> SyncSummary:
        """Restore every value job ``undo_job_id`` wrote, unless it changed again since.

        Pending entries of a job that died are restored when the item holds what was being
        written, reported ``not_applied`` when it still holds the value before. The undone
        pairs stay as they are on later runs until a side changes again: their baseline is
        what the job's run agreed on and the restored side *holds* the restored value. The
        undo's own writes are journaled ahead like a run's, so undoing this job redoes it.
        """
        summary = SyncSummary()
        entries = [e for e in self._repository.journal(undo_job_id) if e.undone_by_job_id is None]
        if not entries:
            reporter.event(
                RatingsEvent.NOTHING_TO_UNDO, f"job {undo_job_id}", detail="no journaled writes"
            )
        undone: list[int] = []
        restores: list[tuple[JournalRecord, Rating | None]] = []
        for done, entry in enumerate(entries):
            reporter.check_cancelled()
            reporter.progress(RunPhase.UNDOING, done, len(entries))
            try:
                current = sides.side(Side(entry.side)).read(entry.item_key)
            except CrossfadeError as error:
                summary.errors += 1
                reporter.event(
                    RatingsEvent.ERROR,
                    entry.item_key,
                    level=EventLevel.ERROR,
                    detail=f"{error.code}: {error}",
                )
                continue
            decision = plan_undo(
                before=to_rating(entry.before),
                after=to_rating(entry.after),
                current=current,
                state=WriteState(entry.state),
            )
            if decision.action is UndoAction.CHANGED_SINCE:
                summary.skipped += 1
                reporter.event(
                    RatingsEvent.CHANGED_SINCE,
                    entry.item_key,
                    level=EventLevel.WARNING,
                    detail=decision.reason,
                )
            elif decision.action is UndoAction.RESTORE:
                restores.append((entry, current))
            else:
                if decision.action is UndoAction.NOT_APPLIED:
                    summary.skipped += 1
                    reporter.event(RatingsEvent.NOT_APPLIED, entry.item_key, detail=decision.reason)
                undone.append(entry.id)
        undone.extend(self._restore(restores, sides, job_id, reporter, summary))
        self._repository.mark_undone(undone, by_job_id=job_id)
        restored = summary.written_a + summary.written_b
        if restored:
            reporter.event(
                RatingsEvent.UNDO_STICKS,
                f"job {undo_job_id}",
                detail=f"{restored} restored pair{'s' if restored != 1 else ''} left as is "
                f"until a side changes; undo job {job_id} to redo",
            )
        reporter.progress(RunPhase.UNDOING, len(entries), len(entries))
        return summary

    def _restore(
        self,
        restores: Sequence[tuple[JournalRecord, Rating | None]],
        sides: SyncSides,
        job_id: int,
        reporter: Reporter,
        summary: SyncSummary,
    ) -> list[int]:
        """Write back the ``before`` of each entry (journaled ahead); the ids restored."""
        undone: list[int] = []
        now = self._now()
        for which in (Side.A, Side.B):
            mine = [(e, current) for e, current in restores if e.side == which.value]
            if not mine:
                continue
            self._repository.add_journal(
                job_id,
                [
                    NewJournalEntry(
                        track_link_id=entry.track_link_id,
                        side=entry.side,
                        item_key=entry.item_key,
                        before=to_half_stars(current),
                        after=entry.before,
                        baseline_known_before=True,
                        baseline_before=entry.baseline_after,
                        state=WriteState.PENDING.value,
                        baseline_after=entry.baseline_after,
                    )
                    for entry, current in mine
                ],
            )
            outcomes = list(
                sides.side(which).write_many(
                    [RatingWrite(e.item_key, to_rating(e.before)) for e, _ in mine]
                )
            )
            settled: list[SettledWrite] = []
            for index, (entry, current) in enumerate(mine):
                written = outcomes[index] if index < len(outcomes) else None
                if index >= len(outcomes) or isinstance(written, CrossfadeError):
                    state = WriteState.FAILED if index < len(outcomes) else WriteState.NOT_APPLIED
                    settled.append(settled_undo(entry, state, entry.before))
                    if isinstance(written, CrossfadeError):
                        summary.errors += 1
                        reporter.event(
                            RatingsEvent.ERROR,
                            entry.item_key,
                            level=EventLevel.ERROR,
                            detail=f"{written.code}: {written}",
                        )
                    continue
                assert not isinstance(written, CrossfadeError)
                settled.append(settled_undo(entry, WriteState.DONE, to_half_stars(written)))
                undone.append(entry.id)
                summary.count_write(which)
                reporter.event(
                    RatingsEvent.write_on(which),
                    entry.item_key,
                    before=format_rating(current),
                    after=format_rating(written),
                    detail=f"{_restore_reason(entry, current)}; left as is until a side changes",
                )
            self._repository.settle_journal(job_id, settled, at=now)
        return undone


def _restore_reason(entry: JournalRecord, current: Rating | None) -> str:
    return plan_undo(
        before=to_rating(entry.before), after=to_rating(entry.after), current=current
    ).reason
