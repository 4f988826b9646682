"""Values the tags adapter returns: what a file says, and what a write did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.domain.ratings.dialects import TagReading
from app.domain.ratings.resolution import ReadPolicy, Resolution, resolve
from app.domain.ratings.value import Rating

HardlinkPolicy = Literal["in_place_or_skip", "always", "skip"]
WriteMethod = Literal["unchanged", "dry_run", "in_place", "rewrite", "rewrite_in_place"]


@dataclass(frozen=True, slots=True)
class TrackMeta:
    """The plain metadata the sync matches tracks by."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    duration_s: float | None = None
    musicbrainz_recording_id: str | None = None


@dataclass(frozen=True, slots=True)
class FileTags:
    """Everything one read of a file found: its format, every rating tag, the match metadata,
    and the size and mtime it had when read (for a file-state cache)."""

    path: str
    format: str
    tags: tuple[TagReading, ...]
    meta: TrackMeta
    size_bytes: int
    mtime_ns: int

    def resolve(self, policy: ReadPolicy) -> Resolution:
        return resolve(self.tags, policy)


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How to write: keep the mtime, what to do with hardlinked files, or only plan."""

    preserve_mtime: bool = False
    hardlinks: HardlinkPolicy = "in_place_or_skip"
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class TagChange:
    """One tag a write set (``after`` None: removed). ``before`` lists the values it had."""

    dialect: str
    before: tuple[str, ...]
    after: str | None
    rating: Rating | None


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What a write did.

    ``method``: ``unchanged`` (the file already said it), ``dry_run`` (planned only),
    ``in_place`` (the tag fitted: one write inside the existing tag space), ``rewrite`` (a
    verified temporary copy renamed over the file) or ``rewrite_in_place`` (a hardlinked file
    with ``hardlinks="always"``: rewritten in place behind a backup copy).
    ``tags`` are the rating tags the file holds afterwards (planned ones for a dry run);
    ``size_bytes``/``mtime_ns`` its state afterwards.
    """

    path: str
    format: str
    requested: Rating | None
    method: WriteMethod
    changes: tuple[TagChange, ...]
    tags: tuple[TagReading, ...]
    size_bytes: int
    mtime_ns: int

    @property
    def changed(self) -> bool:
        return self.method in ("in_place", "rewrite", "rewrite_in_place")

    @property
    def lossy(self) -> bool:
        """A tag holds less than was asked (WMA and Picard keep whole stars: ½ rounds up)."""
        return any(change.rating != self.requested for change in self.changes if change.after)
