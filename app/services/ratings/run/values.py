"""The values one ratings run passes between its steps, and the names it reports with.

:class:`LinkRules` is a link's settings as the sync needs them; :class:`PlannedPair` is one
pair's plan; :class:`SyncSummary` is the closing summary of a run (stored as the job's
counters, named by :class:`RatingsCounter`); :class:`RatingsEvent` names the actions of the
events a run, an undo and a crash reconcile report (the job log shows them as they are).
Ratings are stored as half stars (``None`` = unrated): :func:`to_rating`, :func:`to_half_stars`
and :func:`held_value` convert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.links import Direction, Side
from app.domain.matching import MatchThresholds
from app.domain.ratings.merge import MergeDecision, Policy
from app.domain.ratings.records import MatchStatus as MatchStatus  # its home is the domain
from app.domain.ratings.value import Rating
from app.services.ports import SideItem


class RatingsEvent(StrEnum):
    """The action of an event a ratings run, undo or reconcile reports."""

    REVIEW = "review"
    UNMATCHED = "unmatched"
    MATCH_LOST = "match_lost"
    MATCH_MOVED = "match_moved"
    TAGS_DISAGREE = "tags_disagree"
    WRITE_A = "write_a"
    WRITE_B = "write_b"
    CONFLICT = "conflict"
    SKIP_DIRECTION = "skip_direction"
    ERROR = "error"
    RECONCILED = "reconciled"
    NOTHING_TO_UNDO = "nothing_to_undo"
    CHANGED_SINCE = "changed_since"
    NOT_APPLIED = "not_applied"
    UNDO_STICKS = "undo_sticks"

    @staticmethod
    def write_on(side: Side) -> RatingsEvent:
        return RatingsEvent.WRITE_A if side is Side.A else RatingsEvent.WRITE_B


class RunPhase(StrEnum):
    """The phases a ratings run or undo reports progress in (besides ``scanning <side>``)."""

    MATCHING = "matching"
    PLANNING = "planning"
    WRITING = "writing"
    UNDOING = "undoing"


class RatingsCounter(StrEnum):
    """The counters of a ratings run (the fields of :class:`SyncSummary`, in order)."""

    ITEMS_A = "items_a"
    ITEMS_B = "items_b"
    PAIRS = "pairs"
    MATCHED_NEW = "matched_new"
    REVIEW = "review"
    UNMATCHED_A = "unmatched_a"
    UNMATCHED_B = "unmatched_b"
    UNCHANGED = "unchanged"
    WRITTEN_A = "written_a"
    WRITTEN_B = "written_b"
    BASELINES_RECORDED = "baselines_recorded"
    CONFLICTS = "conflicts"
    SKIPPED = "skipped"
    KEPT = "kept"
    ERRORS = "errors"


@dataclass(frozen=True, slots=True)
class LinkRules:
    """A ratings link's settings, as the sync needs them."""

    direction: Direction = Direction.BOTH
    policy: Policy = Policy.ASK
    first_run_primary: Side | None = None
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)


@dataclass
class SyncSummary:
    """The closing summary of a run (also stored as the job's counters)."""

    items_a: int = 0
    items_b: int = 0
    pairs: int = 0
    matched_new: int = 0
    review: int = 0
    unmatched_a: int = 0
    unmatched_b: int = 0
    unchanged: int = 0
    written_a: int = 0
    written_b: int = 0
    baselines_recorded: int = 0
    conflicts: int = 0
    skipped: int = 0
    kept: int = 0
    errors: int = 0

    def as_counters(self) -> dict[str, int]:
        return {counter.value: int(getattr(self, counter.value)) for counter in RatingsCounter}

    def count_write(self, side: Side) -> None:
        if side is Side.A:
            self.written_a += 1
        else:
            self.written_b += 1


@dataclass(frozen=True, slots=True)
class PlannedPair:
    track_link_id: int | None
    a: SideItem
    b: SideItem
    baseline_known: bool
    baseline_rating: int | None
    decision: MergeDecision


def to_rating(half_stars: int | None) -> Rating | None:
    return None if half_stars is None else Rating(half_stars)


def to_half_stars(rating: Rating | None) -> int | None:
    return None if rating is None else rating.half_stars


def held_value(rating: Rating | None) -> int:
    """A side's value as ``TrackLink.baseline_*_held`` stores it: half stars, 0 = unrated."""
    return 0 if rating is None else rating.half_stars


def item_name(item: SideItem) -> str:
    """``Artist – Title`` (``""`` for an item without a title)."""
    track = item.track
    if not track.title:
        return ""
    return f"{track.artist} – {track.title}" if track.artist else track.title


def item_label(item: SideItem) -> str:
    """``Artist – Title (Album) [key]``: how events, conflicts and matches name an item; the
    key (a Plex ratingKey, a file's path) is the part in brackets."""
    name = item_name(item)
    if not name:
        return item.key
    album = f" ({item.track.album})" if item.track.album else ""
    return f"{name}{album} [{item.key}]"
