"""The job repository: every read and write of ``job`` and ``job_event`` rows.

Each method is one short transaction. State changes are conditional updates (``WHERE status =
...``), so two processes racing for the same job cannot both win; the unique
``active_lock_key`` makes "one active job per lock key" hold under concurrent creates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import Job, JobEvent
from app.domain.errors import AlreadyRunning, NotFound, StateConflict
from app.domain.jobs import (
    ACTIVE_STATUSES,
    EventLevel,
    JobEventRecord,
    JobRecord,
    JobStatus,
    JobTrigger,
    NewJobEvent,
    Page,
)
from app.domain.names import display_form

_ACTIVE = [status.value for status in ACTIVE_STATUSES]


def job_record(row: Job) -> JobRecord:
    assert row.id is not None
    return JobRecord(
        id=row.id,
        kind=row.kind,
        link_id=row.link_id,
        params=dict(row.params),
        dry_run=row.dry_run,
        status=JobStatus(row.status),
        phase=row.phase,
        done=row.done,
        total=row.total,
        rate_per_s=row.rate_per_s,
        eta_s=row.eta_s,
        counters={str(k): int(v) for k, v in row.counters.items()},
        trigger=JobTrigger(row.trigger),
        lock_key=row.lock_key,
        error=row.error,
        cancel_requested=row.cancel_requested,
        runner_id=row.runner_id,
        heartbeat_at=row.heartbeat_at,
        attempt=row.attempt,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        updated_at=row.updated_at,
        problems=row.problems,
    )


def event_record(row: JobEvent) -> JobEventRecord:
    assert row.id is not None
    return JobEventRecord(
        id=row.id,
        job_id=row.job_id,
        seq=row.seq,
        created_at=row.created_at,
        level=EventLevel(row.level),
        action=row.action,
        subject=row.subject,
        before=row.before,
        after=row.after,
        detail=row.detail,
    )


class JobRepository:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    # -- creating and reading -------------------------------------------------------------

    def insert(
        self,
        *,
        kind: str,
        params: dict[str, Any],
        dry_run: bool,
        trigger: JobTrigger,
        lock_key: str,
        now: datetime,
        link_id: int | None = None,
    ) -> JobRecord:
        """A new queued job; :class:`AlreadyRunning` if an active job holds ``lock_key``."""
        for _ in range(3):
            row = Job(
                kind=kind,
                link_id=link_id,
                params=params,
                dry_run=dry_run,
                status=JobStatus.QUEUED.value,
                trigger=trigger.value,
                lock_key=lock_key,
                active_lock_key=lock_key,
                created_at=now,
                updated_at=now,
            )
            with self._sessions() as session:
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                else:
                    return job_record(row)
            holder = self.active_holder(lock_key)
            if holder is not None:
                raise AlreadyRunning(
                    f"job {holder} is already {self._status_word(holder)} for {lock_key}",
                    job_id=holder,
                )
        raise StateConflict(f"could not create a job for {lock_key}: lock key kept changing")

    def _status_word(self, job_id: int) -> str:
        with self._sessions() as session:
            status = session.scalar(select(col(Job.status)).where(col(Job.id) == job_id))
        return status or "active"

    def active_holder(self, lock_key: str) -> int | None:
        with self._sessions() as session:
            return session.scalar(select(col(Job.id)).where(col(Job.active_lock_key) == lock_key))

    def get(self, job_id: int) -> JobRecord:
        with self._sessions() as session:
            row = session.get(Job, job_id)
            if row is None:
                raise NotFound(f"job {job_id} does not exist")
            return job_record(row)

    def page(
        self,
        *,
        statuses: Sequence[JobStatus] = (),
        kind: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[JobRecord]:
        conditions: list[ColumnElement[bool]] = []
        if statuses:
            conditions.append(col(Job.status).in_([s.value for s in statuses]))
        if kind:
            conditions.append(col(Job.kind) == kind)
        where = and_(*conditions) if conditions else None
        with self._sessions() as session:
            query = select(Job).order_by(col(Job.id).desc()).limit(limit).offset(offset)
            count = select(func.count()).select_from(Job)
            if where is not None:
                query = query.where(where)
                count = count.where(where)
            rows = session.scalars(query).all()
            total = session.scalar(count) or 0
        return Page(items=[job_record(r) for r in rows], total=total, limit=limit, offset=offset)

    def ids_with_status(self, status: JobStatus) -> list[int]:
        with self._sessions() as session:
            query = select(col(Job.id)).where(col(Job.status) == status.value).order_by(col(Job.id))
            return [job_id for job_id in session.scalars(query) if job_id is not None]

    def count_by_status(self) -> dict[JobStatus, int]:
        with self._sessions() as session:
            rows = session.execute(
                select(col(Job.status), func.count()).group_by(col(Job.status))
            ).all()
        counts = dict.fromkeys(JobStatus, 0)
        for status, count in rows:
            counts[JobStatus(status)] = int(count)
        return counts

    # -- running --------------------------------------------------------------------------

    def claim(self, job_id: int, *, runner_id: str, now: datetime) -> JobRecord | None:
        """Queued -> running for ``runner_id``; ``None`` if the job was not queued."""
        with self._sessions() as session:
            result = session.execute(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.status) == JobStatus.QUEUED.value)
                .values(
                    status=JobStatus.RUNNING.value,
                    runner_id=runner_id,
                    heartbeat_at=now,
                    started_at=now,
                    updated_at=now,
                    attempt=col(Job.attempt) + 1,
                )
            )
            session.commit()
            claimed = _rowcount(result) == 1
        return self.get(job_id) if claimed else None

    def write_progress(
        self,
        job_id: int,
        *,
        runner_id: str,
        phase: str | None,
        done: int,
        total: int | None,
        rate_per_s: float | None,
        eta_s: float | None,
        counters: dict[str, int],
        now: datetime,
        problems: int | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "phase": phase,
            "done": done,
            "total": total,
            "rate_per_s": rate_per_s,
            "eta_s": eta_s,
            "counters": dict(counters),
            "heartbeat_at": now,
            "updated_at": now,
        }
        if problems is not None:
            values["problems"] = problems
        with self._sessions() as session:
            session.execute(update(Job).where(*self._owned(job_id, runner_id)).values(**values))
            session.commit()

    def append_events(
        self, job_id: int, first_seq: int, events: Sequence[NewJobEvent], *, now: datetime
    ) -> None:
        """Store ``events`` from ``first_seq`` on. Their texts are stored in their display form
        (``app.domain.names.display_form``): a file name that is not valid UTF-8 shows as
        ``Caf\\xe9.flac``, a control character as ``\\n``; every event can be stored."""
        if not events:
            return
        rows = [
            {
                "job_id": job_id,
                "seq": first_seq + offset,
                "created_at": now,
                "level": event.level.value,
                "action": display_form(event.action),
                "subject": display_form(event.subject),
                "before": _shown(event.before),
                "after": _shown(event.after),
                "detail": _shown(event.detail),
            }
            for offset, event in enumerate(events)
        ]
        with self._sessions() as session:
            session.execute(insert(JobEvent), rows)
            session.commit()

    def last_event_seq(self, job_id: int) -> int:
        with self._sessions() as session:
            value = session.scalar(
                select(func.max(col(JobEvent.seq))).where(col(JobEvent.job_id) == job_id)
            )
        return int(value or 0)

    def is_cancel_requested(self, job_id: int) -> bool:
        with self._sessions() as session:
            value = session.scalar(select(col(Job.cancel_requested)).where(col(Job.id) == job_id))
        return bool(value)

    def finish(
        self,
        job_id: int,
        *,
        runner_id: str,
        status: JobStatus,
        error: str | None,
        now: datetime,
        problems: int | None = None,
    ) -> bool:
        """Running -> ``status`` if ``runner_id`` still owns the job; releases the lock key.
        ``error`` is stored in its display form; ``problems`` (when given) is the final count."""
        values: dict[str, Any] = {
            "status": status.value,
            "error": _shown(error),
            "finished_at": now,
            "updated_at": now,
            "active_lock_key": None,
            "rate_per_s": None,
            "eta_s": None,
        }
        if problems is not None:
            values["problems"] = problems
        with self._sessions() as session:
            result = session.execute(
                update(Job).where(*self._owned(job_id, runner_id)).values(**values)
            )
            session.commit()
            return _rowcount(result) == 1

    def fail_unclaimed(self, job_id: int, *, error: str, now: datetime) -> bool:
        """Queued -> failed without running (for example an unknown kind)."""
        return self._close_queued(job_id, JobStatus.FAILED, error, now)

    def request_cancel(self, job_id: int, *, now: datetime) -> JobRecord:
        """A queued job is cancelled at once; a running one is asked to stop between items."""
        if self._close_queued(job_id, JobStatus.CANCELLED, None, now):
            return self.get(job_id)
        with self._sessions() as session:
            result = session.execute(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.status) == JobStatus.RUNNING.value)
                .values(cancel_requested=True, updated_at=now)
            )
            session.commit()
            changed = _rowcount(result) == 1
        job = self.get(job_id)
        if not changed and job.status.is_finished:
            raise StateConflict(f"job {job_id} is already {job.status.value}")
        return job

    def _close_queued(
        self, job_id: int, status: JobStatus, error: str | None, now: datetime
    ) -> bool:
        with self._sessions() as session:
            result = session.execute(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.status) == JobStatus.QUEUED.value)
                .values(
                    status=status.value,
                    error=_shown(error),
                    finished_at=now,
                    updated_at=now,
                    active_lock_key=None,
                    cancel_requested=status is JobStatus.CANCELLED,
                )
            )
            session.commit()
            return _rowcount(result) == 1

    # -- liveness -------------------------------------------------------------------------

    def heartbeat(self, job_ids: Iterable[int], *, runner_id: str, now: datetime) -> None:
        ids = list(job_ids)
        if not ids:
            return
        with self._sessions() as session:
            session.execute(
                update(Job)
                .where(
                    col(Job.id).in_(ids),
                    col(Job.runner_id) == runner_id,
                    col(Job.status) == JobStatus.RUNNING.value,
                )
                .values(heartbeat_at=now)
            )
            session.commit()

    def running(self) -> list[JobRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Job).where(col(Job.status) == JobStatus.RUNNING.value).order_by(col(Job.id))
            ).all()
        return [job_record(r) for r in rows]

    def interrupt(self, job_id: int, *, runner_id: str | None, reason: str, now: datetime) -> bool:
        """Running (by ``runner_id``) -> interrupted; False if it changed hands or finished."""
        with self._sessions() as session:
            condition = [col(Job.id) == job_id, col(Job.status) == JobStatus.RUNNING.value]
            if runner_id is None:
                condition.append(col(Job.runner_id).is_(None))
            else:
                condition.append(col(Job.runner_id) == runner_id)
            result = session.execute(
                update(Job)
                .where(*condition)
                .values(
                    status=JobStatus.INTERRUPTED.value,
                    error=reason,
                    finished_at=now,
                    updated_at=now,
                    active_lock_key=None,
                    rate_per_s=None,
                    eta_s=None,
                )
            )
            session.commit()
            return _rowcount(result) == 1

    def stale_running(self, *, older_than: datetime) -> list[JobRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Job).where(
                    col(Job.status) == JobStatus.RUNNING.value,
                    col(Job.heartbeat_at) < older_than,
                )
            ).all()
        return [job_record(r) for r in rows]

    # -- events ---------------------------------------------------------------------------

    def events(
        self,
        job_id: int,
        *,
        actions: Sequence[str] = (),
        levels: Sequence[EventLevel] = (),
        limit: int = 100,
        offset: int = 0,
    ) -> Page[JobEventRecord]:
        conditions: list[ColumnElement[bool]] = [col(JobEvent.job_id) == job_id]
        if actions:
            conditions.append(col(JobEvent.action).in_(list(actions)))
        if levels:
            conditions.append(col(JobEvent.level).in_([level.value for level in levels]))
        with self._sessions() as session:
            if session.get(Job, job_id) is None:
                raise NotFound(f"job {job_id} does not exist")
            rows = session.scalars(
                select(JobEvent)
                .where(*conditions)
                .order_by(col(JobEvent.seq))
                .limit(limit)
                .offset(offset)
            ).all()
            total = session.scalar(select(func.count()).select_from(JobEvent).where(*conditions))
        return Page(
            items=[event_record(r) for r in rows], total=total or 0, limit=limit, offset=offset
        )

    @staticmethod
    def _owned(job_id: int, runner_id: str) -> list[ColumnElement[bool]]:
        return [
            col(Job.id) == job_id,
            col(Job.status) == JobStatus.RUNNING.value,
            col(Job.runner_id) == runner_id,
        ]


def _shown(text: str | None) -> str | None:
    return None if text is None else display_form(text)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


def stale_cutoff(now: datetime, stale_after_s: float) -> datetime:
    return now - timedelta(seconds=stale_after_s)
