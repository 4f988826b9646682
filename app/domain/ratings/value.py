"""The canonical rating value (pure): :class:`Rating`, an integer 1..10 in half stars (2 = one
star, 10 = five stars), or ``None`` for unrated.

Rounding from any finer scale is *round half up*, done only by :func:`round_half_up`. Text
values parse as numbers (``" 80 "``, ``"4,5"``, ``"80.0"``) with :func:`parse_number`. See
``docs/RATINGS.md`` for the conventions and the decisions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from app.domain.errors import InvalidInput

MIN_HALF_STARS = 1
MAX_HALF_STARS = 10


def round_half_up(value: Fraction | Decimal | int | float) -> int:
    """The one rounding rule of Crossfade: to the nearest integer, halves up (7.5 -> 8).

    Floats are taken at their shortest decimal spelling (``0.35`` is 7/20, not the binary
    value just below it), so ``0.35 * 10`` style inputs round the way a person expects.
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot round {value!r}")
        exact = Fraction(repr(value))
    else:
        exact = Fraction(value)
    return math.floor(exact + Fraction(1, 2))


_NUMBER = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")


def parse_number(text: str) -> Decimal | None:
    """``" 80 "``, ``"4,5"``, ``"80.0"`` -> Decimal; anything else (signs, words) -> None."""
    cleaned = text.strip().replace(",", ".")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def clamp_half_stars(half_stars: int) -> int:
    return max(MIN_HALF_STARS, min(MAX_HALF_STARS, half_stars))


@dataclass(frozen=True, order=True, slots=True)
class Rating:
    """A rating in half stars, 1..10 (2 = one star). Unrated is ``None``, never a Rating."""

    half_stars: int

    def __post_init__(self) -> None:
        if isinstance(self.half_stars, bool) or not isinstance(self.half_stars, int):
            raise TypeError(f"half_stars must be an int, not {type(self.half_stars).__name__}")
        if not MIN_HALF_STARS <= self.half_stars <= MAX_HALF_STARS:
            raise ValueError(f"half_stars must be 1..10, not {self.half_stars}")

    @property
    def stars(self) -> float:
        return self.half_stars / 2

    @classmethod
    def from_stars(cls, stars: float | str | Decimal) -> Rating | None:
        """``3.5`` -> 7 half stars; 0 -> unrated; finer values round half up, at least ½★."""
        value = parse_number(stars) if isinstance(stars, str) else stars
        if value is None:
            raise InvalidInput(f"not a number of stars: {stars!r}")
        exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
        if not 0 <= exact <= 5:
            raise InvalidInput(f"stars must be between 0 and 5, not {stars}")
        if exact == 0:
            return None
        return cls(clamp_half_stars(round_half_up(exact * 2)))

    @classmethod
    def from_plex(cls, user_rating: float | None) -> Rating | None:
        """Plex ``userRating`` (0..10, absent or 0 = unrated) -> Rating."""
        if user_rating is None:
            return None
        if not math.isfinite(user_rating) or not 0 <= user_rating <= 10:
            raise InvalidInput(f"a Plex rating is 0..10, not {user_rating}")
        if user_rating == 0:
            return None
        return cls(clamp_half_stars(round_half_up(user_rating)))

    def to_plex(self) -> float:
        return float(self.half_stars)

    def __str__(self) -> str:
        whole, half = divmod(self.half_stars, 2)
        return f"{whole}{'½' if half else ''}★" if whole else "½★"


def half_stars_of(rating: Rating | None) -> int:
    """0 for unrated, else 1..10: handy for JSON and the DB."""
    return 0 if rating is None else rating.half_stars
