"""Resolution of several rating tags in one file (pure): a :class:`ReadPolicy` settles tags that
disagree (priority, highest, lowest, average, or ask) into one :class:`Resolution`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import POPM_EMAILS, TagReading, dialect
from app.domain.ratings.profiles import WriteProfile, unique_in_order
from app.domain.ratings.value import Rating, round_half_up


class ReadPolicyKind(StrEnum):
    PRIORITY = "priority"
    HIGHEST = "highest"
    LOWEST = "lowest"
    AVERAGE = "average"
    ASK = "ask"


DEFAULT_PRIORITY: tuple[str, ...] = (
    "popm:musicbee",
    "popm:mediamonkey",
    "popm:plex",
    "popm:windows",
    "popm:winamp",
    "txxx:fmps_rating",
    "txxx:rating",
    "popm:picard",
    "popm:quodlibet",
    "vorbis:rating",
    "vorbis:fmps_rating",
    "mp4:itunes_rate",
    "mp4:itunes_rating",
    "mp4:rate",
    "asf:shareduserrating",
    "ape:rating",
)


# Short names a person (or plex-music-rating-sync's --tag-priority-order) may give for dialects.
PRIORITY_ALIASES: dict[str, tuple[str, ...]] = {
    "windowsmediaplayer": ("popm:windows",),
    "wmp": ("popm:windows",),
    "text": ("txxx:rating",),
    "fmps": ("txxx:fmps_rating", "vorbis:fmps_rating"),
}


def parse_priority(items: str | Sequence[str]) -> tuple[str, ...]:
    """A read priority list from a person: ``"musicbee, windows, vorbis:rating"`` or a list.

    Each item is a dialect id (``popm:<email or player>``, ``vorbis:rating``, ...), a player
    whose POPM frame it means (``musicbee``, ``windows``, ``winamp``, ``plex``, ...), or one of
    plex-music-rating-sync's tag names (``WINDOWSMEDIAPLAYER``, ``MEDIAMONKEY``, ``MUSICBEE``,
    ``WINAMP``, ``TEXT``, ``POPM:<email>``); case does not matter. Unknown items are an
    InvalidInput naming them."""
    raw = items.split(",") if isinstance(items, str) else list(items)
    ids: list[str] = []
    for item in (part.strip() for part in raw):
        if not item:
            continue
        alias = PRIORITY_ALIASES.get(item.lower())
        if alias is not None:
            ids.extend(alias)
        elif ":" in item:
            ids.append(dialect(item).id)
        elif item.lower() in POPM_EMAILS:
            ids.append(dialect(f"popm:{item}").id)
        else:
            known = ", ".join((*POPM_EMAILS, *PRIORITY_ALIASES))
            raise InvalidInput(
                f"unknown tag {item!r} in the read priority; use a dialect id such as "
                f"popm:<email> or vorbis:rating, or one of: {known}"
            )
    if not ids:
        raise InvalidInput("the read priority list is empty")
    return unique_in_order(ids)


@dataclass(frozen=True, slots=True)
class ReadPolicy:
    """How to settle disagreeing tags. ``priority`` lists dialect ids, first present wins;
    tags it does not name come after it, in file order."""

    kind: ReadPolicyKind = ReadPolicyKind.PRIORITY
    priority: tuple[str, ...] = DEFAULT_PRIORITY

    @classmethod
    def parse(cls, kind: str, priority: Sequence[str] | None = None) -> ReadPolicy:
        try:
            parsed = ReadPolicyKind(kind.strip().lower())
        except ValueError:
            names = ", ".join(k.value for k in ReadPolicyKind)
            raise InvalidInput(f"unknown read policy {kind!r}; use one of: {names}") from None
        order = DEFAULT_PRIORITY if priority is None else tuple(priority)
        return cls(parsed, tuple(dialect(d).id for d in order))

    @classmethod
    def for_profile(
        cls,
        profile: WriteProfile,
        kind: ReadPolicyKind = ReadPolicyKind.PRIORITY,
        priority: Sequence[str] = (),
    ) -> ReadPolicy:
        """The priority list: ``priority`` (a person's, if any), then the profile's write
        dialects, then the others."""
        order = (*priority, *profile.all_defaults(), *DEFAULT_PRIORITY)
        return cls(kind, unique_in_order(order))


@dataclass(frozen=True, slots=True)
class Resolution:
    """A file's rating from its tags, and why.

    ``decided_by``: ``unrated`` (no tag holds a rating), ``agreement``, ``priority:<dialect>``,
    ``highest``, ``lowest``, ``average`` or ``ask`` (then ``needs_decision`` and no rating).
    Tags that hold no rating (unrated "0", invalid values) are evidence but have no vote.
    """

    rating: Rating | None
    disagreement: bool
    decided_by: str
    evidence: tuple[TagReading, ...]
    needs_decision: bool = False


def resolve(readings: Iterable[TagReading], policy: ReadPolicy) -> Resolution:
    evidence = tuple(readings)
    rated = [r for r in evidence if r.rating is not None]
    values = {r.rating for r in rated}
    if not rated:
        return Resolution(None, False, "unrated", evidence)
    if len(values) == 1:
        return Resolution(rated[0].rating, False, "agreement", evidence)
    ratings = [r.rating for r in rated if r.rating is not None]
    kind = policy.kind
    if kind is ReadPolicyKind.ASK:
        return Resolution(None, True, "ask", evidence, needs_decision=True)
    if kind is ReadPolicyKind.HIGHEST:
        return Resolution(max(ratings), True, "highest", evidence)
    if kind is ReadPolicyKind.LOWEST:
        return Resolution(min(ratings), True, "lowest", evidence)
    if kind is ReadPolicyKind.AVERAGE:
        mean = Fraction(sum(r.half_stars for r in ratings), len(ratings))
        return Resolution(Rating(round_half_up(mean)), True, "average", evidence)
    for dialect_id in policy.priority:
        for reading in rated:
            if reading.dialect == dialect_id:
                return Resolution(reading.rating, True, f"priority:{dialect_id}", evidence)
    first = rated[0]
    return Resolution(first.rating, True, f"priority:{first.dialect}", evidence)
