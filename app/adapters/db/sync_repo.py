"""Repository of the ratings sync tables: track links with baselines, file states, conflicts,
journal. Bulk operations throughout: a library has 100,000 tracks.

Services see the frozen records defined here, never the table classes.
"""

from __future__ import annotations

import json
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from app.adapters.db.bulk import insert_many
from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import Job, utc_now
from app.adapters.db.sync_models import Conflict, FileState, JournalEntry, TrackLink
from app.domain.errors import NotFound
from app.domain.names import from_store_json

_CHUNK = 500
_BULK_CHUNK = 5000
_T = TypeVar("_T")
_M = TypeVar("_M", TrackLink, Conflict)


@dataclass(frozen=True, slots=True)
class TrackLinkRecord:
    id: int
    link_id: int
    a_key: str
    b_key: str
    method: str
    score: float
    status: str
    baseline_known: bool
    baseline_rating: int | None
    a_label: str | None = None
    b_label: str | None = None
    note: str | None = None
    baseline_a_held: int | None = None
    baseline_b_held: int | None = None


@dataclass(frozen=True, slots=True)
class NewTrackLink:
    a_key: str
    b_key: str
    method: str
    score: float
    status: str
    a_label: str | None = None
    b_label: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class FileStateRecord:
    """A file's cached state. Loaded records keep their match metadata as the stored JSON
    (``meta_json``), decoded by :meth:`match_meta` when needed: most never are."""

    rel_path: str
    size_bytes: int
    mtime_ns: int
    format: str
    tags: tuple[tuple[str, str], ...]
    meta: dict[str, Any] = field(default_factory=dict)
    meta_json: str | None = None

    def match_meta(self) -> dict[str, Any]:
        if self.meta_json is None:
            return self.meta
        try:
            decoded = from_store_json(json.loads(self.meta_json))
        except ValueError:
            return {}  # a damaged row: the metadata counts as missing
        return decoded if isinstance(decoded, dict) else {}

    def __eq__(self, other: object) -> bool:
        """Equal when they say the same, however the metadata is held."""
        if not isinstance(other, FileStateRecord):
            return NotImplemented
        return (self.rel_path, self.size_bytes, self.mtime_ns, self.format, self.tags) == (
            other.rel_path,
            other.size_bytes,
            other.mtime_ns,
            other.format,
            other.tags,
        ) and self.match_meta() == other.match_meta()

    __hash__ = object.__hash__


@dataclass(frozen=True, slots=True)
class ConflictRecord:
    id: int
    link_id: int
    track_link_id: int
    job_id: int | None
    value_a: int | None
    value_b: int | None
    baseline_known: bool
    baseline_rating: int | None
    evidence: dict[str, Any]
    status: str
    resolution: str | None
    resolved_value: int | None
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewConflict:
    track_link_id: int
    value_a: int | None
    value_b: int | None
    baseline_known: bool
    baseline_rating: int | None
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JournalRecord:
    id: int
    job_id: int
    track_link_id: int | None
    side: str
    item_key: str
    before: int | None
    after: int | None
    baseline_known_before: bool
    baseline_before: int | None
    undone_by_job_id: int | None
    state: str = "done"
    baseline_after: int | None = None


@dataclass(frozen=True, slots=True)
class NewJournalEntry:
    """A write to journal; ``pending`` before it is made (write-ahead), with ``after`` the
    value being written and ``baseline_after`` the pair's baseline once it is verified."""

    track_link_id: int | None
    side: str
    item_key: str
    before: int | None
    after: int | None
    baseline_known_before: bool
    baseline_before: int | None
    state: str = "done"
    baseline_after: int | None = None


@dataclass(frozen=True, slots=True)
class SettledWrite:
    """The outcome of a journaled write (``state`` done, failed or not_applied; ``after`` the
    value a re-read showed), and, for a verified write of a pair (``record_baseline``), the
    baseline to record with it in the same transaction: ``baseline`` and ``held``
    (``(a_held, b_held)``, see ``TrackLink``)."""

    side: str
    item_key: str
    state: str
    after: int | None
    track_link_id: int | None = None
    baseline: int | None = None
    record_baseline: bool = False
    held: tuple[int | None, int | None] = (None, None)


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


