"""Tables of the music ratings sync: TrackLink (with its baseline), FileState, Conflict, Journal.

Ratings are stored as half stars (1..10) or NULL for unrated, the scale of
``app.domain.ratings.value.Rating``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.adapters.db.models import _created
from app.adapters.db.types import LosslessJson, LosslessText, UtcDateTime

__all__ = ["Conflict", "FileState", "JournalEntry", "TrackLink"]


def _link_fk() -> Any:
    return Field(
        sa_column=Column(Integer, ForeignKey("link.id", ondelete="CASCADE"), nullable=False)
    )


class TrackLink(SQLModel, table=True):
    """A persistent match between item ``a_key`` of side A and ``b_key`` of side B of a link.

    Keys are a Plex ``ratingKey`` or a path relative to a music folder's root. ``status``:
    ``auto`` (matched and synced), ``review`` (weak or ambiguous: not synced until confirmed),
    ``confirmed`` (a person said yes; kept when the file moves), ``rejected`` (never proposed
    again). The baseline (the last rating both sides agreed on) lives on the row:
    ``baseline_known`` false means no baseline yet (first run rules apply).
    ``baseline_a_held``/``baseline_b_held``: what a side held when the baseline was recorded,
    when that differs from the baseline because the side cannot hold it exactly (a WMA file
    keeps whole stars: 3½★ reads back as 4★); half stars, 0 for unrated; NULL when the side
    held the baseline itself. A side still holding that value is unchanged.
    """

    __tablename__ = "track_link"
    __table_args__ = (
        UniqueConstraint("link_id", "a_key", "b_key"),
        Index("ix_track_link_link_id_status", "link_id", "status"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    link_id: int = _link_fk()
    a_key: str = Field(sa_column=Column(LosslessText(), nullable=False))
    b_key: str = Field(sa_column=Column(LosslessText(), nullable=False))
    a_label: str | None = Field(default=None, sa_column=Column(LosslessText(), nullable=True))
    b_label: str | None = Field(default=None, sa_column=Column(LosslessText(), nullable=True))
    method: str = Field(sa_column=Column(String(16), nullable=False))
    score: float = Field(default=100.0, sa_column=Column(Float(), nullable=False))
    status: str = Field(default="auto", sa_column=Column(String(16), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(LosslessText(), nullable=True))
    baseline_known: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    baseline_rating: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    baseline_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    baseline_a_held: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    baseline_b_held: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class FileState(SQLModel, table=True):
    """What a file of a music folder said when last read, keyed by its size and mtime_ns.

    ``tags`` is a list of ``[dialect id, raw value]``; ``meta`` the match metadata. A file whose
    size and mtime_ns are unchanged is not opened again.
    """

    __tablename__ = "file_state"
    __table_args__ = (UniqueConstraint("library_id", "rel_path"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    library_id: int = Field(
        sa_column=Column(Integer, ForeignKey("library.id", ondelete="CASCADE"), nullable=False)
    )
    rel_path: str = Field(sa_column=Column(LosslessText(), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger(), nullable=False))
    mtime_ns: int = Field(sa_column=Column(BigInteger(), nullable=False))
    format: str = Field(sa_column=Column(String(16), nullable=False))
    tags: list[list[str]] = Field(
        default_factory=list, sa_column=Column(LosslessJson(), nullable=False)
    )
    meta: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(LosslessJson(), nullable=False)
    )
    read_at: datetime = _created()


class Conflict(SQLModel, table=True):
    """Both sides of a pair changed differently and the link's policy did not settle it."""

    __tablename__ = "conflict"
    __table_args__ = (Index("ix_conflict_link_id_status", "link_id", "status"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    link_id: int = _link_fk()
    track_link_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("track_link.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    job_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("job.id", ondelete="SET NULL"), nullable=True),
    )
    value_a: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    value_b: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    baseline_known: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    baseline_rating: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    evidence: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(LosslessJson(), nullable=False)
    )
    status: str = Field(default="open", sa_column=Column(String(16), nullable=False))
    resolution: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    resolved_value: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    created_at: datetime = _created()
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )


class JournalEntry(SQLModel, table=True):
    """One write a job made: side, item, before and after; what undo restores.

    Write-ahead: the entry is committed ``pending`` (``after`` the value being written)
    before the write touches the item, and settled after it is verified (``state``: see
    ``app.domain.journal.WriteState``; ``done`` rows hold the re-read value in ``after``).
    ``baseline_after``: the pair's baseline once the write is verified (the agreed value of
    a run's write; for an undo's write, the value the other side keeps).
    """

    __tablename__ = "journal"
    __table_args__ = (
        Index("ix_journal_job_id", "job_id"),
        Index("ix_journal_item_key_created_at", "item_key", "created_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    job_id: int = Field(
        sa_column=Column(Integer, ForeignKey("job.id", ondelete="CASCADE"), nullable=False)
    )
    track_link_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("track_link.id", ondelete="SET NULL"), nullable=True),
    )
    side: str = Field(sa_column=Column(String(1), nullable=False))
    item_key: str = Field(sa_column=Column(LosslessText(), nullable=False))
    before: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    after: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    baseline_known_before: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    baseline_before: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    state: str = Field(
        default="done", sa_column=Column(String(16), nullable=False, server_default="done")
    )
    baseline_after: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    created_at: datetime = _created()
    settled_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    undone_by_job_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
