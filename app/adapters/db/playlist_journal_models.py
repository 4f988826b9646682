"""The playlists sync's write-ahead journal: one row per playlist a job created, rewrote or
deleted, journaled before the write and settled after it (states of
``app.domain.journal.WriteState``), with what undo restores.

``before``/``after`` hold a playlist as it was and as the job left it, or NULL for "did not
exist": a Plex playlist as ``{"title": …, "keys": [ratingKey, …]}`` (its items in order), a
playlist file as ``{"b64": …}`` (its exact bytes). ``ref`` is the Plex playlist id or the
file's name in the playlist folder (NULL while a Plex playlist being created has none yet).
Names and titles are stored losslessly (a Latin-1 file name comes back as the same bytes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from app.adapters.db.models import _created
from app.adapters.db.types import LosslessJson, LosslessText, UtcDateTime

__all__ = ["PlaylistJournalEntry"]


class PlaylistJournalEntry(SQLModel, table=True):
    __tablename__ = "playlist_journal"
    __table_args__ = (Index("ix_playlist_journal_job_id", "job_id"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    job_id: int = Field(
        sa_column=Column(Integer, ForeignKey("job.id", ondelete="CASCADE"), nullable=False)
    )
    pair_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("playlist_pair.id", ondelete="SET NULL"), nullable=True
        ),
    )
    side: str = Field(sa_column=Column(String(1), nullable=False))
    ref: str | None = Field(default=None, sa_column=Column(LosslessText(), nullable=True))
    title: str = Field(sa_column=Column(LosslessText(), nullable=False))
    before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(LosslessJson(), nullable=True)
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=Column(LosslessJson(), nullable=True)
    )
    state: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = _created()
    settled_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    undone_by_job_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