def _table(model: type[SQLModel]) -> Table:
    """A model's table: bulk INSERTs of plain rows go through Core (executemany), which is
    several times faster than the ORM's bulk path."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


# TrackLinkRecord's fields in order, as table columns (rows then build records positionally).
_TRACK_LINK_COLUMNS = tuple(
    _table(TrackLink).c[name]
    for name in (
        "id", "link_id", "a_key", "b_key", "method", "score", "status",
        "baseline_known", "baseline_rating", "a_label", "b_label", "note",
        "baseline_a_held", "baseline_b_held",
    )
)  # fmt: skip


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


def _set_baselines(
    session: Session,
    baselines: Sequence[tuple[int, int | None]],
    *,
    at: datetime,
    held: Mapping[int, tuple[int | None, int | None]],
) -> None:
    """:meth:`SyncRepository.set_baselines` inside the caller's transaction."""
    # One UPDATE per rating value and chunk of ids, not one per row (a first run records
    # a baseline for every pair); the last value given for an id wins, as before.
    ids_by_rating: dict[int | None, list[int]] = {}
    for track_link_id, rating in dict(baselines).items():
        ids_by_rating.setdefault(rating, []).append(track_link_id)
    for rating, ids in ids_by_rating.items():
        for chunk in _chunks(ids):
            session.execute(
                update(TrackLink)
                .where(col(TrackLink.id).in_(chunk))
                .values(
                    baseline_known=True,
                    baseline_rating=rating,
                    baseline_at=at,
                    baseline_a_held=None,
                    baseline_b_held=None,
                )
            )
    for track_link_id, (a_held, b_held) in held.items():
        session.execute(
            update(TrackLink)
            .where(col(TrackLink.id) == track_link_id)
            .values(baseline_a_held=a_held, baseline_b_held=b_held)
        )


def _stored_id(value: int | None) -> int:
    assert value is not None, "a stored row has an id"
    return value


