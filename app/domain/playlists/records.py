"""The records of playlist pairs, playlist conflicts and the playlist journal's writes, as
services see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PlaylistPairRecord:
    id: int
    link_id: int
    a_ref: str | None
    b_ref: str | None
    title: str
    baseline: tuple[str, ...] | None
    baseline_at: datetime | None
    last_job_id: int | None
    last_run_at: datetime | None
    updated_at: datetime
    a_held: str | None = None
    b_held: str | None = None


@dataclass(frozen=True, slots=True)
class ConflictEntry:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class PlaylistConflictRecord:
    id: int
    link_id: int
    pair_id: int
    job_id: int | None
    title: str
    a_entries: tuple[ConflictEntry, ...]
    b_entries: tuple[ConflictEntry, ...]
    baseline: tuple[str, ...] | None
    status: str
    resolution: str | None
    created_at: datetime
    resolved_at: datetime | None


PlaylistState = dict[str, Any] | None
"""A playlist as journaled (see ``PlaylistJournalEntry``); None: it did not exist."""


@dataclass(frozen=True, slots=True)
class NewPlaylistWrite:
    pair_id: int | None
    side: str
    ref: str | None
    title: str
    before: PlaylistState
    after: PlaylistState  # what it is to hold (pending), or held once verified
    state: str = "pending"


@dataclass(frozen=True, slots=True)
class PlaylistWriteRecord:
    id: int
    job_id: int
    pair_id: int | None
    side: str
    ref: str | None
    title: str
    before: PlaylistState
    after: PlaylistState
    state: str
    undone_by_job_id: int | None
