"""Rating conflicts: pairs whose sides disagree, opened by runs and closed by decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import utc_now
from app.adapters.db.sync_models import Conflict
from app.adapters.db.sync_rows import BULK_CHUNK, chunks, page_of, stored_id, table_of
from app.domain.errors import NotFound
from app.domain.ratings.records import ConflictRecord, NewConflict


def _conflict(row: Conflict) -> ConflictRecord:
    assert row.id is not None
    return ConflictRecord(
        id=row.id,
        link_id=row.link_id,
        track_link_id=row.track_link_id,
        job_id=row.job_id,
        value_a=row.value_a,
        value_b=row.value_b,
        baseline_known=row.baseline_known,
        baseline_rating=row.baseline_rating,
        evidence=dict(row.evidence),
        status=row.status,
        resolution=row.resolution,
        resolved_value=row.resolved_value,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
    )


class ConflictStore:
    """The conflict aggregate of :class:`~app.adapters.db.sync_repo.SyncRepository`."""

    _sessions: SessionFactory

    def open_conflict_ids(self, link_id: int) -> dict[int, int]:
        """``track_link_id -> conflict id`` of the link's open conflicts."""
        query = select(col(Conflict.track_link_id), col(Conflict.id)).where(
            col(Conflict.link_id) == link_id, col(Conflict.status) == "open"
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        return {track_link_id: conflict_id for track_link_id, conflict_id in rows if conflict_id}

    def record_conflict(
        self,
        *,
        link_id: int,
        track_link_id: int,
        job_id: int | None,
        value_a: int | None,
        value_b: int | None,
        baseline_known: bool,
        baseline_rating: int | None,
        evidence: dict[str, Any],
    ) -> int:
        """Open a conflict for the pair, or refresh the values of the one already open."""
        with self._sessions() as session:
            row = session.scalar(
                select(Conflict).where(
                    col(Conflict.track_link_id) == track_link_id, col(Conflict.status) == "open"
                )
            )
            if row is None:
                row = Conflict(link_id=link_id, track_link_id=track_link_id, created_at=utc_now())
                session.add(row)
            row.job_id = job_id
            row.value_a = value_a
            row.value_b = value_b
            row.baseline_known = baseline_known
            row.baseline_rating = baseline_rating
            row.evidence = evidence
            session.commit()
            assert row.id is not None
            return row.id

    def record_conflicts(
        self, *, link_id: int, job_id: int | None, conflicts: Sequence[NewConflict]
    ) -> None:
        """:meth:`record_conflict` for many pairs in one transaction (a first run under policy
        ``ask`` may open thousands): new ones inserted, open ones refreshed."""
        if not conflicts:
            return
        now = utc_now()
        table = table_of(Conflict)
        with self._sessions() as session:
            open_ids: dict[int, int] = {}
            for chunk in chunks([c.track_link_id for c in conflicts]):
                rows = session.execute(
                    select(col(Conflict.track_link_id), col(Conflict.id)).where(
                        col(Conflict.track_link_id).in_(chunk), col(Conflict.status) == "open"
                    )
                )
                open_ids.update({track_link_id: stored_id(i) for track_link_id, i in rows})
            fresh = [
                {
                    "link_id": link_id,
                    "track_link_id": c.track_link_id,
                    "job_id": job_id,
                    "value_a": c.value_a,
                    "value_b": c.value_b,
                    "baseline_known": c.baseline_known,
                    "baseline_rating": c.baseline_rating,
                    "evidence": c.evidence,
                    "status": "open",
                    "resolution": None,
                    "resolved_value": None,
                    "created_at": now,
                    "resolved_at": None,
                }
                for c in conflicts
                if c.track_link_id not in open_ids
            ]
            again = [
                {
                    "conflict_id": open_ids[c.track_link_id],
                    "new_job_id": job_id,
                    "new_value_a": c.value_a,
                    "new_value_b": c.value_b,
                    "new_baseline_known": c.baseline_known,
                    "new_baseline_rating": c.baseline_rating,
                    "new_evidence": c.evidence,
                }
                for c in conflicts
                if c.track_link_id in open_ids
            ]
            for chunk_rows in chunks(fresh, BULK_CHUNK):
                session.execute(insert(table), chunk_rows)
            if again:
                refreshed = ("job_id", "value_a", "value_b", "baseline_known", "baseline_rating")
                session.execute(
                    update(table)
                    .where(table.c.id == bindparam("conflict_id"))
                    .values({name: bindparam(f"new_{name}") for name in (*refreshed, "evidence")}),
                    again,
                )
            session.commit()

    def close_conflicts_for(self, track_link_ids: Sequence[int], *, resolution: str) -> None:
        """Pairs that agree again need no decision: their open conflicts close."""
        if not track_link_ids:
            return
        now = utc_now()
        with self._sessions() as session:
            # A run passes every agreeing pair (all 100,000 of a quiet library); few have an
            # open conflict, so find those first instead of updating by every id.
            open_ids = set(
                session.scalars(
                    select(col(Conflict.track_link_id)).where(col(Conflict.status) == "open")
                )
            )
            closing = [i for i in track_link_ids if i in open_ids]
            for chunk in chunks(closing):
                session.execute(
                    update(Conflict)
                    .where(col(Conflict.track_link_id).in_(chunk), col(Conflict.status) == "open")
                    .values(status="resolved", resolution=resolution, resolved_at=now)
                )
            session.commit()

    def conflicts(
        self,
        *,
        status: str | None = "open",
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[ConflictRecord], int]:
        rows, total = page_of(
            self._sessions, Conflict, status=status, link_id=link_id, limit=limit, offset=offset
        )
        return [_conflict(row) for row in rows], total

    def conflict(self, conflict_id: int) -> ConflictRecord:
        with self._sessions() as session:
            row = session.get(Conflict, conflict_id)
            if row is None:
                raise NotFound(f"conflict {conflict_id} does not exist")
            return _conflict(row)

    def finish_conflict(
        self, conflict_id: int, *, status: str, resolution: str, value: int | None
    ) -> ConflictRecord:
        with self._sessions() as session:
            row = session.get(Conflict, conflict_id)
            if row is None:
                raise NotFound(f"conflict {conflict_id} does not exist")
            row.status = status
            row.resolution = resolution
            row.resolved_value = value
            row.resolved_at = utc_now()
            session.commit()
            return _conflict(row)