def _chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SyncRepository:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    # -- track links ----------------------------------------------------------------------

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
        rows, total = self._page(
            TrackLink, status=status, link_id=link_id, limit=limit, offset=offset
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
                _table(TrackLink),
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
        return [_stored_id(id_by_keys[(item.a_key, item.b_key)]) for item in links]

    def delete_track_links(self, ids: Sequence[int]) -> None:
        with self._sessions() as session:
            for chunk in _chunks(ids):
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
            _set_baselines(session, baselines, at=at, held=held or {})
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

    # -- file states ----------------------------------------------------------------------

    def file_states(self, library_id: int) -> dict[str, FileStateRecord]:
        # The JSON columns come as text and are decoded here: most files share a handful of
        # tag lists ("[]" above all), decoded once each; a library has 100,000 rows.
        query = select(
            col(FileState.rel_path),
            col(FileState.size_bytes),
            col(FileState.mtime_ns),
            col(FileState.format),
            cast(col(FileState.tags), Text),
            cast(col(FileState.meta), Text),
        ).where(col(FileState.library_id) == library_id)
        tag_sets: dict[str, tuple[tuple[str, str], ...]] = {}

        def tags_of(text: str) -> tuple[tuple[str, str], ...]:
            tags = tag_sets.get(text)
            if tags is None:
                decoded = from_store_json(json.loads(text))
                assert isinstance(decoded, list)
                tags = tag_sets[text] = tuple((d, r) for d, r in decoded)
            return tags

        with self._sessions() as session:
            return {
                rel_path: FileStateRecord(
                    rel_path, size, mtime_ns, fmt, tags_of(tags), meta_json=meta
                )
                for rel_path, size, mtime_ns, fmt, tags, meta in session.connection().execute(query)
            }

    def save_file_states(
        self,
        library_id: int,
        states: Sequence[FileStateRecord],
        *,
        gone: Sequence[str] = (),
        stored: Container[str] | None = None,
    ) -> None:
        """Replace the states of ``states``' paths and forget ``gone`` paths. ``stored``: the
        paths that may have a state already (the others are only inserted); None: any."""
        now = utc_now()
        with self._sessions() as session:
            replaced = [s.rel_path for s in states if stored is None or s.rel_path in stored]
            paths = replaced + list(gone)
            for chunk in _chunks(paths):
                session.execute(
                    delete(FileState).where(
                        col(FileState.library_id) == library_id,
                        col(FileState.rel_path).in_(chunk),
                    )
                )
            insert_many(
                session.connection(),
                _table(FileState),
                ("rel_path", "size_bytes", "mtime_ns", "format", "tags", "meta"),
                (
                    (
                        state.rel_path,
                        state.size_bytes,
                        state.mtime_ns,
                        state.format,
                        [list(tag) for tag in state.tags],
                        state.match_meta(),
                    )
                    for state in states
                ),
                constants={"library_id": library_id, "read_at": now},
            )
            session.commit()

    # -- conflicts ------------------------------------------------------------------------

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
        table = _table(Conflict)
        with self._sessions() as session:
            open_ids: dict[int, int] = {}
            for chunk in _chunks([c.track_link_id for c in conflicts]):
                rows = session.execute(
                    select(col(Conflict.track_link_id), col(Conflict.id)).where(
                        col(Conflict.track_link_id).in_(chunk), col(Conflict.status) == "open"
                    )
                )
                open_ids.update({track_link_id: _stored_id(i) for track_link_id, i in rows})
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
            for chunk_rows in _chunks(fresh, _BULK_CHUNK):
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
            for chunk in _chunks(closing):
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
        rows, total = self._page(
            Conflict, status=status, link_id=link_id, limit=limit, offset=offset
        )
        return [_conflict(row) for row in rows], total

    def _page(
        self,
        model: type[_M],
        *,
        status: str | None,
        link_id: int | None,
        limit: int,
        offset: int,
    ) -> tuple[list[_M], int]:
        """One page of a table's rows by id, filtered by ``status`` and ``link_id``, and the
        total they come from."""
        conditions: list[ColumnElement[bool]] = []
        if status is not None:
            conditions.append(col(model.status) == status)
        if link_id is not None:
            conditions.append(col(model.link_id) == link_id)
        query = select(model).where(*conditions).order_by(col(model.id))
        count = select(func.count()).select_from(model).where(*conditions)
        with self._sessions() as session:
            total = session.scalar(count) or 0
            return list(session.scalars(query.limit(limit).offset(offset))), total

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

    # -- journal --------------------------------------------------------------------------

    def add_journal(self, job_id: int, entries: Sequence[NewJournalEntry]) -> None:
        if not entries:
            return
        now = utc_now()
        with self._sessions() as session:
            insert_many(
                session.connection(),
                _table(JournalEntry),
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
                        None if e.state == "pending" else now,
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
        journal = _table(JournalEntry)
        statement = (
            journal.update()
            .where(journal.c.job_id == bindparam("b_job_id"))
            .where(journal.c.side == bindparam("b_side"))
            .where(journal.c.item_key == bindparam("b_item_key"))
            .where(journal.c.state == "pending")
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
            for chunk in _chunks(rows, _BULK_CHUNK):
                session.connection().execute(statement, list(chunk))
            _set_baselines(session, baselines, at=at, held=held)
            session.commit()

    def unsettled_journal(self, link_id: int, *, except_job_id: int | None) -> list[JournalRecord]:
        """The ``pending`` entries of other jobs of the link: writes of a job that died
        between journaling them and settling them (jobs of a link run one at a time)."""
        query = (
            select(JournalEntry)
            .join(Job, col(Job.id) == col(JournalEntry.job_id))
            .where(col(Job.link_id) == link_id)
            .where(col(JournalEntry.state) == "pending")
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
            .where(col(JournalEntry.state).in_(("pending", "done")))
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
            for chunk in _chunks(journal_ids):
                session.execute(
                    update(JournalEntry)
                    .where(col(JournalEntry.id).in_(chunk))
                    .values(undone_by_job_id=by_job_id)
                )
            session.commit()
