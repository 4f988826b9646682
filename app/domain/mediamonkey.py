"""MediaMonkey's database conventions (pure): its rating scale, how a song's full path is
formed, and which triggers an update of given columns fires.

Ratings are 0..100 in ``Songs.Rating``, 20 per star and 10 per half star. A negative value or
NULL means "not rated"; 0 is MediaMonkey's explicit "zero stars", which Crossfade (ratings of
½★..5★) also reads as unrated. Clearing a rating writes the database's own "unrated" value
(:func:`unrated_value`: -1, unless the database only ever uses 0), never a guess.

``Songs.SongPath`` is stored without its drive letter (``:\\Music\\a.mp3``), the letter coming
from ``Medias.DriveLetter`` (0 = A); UNC paths (``\\\\nas\\music\\a.mp3``) are stored whole.
"""

from __future__ import annotations

import re
from enum import StrEnum

from app.domain.ratings.value import Rating, clamp_half_stars, round_half_up

MM_PER_HALF_STAR = 10
MM_UNRATED = -1


class PathForm(StrEnum):
    """How a ``SongPath`` is written: ``drive`` (``:\\...`` + a drive letter), ``unc``
    (``\\\\server\\share\\...``), ``other`` (anything else: kept as it is, reported)."""

    DRIVE = "drive"
    UNC = "unc"
    OTHER = "other"


def rating_from_mm(value: int | float | None) -> Rating | None:
    """The rating of a ``Songs.Rating`` value (values between steps round half up)."""
    if value is None or value <= 0:
        return None
    return Rating(clamp_half_stars(round_half_up(value / MM_PER_HALF_STAR)))


def rating_to_mm(rating: Rating | None, unrated: int = MM_UNRATED) -> int:
    """The ``Songs.Rating`` value of ``rating`` (``unrated`` for None)."""
    return unrated if rating is None else rating.half_stars * MM_PER_HALF_STAR


def unrated_value(negative_count: int, zero_count: int) -> int:
    """What this database writes for "not rated": -1, unless it holds zeros and no negatives."""
    return 0 if zero_count and not negative_count else MM_UNRATED


def path_form(song_path: str) -> PathForm:
    if song_path.startswith(":\\") or song_path.startswith(":/"):
        return PathForm.DRIVE
    if song_path.startswith("\\\\"):
        return PathForm.UNC
    return PathForm.OTHER


def full_path(song_path: str, drive_letter: int | None) -> str | None:
    """The Windows path of a song: the drive letter put back on a ``:\\`` path (None when the
    song's media has no letter), a UNC or other path as stored."""
    if path_form(song_path) is not PathForm.DRIVE:
        return song_path
    if drive_letter is None or not 0 <= drive_letter < 26:
        return None
    return chr(ord("A") + drive_letter) + song_path


_TRIGGER = re.compile(
    r"""CREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+
        (?:BEFORE\s+|AFTER\s+|INSTEAD\s+OF\s+)?
        (?P<event>DELETE|INSERT|UPDATE)(?:\s+OF\s+(?P<columns>.+?))?\s+ON\s""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def trigger_fires_on(sql: str, event: str, columns: frozenset[str] = frozenset()) -> bool:
    """Whether a trigger (its ``CREATE TRIGGER`` text) fires on ``event`` (``UPDATE``,
    ``INSERT``, ``DELETE``) of its table; an ``UPDATE OF a, b`` trigger fires only when one of
    ``columns`` is among its own. Text that cannot be read counts as firing (the safe side)."""
    found = _TRIGGER.match(sql.strip())
    if found is None:
        return True
    if found["event"].upper() != event.upper():
        return False
    if found["columns"] is None or event.upper() != "UPDATE":
        return True
    named = {part.strip().strip('"[]`').casefold() for part in found["columns"].split(",")}
    return any(column.casefold() in named for column in columns)
