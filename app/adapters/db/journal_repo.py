"""The ratings journal: every write a run makes (write-ahead, then settled), for undo and for
telling a run's own echo from a user's change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlmodel import col

from app.adapters.db.bulk import insert_many
from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import Job, utc_now
from app.adapters.db.sync_models import JournalEntry
from app.adapters.db.sync_rows import BULK_CHUNK, chunks, set_baselines_in, table_of
from app.domain.journal import WriteState
from app.domain.ratings.records import JournalRecord, NewJournalEntry, SettledWrite


def _journal(row: JournalEntry) -> JournalRecord:
    assert row.id is not None
    return JournalRecord(
        id=row.id,
        job_id=row.job_id,
        track_link_id=row.track_link_id,
        side=row.side,
        item_key=row.item_key,
        before=row.before,
        after=row.after,
        baseline_known_before=row.baseline_known_before,
        baseline_before=row.baseline_before,
        undone_by_job_id=row.undone_by_job_id,
        state=row.state,
        baseline_after=row.baseline_after,
    )


class JournalStore:
    """The journal aggregate of :class:`~app.adapters.db.sync_repo.SyncRepository`."""

    _sessions: SessionFactory

    def add_journal(self, job_id: int, entries: Sequence[NewJournalEntry]) -> None:
        if not entries:
            return
        now = utc_now()
        with self._sessions() as session:
            insert_many(
                session.connection(),
                table_of(JournalEntry),
                (
                    "track_link_id",
                    "side",
                    "item_key",
                    "before",
                    "after",
                    "baseline_known_before",
                    "baseline_before",
                    "state",
                    "baseline_after",
                    "settled_at",
                ),
                (
                    (
                        e.track_link_id,
                        e.side,
                        e.item_key,
                        e.before,
                        e.after,
                        e.baseline_known_before,
                        e.baseline_before,
                        e.state,
                        e.baseline_after,
                        None if e.state == WriteState.PENDING else now,
                    )
                    for e in entries
                ),
                constants={"job_id": job_id, "created_at": now, "undone_by_job_id": None},
            )
            session.commit()

    def settle_journal(self, job_id: int, settled: Sequence[SettledWrite], *, at: datetime) -> None:
        """Settle job ``job_id``'s journaled writes and record the baselines of the verified
        ones, in one transaction: a crash leaves both or neither."""
        if not settled:
            return
        journal = table_of(JournalEntry)
        statement = (
            journal.update()
            .where(journal.c.job_id == bindparam("b_job_id"))
            .where(journal.c.side == bindparam("b_side"))
            .where(journal.c.item_key == bindparam("b_item_key"))
            .where(journal.c.state == WriteState.PENDING)
            .values(
                state=bindparam("b_state"),
                after=bindparam("b_after"),
                settled_at=bindparam("b_settled_at"),
            )
        )
        rows = [
            {
                "b_job_id": job_id,
                "b_side": write.side,
                "b_item_key": write.item_key,
                "b_state": write.state,
                "b_after": write.after,
                "b_settled_at": at,
            }
            for write in settled
        ]
        baselines = [
            (w.track_link_id, w.baseline)
            for w in settled
            if w.record_baseline and w.track_link_id is not None
        ]
        held = {
            w.track_link_id: w.held
            for w in settled
            if w.record_baseline and w.track_link_id is not None and w.held != (None, None)
        }
        with self._sessions() as session:
            for chunk in chunks(rows, BULK_CHUNK):
                session.connection().execute(statement, list(chunk))
            set_baselines_in(session, baselines, at=at, held=held)
            session.commit()

    def unsettled_journal(self, link_id: int, *, except_job_id: int | None) -> list[JournalRecord]:
        """The ``pending`` entries of other jobs of the link: writes of a job that died
        between journaling them and settling them (jobs of a link run one at a time)."""
        query = (
            select(JournalEntry)
            .join(Job, col(Job.id) == col(JournalEntry.job_id))
            .where(col(Job.link_id) == link_id)
            .where(col(JournalEntry.state) == WriteState.PENDING)
            .order_by(col(JournalEntry.id))
        )
        if except_job_id is not None:
            query = query.where(col(JournalEntry.job_id) != except_job_id)
        with self._sessions() as session:
            return [_journal(row) for row in session.scalars(query)]

    def settle_entries(
        self, settled: Sequence[tuple[JournalRecord, SettledWrite]], *, at: datetime
    ) -> None:
        """Settle entries of other jobs (reconciling after a crash), with their baselines."""
        by_job: dict[int, list[SettledWrite]] = {}
        for record, write in settled:
            by_job.setdefault(record.job_id, []).append(write)
        for job_id, writes in by_job.items():
            self.settle_journal(job_id, writes, at=at)

    def echo_of(
        self, sides: Sequence[tuple[int, str]], item_key: str, after: int | None, *, since: datetime
    ) -> int | None:
        """The newest job that wrote ``after`` to ``item_key`` on one of ``sides`` (``(link
        id, side)``) since ``since``, pending or done; None if none did."""
        if not sides:
            return None
        value = (
            col(JournalEntry.after).is_(None) if after is None else col(JournalEntry.after) == after
        )
        query = (
            select(col(JournalEntry.job_id), col(Job.link_id), col(JournalEntry.side))
            .join(Job, col(Job.id) == col(JournalEntry.job_id))
            .where(col(JournalEntry.item_key) == item_key)
            .where(col(JournalEntry.created_at) >= since)
            .where(col(JournalEntry.state).in_((WriteState.PENDING, WriteState.DONE)))
            .where(value)
            .order_by(col(JournalEntry.id).desc())
        )
        wanted = set(sides)
        with self._sessions() as session:
            for job_id, link_id, side in session.execute(query):
                if (link_id, side) in wanted:
                    return int(job_id)
        return None

    def journal(self, job_id: int) -> list[JournalRecord]:
        query = (
            select(JournalEntry)
            .where(col(JournalEntry.job_id) == job_id)
            .order_by(col(JournalEntry.id).desc())
        )
        with self._sessions() as session:
            return [_journal(row) for row in session.scalars(query)]

    def mark_undone(self, journal_ids: Sequence[int], *, by_job_id: int) -> None:
        with self._sessions() as session:
            for chunk in chunks(journal_ids):
                session.execute(
                    update(JournalEntry)
                    .where(col(JournalEntry.id).in_(chunk))
                    .values(undone_by_job_id=by_job_id)
                )
            session.commit()
