"""What the sync table repositories share: chunking, Core tables, paging, and the baseline
UPDATE that both the track-link and journal repositories run inside their transactions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, Table, func, select, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.sync_models import Conflict, TrackLink

CHUNK = 500
BULK_CHUNK = 5000
_T = TypeVar("_T")
_M = TypeVar("_M", TrackLink, Conflict)


def table_of(model: type[SQLModel]) -> Table:
    """A model's table: bulk INSERTs of plain rows go through Core (executemany), which is
    several times faster than the ORM's bulk path."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def stored_id(value: int | None) -> int:
    assert value is not None, "a stored row has an id"
    return value


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def page_of(
    sessions: SessionFactory,
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
    with sessions() as session:
        total = session.scalar(count) or 0
        return list(session.scalars(query.limit(limit).offset(offset))), total


def set_baselines_in(
    session: Session,
    baselines: Sequence[tuple[int, int | None]],
    *,
    at: datetime,
    held: Mapping[int, tuple[int | None, int | None]],
) -> None:
    """:meth:`TrackLinkStore.set_baselines` inside the caller's transaction."""
    # One UPDATE per rating value and chunk of ids, not one per row (a first run records
    # a baseline for every pair); the last value given for an id wins, as before.
    ids_by_rating: dict[int | None, list[int]] = {}
    for track_link_id, rating in dict(baselines).items():
        ids_by_rating.setdefault(rating, []).append(track_link_id)
    for rating, ids in ids_by_rating.items():
        for chunk in chunks(ids):
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
