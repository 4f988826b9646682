"""Repository of the playlists sync tables: playlist pairs (identity on each side, baseline,
last run) and playlist conflicts. Services see the frozen records defined here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import utc_now
from app.adapters.db.playlist_models import PlaylistConflict, PlaylistPair
from app.domain.errors import NotFound
from app.domain.playlists.records import ConflictEntry, PlaylistConflictRecord, PlaylistPairRecord


class _Unset:
    """The default of :meth:`PlaylistRepository.update_pair` fields: leave as it is."""


UNSET = _Unset()


def _keys(value: list[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(key) for key in value)


def _pair(row: PlaylistPair) -> PlaylistPairRecord:
    assert row.id is not None
    return PlaylistPairRecord(
        id=row.id,
        link_id=row.link_id,
        a_ref=row.a_ref,
        b_ref=row.b_ref,
        title=row.title,
        baseline=_keys(row.baseline),
        baseline_at=row.baseline_at,
        last_job_id=row.last_job_id,
        last_run_at=row.last_run_at,
        updated_at=row.updated_at,
        a_held=row.a_held,
        b_held=row.b_held,
    )


def _entries(value: list[list[str]]) -> tuple[ConflictEntry, ...]:
    return tuple(ConflictEntry(str(key), str(label)) for key, label in value)


def _conflict(row: PlaylistConflict) -> PlaylistConflictRecord:
    assert row.id is not None
    return PlaylistConflictRecord(
        id=row.id,
        link_id=row.link_id,
        pair_id=row.pair_id,
        job_id=row.job_id,
        title=row.title,
        a_entries=_entries(row.a_entries),
        b_entries=_entries(row.b_entries),
        baseline=_keys(row.baseline),
        status=row.status,
        resolution=row.resolution,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
    )


class PlaylistRepository:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    # -- pairs ----------------------------------------------------------------------------

    def pairs(self, link_id: int) -> list[PlaylistPairRecord]:
        query = (
            select(PlaylistPair)
            .where(col(PlaylistPair.link_id) == link_id)
            .order_by(col(PlaylistPair.id))
        )
        with self._sessions() as session:
            return [_pair(row) for row in session.scalars(query)]

    def pair(self, pair_id: int) -> PlaylistPairRecord:
        with self._sessions() as session:
            row = session.get(PlaylistPair, pair_id)
            if row is None:
                raise NotFound(f"playlist pair {pair_id} does not exist")
            return _pair(row)

    def add_pair(
        self, link_id: int, *, a_ref: str | None, b_ref: str | None, title: str
    ) -> PlaylistPairRecord:
        now = utc_now()
        with self._sessions() as session:
            row = PlaylistPair(
                link_id=link_id,
                a_ref=a_ref,
                b_ref=b_ref,
                title=title,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.commit()
            return _pair(row)

    def update_pair(
        self,
        pair_id: int,
        *,
        a_ref: str | _Unset | None = UNSET,
        b_ref: str | _Unset | None = UNSET,
        title: str | _Unset = UNSET,
        baseline: Sequence[str] | _Unset | None = UNSET,
        job_id: int | _Unset | None = UNSET,
        a_held: str | _Unset | None = UNSET,
        b_held: str | _Unset | None = UNSET,
    ) -> PlaylistPairRecord:
        """Change the given fields; a new ``baseline`` is stamped now (and clears the held
        digests unless given), and so is ``job_id`` (the run that last looked at the pair)."""
        now = utc_now()
        with self._sessions() as session:
            row = session.get(PlaylistPair, pair_id)
            if row is None:
                raise NotFound(f"playlist pair {pair_id} does not exist")
            if not isinstance(a_ref, _Unset):
                row.a_ref = a_ref
            if not isinstance(b_ref, _Unset):
                row.b_ref = b_ref
            if not isinstance(title, _Unset):
                row.title = title
            if not isinstance(baseline, _Unset):
                row.baseline = None if baseline is None else [str(key) for key in baseline]
                row.baseline_at = now
                row.a_held = row.b_held = None
            if not isinstance(a_held, _Unset):
                row.a_held = a_held
            if not isinstance(b_held, _Unset):
                row.b_held = b_held
            if not isinstance(job_id, _Unset):
                row.last_job_id = job_id
                row.last_run_at = now
            row.updated_at = now
            session.commit()
            return _pair(row)

    def delete_pairs(self, pair_ids: Sequence[int]) -> None:
        if not pair_ids:
            return
        with self._sessions() as session:
            session.execute(delete(PlaylistPair).where(col(PlaylistPair.id).in_(list(pair_ids))))
            session.commit()

    # -- conflicts ------------------------------------------------------------------------

    def record_conflict(
        self,
        *,
        link_id: int,
        pair_id: int,
        job_id: int | None,
        title: str,
        a_entries: Sequence[ConflictEntry],
        b_entries: Sequence[ConflictEntry],
        baseline: Sequence[str] | None,
    ) -> int:
        """Open a conflict for the pair, or refresh the one already open."""
        with self._sessions() as session:
            row = session.scalar(
                select(PlaylistConflict).where(
                    col(PlaylistConflict.pair_id) == pair_id,
                    col(PlaylistConflict.status) == "open",
                )
            )
            if row is None:
                row = PlaylistConflict(
                    link_id=link_id, pair_id=pair_id, title=title, created_at=utc_now()
                )
                session.add(row)
            row.job_id = job_id
            row.title = title
            row.a_entries = [[entry.key, entry.label] for entry in a_entries]
            row.b_entries = [[entry.key, entry.label] for entry in b_entries]
            row.baseline = None if baseline is None else list(baseline)
            session.commit()
            assert row.id is not None
            return row.id

    def close_conflicts_for(self, pair_ids: Sequence[int], *, resolution: str) -> None:
        """Pairs that agree again need no decision: their open conflicts close."""
        if not pair_ids:
            return
        with self._sessions() as session:
            session.execute(
                update(PlaylistConflict)
                .where(
                    col(PlaylistConflict.pair_id).in_(list(pair_ids)),
                    col(PlaylistConflict.status) == "open",
                )
                .values(status="resolved", resolution=resolution, resolved_at=utc_now())
            )
            session.commit()

    def conflicts(
        self,
        *,
        status: str | None = "open",
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[PlaylistConflictRecord], int]:
        query = select(PlaylistConflict)
        count = select(func.count()).select_from(PlaylistConflict)
        if status is not None:
            query = query.where(col(PlaylistConflict.status) == status)
            count = count.where(col(PlaylistConflict.status) == status)
        if link_id is not None:
            query = query.where(col(PlaylistConflict.link_id) == link_id)
            count = count.where(col(PlaylistConflict.link_id) == link_id)
        with self._sessions() as session:
            total = session.scalar(count) or 0
            rows = session.scalars(
                query.order_by(col(PlaylistConflict.id)).limit(limit).offset(offset)
            )
            return [_conflict(row) for row in rows], total

    def conflict(self, conflict_id: int) -> PlaylistConflictRecord:
        with self._sessions() as session:
            row = session.get(PlaylistConflict, conflict_id)
            if row is None:
                raise NotFound(f"playlist conflict {conflict_id} does not exist")
            return _conflict(row)

    def finish_conflict(
        self, conflict_id: int, *, status: str, resolution: str
    ) -> PlaylistConflictRecord:
        with self._sessions() as session:
            row = session.get(PlaylistConflict, conflict_id)
            if row is None:
                raise NotFound(f"playlist conflict {conflict_id} does not exist")
            row.status = status
            row.resolution = resolution
            row.resolved_at = utc_now()
            session.commit()
            return _conflict(row)
