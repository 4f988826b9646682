"""Tables of the playlists sync: PlaylistPair (with its baseline) and PlaylistConflict.

A *pair* is one playlist kept in step by a ``playlists`` link: its identity on side A
(``a_ref``: a Plex playlist id, or the file name of a playlist in A's folder) and on side B
(``b_ref``: the file name in B's playlist folder). Either ref is NULL while that side has no
copy (not created yet, or deleted there and kept on the other side because the link may not
delete). ``baseline`` is the list of entry keys both sides last agreed on, in order; NULL
means no baseline yet (first-run rules apply).

Playlist conflicts get their own table rather than sharing the ratings ``conflict`` table:
that one is keyed by a track match and holds two ratings, while a playlist conflict holds two
whole entry lists (with labels, so the dashboard can show the diff after the tracks changed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.adapters.db.models import _created
from app.adapters.db.types import LosslessJson, LosslessText, UtcDateTime

__all__ = ["PlaylistConflict", "PlaylistPair"]


def _link_fk() -> Any:
    return Field(
        sa_column=Column(Integer, ForeignKey("link.id", ondelete="CASCADE"), nullable=False)
    )


def _job_fk() -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("job.id", ondelete="SET NULL"), nullable=True),
    )


class PlaylistPair(SQLModel, table=True):
    __tablename__ = "playlist_pair"
    __table_args__ = (
        UniqueConstraint("link_id", "a_ref"),
        UniqueConstraint("link_id", "b_ref"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    link_id: int = _link_fk()
    a_ref: str | None = Field(default=None, sa_column=Column(LosslessText(), nullable=True))
    b_ref: str | None = Field(default=None, sa_column=Column(LosslessText(), nullable=True))
    title: str = Field(sa_column=Column(LosslessText(), nullable=False))
    baseline: list[str] | None = Field(
        default=None, sa_column=Column(LosslessJson(), nullable=True)
    )
    baseline_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    # After an undo: a digest of what the restored copy holds; while it still holds exactly
    # that, it counts as unchanged since the baseline (the undo sticks until a side changes).
    a_held: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    b_held: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    last_job_id: int | None = _job_fk()
    last_run_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    created_at: datetime = _created()
    updated_at: datetime = _created()


class PlaylistConflict(SQLModel, table=True):
    """Both copies of a pair changed differently since the baseline (or differ on a first run)
    and the link's policy did not settle it. ``a_entries``/``b_entries`` are ``[key, label]``
    lists in playlist order; ``baseline`` the keys both last agreed on (NULL: none)."""

    __tablename__ = "playlist_conflict"
    __table_args__ = (Index("ix_playlist_conflict_link_id_status", "link_id", "status"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    link_id: int = _link_fk()
    pair_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("playlist_pair.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    job_id: int | None = _job_fk()
    title: str = Field(sa_column=Column(LosslessText(), nullable=False))
    a_entries: list[list[str]] = Field(
        default_factory=list, sa_column=Column(LosslessJson(), nullable=False)
    )
    b_entries: list[list[str]] = Field(
        default_factory=list, sa_column=Column(LosslessJson(), nullable=False)
    )
    baseline: list[str] | None = Field(
        default=None, sa_column=Column(LosslessJson(), nullable=True)
    )
    status: str = Field(default="open", sa_column=Column(String(16), nullable=False))
    resolution: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    created_at: datetime = _created()
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
