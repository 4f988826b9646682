"""Track links (the matched pairs of a link) and their agreed baselines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from app.adapters.db.bulk import insert_many
from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import utc_now
from app.adapters.db.sync_models import TrackLink
from app.adapters.db.sync_rows import chunks, page_of, set_baselines_in, stored_id, table_of
from app.domain.errors import NotFound
from app.domain.ratings.records import NewTrackLink, TrackLinkRecord


def _track_link(row: TrackLink) -> TrackLinkRecord:
    assert row.id is not None
    return TrackLinkRecord(
        id=row.id,
        link_id=row.link_id,
        a_key=row.a_key,
        b_key=row.b_key,
        method=row.method,
        score=row.score,
        status=row.status,
        baseline_known=row.baseline_known,
        baseline_rating=row.baseline_rating,
        a_label=row.a_label,
        b_label=row.b_label,
        note=row.note,
        baseline_a_held=row.baseline_a_held,
        baseline_b_held=row.baseline_b_held,
    )


# TrackLinkRecord's fields in order, as table columns (rows then build records positionally).
_TRACK_LINK_COLUMNS = tuple(
    table_of(TrackLink).c[name]
    for name in (
        "id", "link_id", "a_key", "b_key", "method", "score", "status",
        "baseline_known", "baseline_rating", "a_label", "b_label", "note",
        "baseline_a_held", "baseline_b_held",
    )
)  # fmt: skip


class TrackLinkStore:
    """The track-link aggregate of :class:`~app.adapters.db.sync_repo.SyncRepository`."""

    _sessions: SessionFactory

    def track_links(self, link_id: int, *, status: str | None = None) -> list[TrackLinkRecord]:
        # Plain rows, not ORM instances: a run loads every pair of a 100,000-track library.
        query = select(*_TRACK_LINK_COLUMNS).where(col(TrackLink.link_id) == link_id)
        if status is not None:
            query = query.where(col(TrackLink.status) == status)
        with self._sessions() as session:
            # Core execution: the ORM's result processing doubles the cost of plain rows.
            rows = session.connection().execute(query.order_by(col(TrackLink.id)))
            return [TrackLinkRecord(*row) for row in rows]

    def track_links_page(
        self,
        *,
        status: str | None = None,
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[TrackLinkRecord], int]:
        rows, total = page_of(
            self._sessions, TrackLink, status=status, link_id=link_id, limit=limit, offset=offset
        )
        return [_track_link(row) for row in rows], total

    def track_link(self, track_link_id: int) -> TrackLinkRecord:
        with self._sessions() as session:
            row = session.get(TrackLink, track_link_id)
            if row is None:
                raise NotFound(f"match {track_link_id} does not exist")
            return _track_link(row)

    def add_track_links(self, link_id: int, links: Sequence[NewTrackLink]) -> list[int]:
        """Insert new links; returns their ids in input order."""
        if not links:
            return []
        now = utc_now()
        # Bulk INSERTs of plain rows (ORM instances cost ~0.5 ms each), then one SELECT for
        # the ids: (link_id, a_key, b_key) is unique. SQLite cannot batch INSERT .. RETURNING
        # in parameter order, and row by row is 20 times slower.
        with self._sessions() as session:
            insert_many(
                session.connection(),
                table_of(TrackLink),
                ("a_key", "b_key", "a_label", "b_label", "method", "score", "status", "note"),
                (
                    (i.a_key, i.b_key, i.a_label, i.b_label, i.method, i.score, i.status, i.note)
                    for i in links
                ),
                constants={
                    "link_id": link_id,
                    "baseline_known": False,
                    "baseline_rating": None,
                    "baseline_at": None,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            stored = session.execute(
                select(col(TrackLink.id), col(TrackLink.a_key), col(TrackLink.b_key)).where(
                    col(TrackLink.link_id) == link_id
                )
            )
            id_by_keys = {(a_key, b_key): track_link_id for track_link_id, a_key, b_key in stored}
            session.commit()
        return [stored_id(id_by_keys[(item.a_key, item.b_key)]) for item in links]

    def delete_track_links(self, ids: Sequence[int]) -> None:
        with self._sessions() as session:
            for chunk in chunks(ids):
                session.execute(delete(TrackLink).where(col(TrackLink.id).in_(chunk)))
            session.commit()

    def set_status(self, track_link_id: int, status: str) -> TrackLinkRecord:
        with self._sessions() as session:
            row = session.get(TrackLink, track_link_id)
            if row is None:
                raise NotFound(f"match {track_link_id} does not exist")
            row.status = status
            row.updated_at = utc_now()
            session.commit()
            return _track_link(row)

    def rekey(self, track_link_id: int, *, a_key: str, b_key: str) -> None:
        with self._sessions() as session:
            session.execute(
                update(TrackLink)
                .where(col(TrackLink.id) == track_link_id)
                .values(a_key=a_key, b_key=b_key, updated_at=utc_now())
            )
            session.commit()

    def set_baselines(
        self,
        baselines: Sequence[tuple[int, int | None]],
        *,
        at: datetime,
        held: Mapping[int, tuple[int | None, int | None]] | None = None,
    ) -> None:
        """Record ``(track_link_id, rating)`` as agreed baselines. ``held`` names the pairs
        where a side holds something else than the baseline after a lossy write:
        ``track_link_id -> (a_held, b_held)`` (see ``TrackLink``); every other pair's held
        values are cleared."""
        if not baselines:
            return
        with self._sessions() as session:
            set_baselines_in(session, baselines, at=at, held=held or {})
            session.commit()

    def restore_baseline(self, track_link_id: int, *, known: bool, rating: int | None) -> None:
        with self._sessions() as session:
            session.execute(
                update(TrackLink)
                .where(col(TrackLink.id) == track_link_id)
                .values(
                    baseline_known=known,
                    baseline_rating=rating,
                    baseline_at=utc_now(),
                    baseline_a_held=None,
                    baseline_b_held=None,
                )
            )
            session.commit()

    def count_by_status(self, link_id: int | None = None) -> dict[str, int]:
        query = select(col(TrackLink.status), func.count()).group_by(col(TrackLink.status))
        if link_id is not None:
            query = query.where(col(TrackLink.link_id) == link_id)
        with self._sessions() as session:
            return {str(status): int(count) for status, count in session.execute(query).all()}
