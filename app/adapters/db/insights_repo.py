"""Read-only queries for the dashboard: agreed ratings per library, tag dialects found, the
latest jobs of each link, job events searched by text, and unmatched items.

Nothing here writes. Aggregations run in SQL where the databases agree on how (counts, groups,
unions); the JSON ``tags`` of file states are counted in Python, streamed in chunks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, union
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import event_record, job_record
from app.adapters.db.models import Job, JobEvent, Link
from app.adapters.db.sync_models import Conflict, FileState, TrackLink
from app.domain.errors import NotFound
from app.domain.insights import DialectTally, UnmatchedEvent
from app.domain.jobs import EventLevel, JobEventRecord, JobRecord, JobStatus, Page

SYNCED_STATUSES = ("auto", "confirmed")
STREAM_CHUNK = 2000


def like_pattern(text: str) -> str:
    """``50%_off`` -> ``%50\\%\\_off%``: a LIKE pattern matching ``text`` literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _event_text(text: str) -> ColumnElement[bool]:
    """Events whose subject or detail contains ``text``, case-insensitively."""
    pattern = like_pattern(text)
    return or_(
        col(JobEvent.subject).ilike(pattern, escape="\\"),
        col(JobEvent.detail).ilike(pattern, escape="\\"),
    )


def _synced_items(library_id: Any, item_key: Any) -> Select[tuple[int, str, int | None]]:
    """``(library_id, item_key, baseline)`` of one side of every synced pair with a baseline."""
    return (
        select(
            library_id.label("library_id"),
            item_key.label("item_key"),
            col(TrackLink.baseline_rating).label("rating"),
        )
        .select_from(TrackLink)
        .join(Link, col(Link.id) == col(TrackLink.link_id))
        .where(
            col(TrackLink.baseline_known).is_(True),
            col(TrackLink.status).in_(SYNCED_STATUSES),
        )
    )


