"""The records of the ratings sync as services see them: track links with their baselines,
file states, conflicts and journal entries (read and new). The database adapter
(``app.adapters.db.sync_repo``) maps its tables onto these; services never see the tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.domain.names import from_store_json


class MatchStatus(StrEnum):
    """A stored track link's status: synced (``auto``, ``confirmed``) or not (``review``,
    ``rejected``)."""

    AUTO = "auto"
    CONFIRMED = "confirmed"
    REVIEW = "review"
    REJECTED = "rejected"


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


class FileCache(StrEnum):
    """How a run uses a music folder's file-state cache (never the baselines: they are the
    sync's memory, not a cache).

    ``use``: a file whose size and mtime match its cached state is not opened; ``ignore``
    (``--no-cache``): every file is opened and its state refreshed; ``clear``
    (``--clear-cache``): as ``ignore``, and every cached state the run did not read again is
    forgotten too. A dry run reads the same way and keeps the cache as it is."""

    USE = "use"
    IGNORE = "ignore"
    CLEAR = "clear"


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
