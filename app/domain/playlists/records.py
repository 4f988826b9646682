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


def half_written(before: PlaylistState, after: PlaylistState, current: PlaylistState) -> bool:
    """Could ``current`` be what an interrupted write of a Plex playlist (``before`` ->
    ``after``: rows removed, appended and moved one request at a time) left behind? Yes when it
    bears the title of one of them and holds no entry that neither held, none more often than
    the two together. A playlist file is written whole (a rename), so never."""
    if current is None or "keys" not in current:
        return False
    ends = [state for state in (before, after) if state is not None and "keys" in state]
    if not ends or current.get("title") not in {state.get("title") for state in ends}:
        return False
    allowed: dict[str, int] = {}
    for state in ends:
        for key in state["keys"]:
            allowed[key] = allowed.get(key, 0) + 1
    held: dict[str, int] = {}
    for key in current["keys"]:
        held[key] = held.get(key, 0) + 1
    return all(count <= allowed.get(key, 0) for key, count in held.items())


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