class InsightsRepository:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    # -- ratings and tags -----------------------------------------------------------------

    def agreed_ratings(self) -> dict[int, dict[int | None, int]]:
        """``library_id -> {half stars or None: items}`` from the baselines of synced pairs.

        An item that is in several links with the same baseline counts once per library.
        """
        items = union(
            _synced_items(col(Link.library_a_id), col(TrackLink.a_key)),
            _synced_items(col(Link.library_b_id), col(TrackLink.b_key)),
        ).subquery()
        query = select(items.c.library_id, items.c.rating, func.count()).group_by(
            items.c.library_id, items.c.rating
        )
        result: dict[int, dict[int | None, int]] = {}
        with self._sessions() as session:
            for library_id, rating, count in session.execute(query):
                result.setdefault(int(library_id), {})[rating] = int(count)
        return result

    def dialect_tally(self, library_id: int) -> DialectTally:
        """Count files per rating dialect in the file-state cache of one music folder."""
        query = (
            select(col(FileState.tags))
            .where(col(FileState.library_id) == library_id)
            .execution_options(yield_per=STREAM_CHUNK)
        )
        files = 0
        tagged = 0
        dialects: Counter[str] = Counter()
        with self._sessions() as session:
            for tags in session.scalars(query):
                files += 1
                found = {str(tag[0]) for tag in tags or () if tag}
                if found:
                    tagged += 1
                    dialects.update(found)
        return DialectTally(files=files, tagged=tagged, dialects=dict(dialects))

    # -- counts ---------------------------------------------------------------------------

    def open_conflicts(self) -> dict[int, int]:
        """``link_id -> open conflicts``."""
        query = (
            select(col(Conflict.link_id), func.count())
            .where(col(Conflict.status) == "open")
            .group_by(col(Conflict.link_id))
        )
        with self._sessions() as session:
            return {int(link_id): int(n) for link_id, n in session.execute(query)}

    def matches_in_review(self) -> dict[int, int]:
        """``link_id -> weak matches waiting for a person``."""
        query = (
            select(col(TrackLink.link_id), func.count())
            .where(col(TrackLink.status) == "review")
            .group_by(col(TrackLink.link_id))
        )
        with self._sessions() as session:
            return {int(link_id): int(n) for link_id, n in session.execute(query)}

    # -- jobs of links --------------------------------------------------------------------

    def latest_jobs(
        self,
        *,
        kinds: Sequence[str] = (),
        dry_run: bool | None = None,
        statuses: Sequence[JobStatus] = (),
        link_id: int | None = None,
    ) -> dict[int, JobRecord]:
        """``link_id -> its newest job`` among the jobs that match the filters."""
        conditions: list[ColumnElement[bool]] = [col(Job.link_id).is_not(None)]
        if kinds:
            conditions.append(col(Job.kind).in_(list(kinds)))
        if dry_run is not None:
            conditions.append(col(Job.dry_run).is_(dry_run))
        if statuses:
            conditions.append(col(Job.status).in_([s.value for s in statuses]))
        if link_id is not None:
            conditions.append(col(Job.link_id) == link_id)
        newest = select(func.max(col(Job.id))).where(*conditions).group_by(col(Job.link_id))
        with self._sessions() as session:
            rows = session.scalars(select(Job).where(col(Job.id).in_(newest.scalar_subquery())))
            records = [job_record(row) for row in rows]
        return {job.link_id: job for job in records if job.link_id is not None}

    def jobs_of_link(
        self, link_id: int, *, kinds: Sequence[str] = (), limit: int = 10
    ) -> list[JobRecord]:
        """The link's newest jobs first."""
        query = select(Job).where(col(Job.link_id) == link_id)
        if kinds:
            query = query.where(col(Job.kind).in_(list(kinds)))
        with self._sessions() as session:
            rows = session.scalars(query.order_by(col(Job.id).desc()).limit(limit))
            return [job_record(row) for row in rows]

    # -- job events -----------------------------------------------------------------------

    def search_events(
        self,
        job_id: int,
        *,
        text: str | None = None,
        actions: Sequence[str] = (),
        levels: Sequence[EventLevel] = (),
        limit: int = 100,
        offset: int = 0,
    ) -> Page[JobEventRecord]:
        """A job's events in order, filtered by action, level and text in subject or detail
        (case-insensitive; ``%`` and ``_`` match literally)."""
        conditions: list[ColumnElement[bool]] = [col(JobEvent.job_id) == job_id]
        if actions:
            conditions.append(col(JobEvent.action).in_(list(actions)))
        if levels:
            conditions.append(col(JobEvent.level).in_([level.value for level in levels]))
        if text:
            conditions.append(_event_text(text))
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
            items=[event_record(row) for row in rows], total=total or 0, limit=limit, offset=offset
        )

    def action_counts(self, job_id: int) -> dict[str, int]:
        """``action -> events`` of a job, by action name."""
        query = (
            select(col(JobEvent.action), func.count())
            .where(col(JobEvent.job_id) == job_id)
            .group_by(col(JobEvent.action))
            .order_by(col(JobEvent.action))
        )
        with self._sessions() as session:
            return {str(action): int(n) for action, n in session.execute(query)}

    def iter_events(self, job_id: int, *, chunk: int = STREAM_CHUNK) -> Iterator[JobEventRecord]:
        """Every event of a job in order, read ``chunk`` at a time (keyset on ``seq``), so a
        report of a million events never sits in memory at once. Plain rows, no ORM objects:
        this is the hot path of a report download."""
        columns = (
            col(JobEvent.id),
            col(JobEvent.seq),
            col(JobEvent.created_at),
            col(JobEvent.level),
            col(JobEvent.action),
            col(JobEvent.subject),
            col(JobEvent.before),
            col(JobEvent.after),
            col(JobEvent.detail),
        )
        after = 0
        while True:
            with self._sessions() as session:
                rows = session.execute(
                    select(*columns)
                    .where(col(JobEvent.job_id) == job_id, col(JobEvent.seq) > after)
                    .order_by(col(JobEvent.seq))
                    .limit(chunk)
                ).all()
            for event_id, seq, created_at, level, action, subject, before, after_, detail in rows:
                assert event_id is not None  # a primary key
                yield JobEventRecord(
                    id=event_id,
                    job_id=job_id,
                    seq=seq,
                    created_at=created_at,
                    level=EventLevel(level),
                    action=action,
                    subject=subject,
                    before=before,
                    after=after_,
                    detail=detail,
                )
            if len(rows) < chunk:
                return
            after = rows[-1][1]

    def unmatched(
        self, job_ids: Sequence[int], *, text: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[UnmatchedEvent]:
        """``unmatched`` events of the given jobs, by job then order, filtered by text."""
        if not job_ids:
            return Page(items=[], total=0, limit=limit, offset=offset)
        conditions: list[ColumnElement[bool]] = [
            col(JobEvent.job_id).in_(list(job_ids)),
            col(JobEvent.action) == "unmatched",
        ]
        if text:
            conditions.append(_event_text(text))
        query = (
            select(
                col(Job.link_id),
                col(JobEvent.job_id),
                col(JobEvent.seq),
                col(JobEvent.subject),
                col(JobEvent.detail),
            )
            .join(Job, col(Job.id) == col(JobEvent.job_id))
            .where(*conditions)
            .order_by(col(JobEvent.job_id), col(JobEvent.seq))
            .limit(limit)
            .offset(offset)
        )
        count = select(func.count()).select_from(JobEvent).where(*conditions)
        with self._sessions() as session:
            rows = session.execute(query).all()
            total = session.scalar(count) or 0
        items = [
            UnmatchedEvent(
                link_id=int(link_id or 0),
                job_id=int(job_id),
                seq=int(seq),
                subject=subject,
                detail=detail,
            )
            for link_id, job_id, seq, subject, detail in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)
