"""Rating value: the canonical half stars and the one rounding rule (docs/RATINGS.md), one
table row per case."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.errors import InvalidInput
from app.domain.ratings.value import Rating, round_half_up

R = Rating


# --- the canonical value ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (7.5, 8),
        (7.49, 7),
        (6.5, 7),
        (0.5, 1),
        (0.49, 0),
        (Fraction(15, 2), 8),
        (Decimal("2.5"), 3),
        (0.35 * 10, 4),  # 3.5 on paper: halves go up, whatever the float noise
        (4, 4),
        (-0.5, 0),
    ],
)
def test_round_half_up(value: float | Fraction | Decimal, rounded: int) -> None:
    assert round_half_up(value) == rounded


def test_round_half_up_refuses_nan() -> None:
    with pytest.raises(ValueError, match="cannot round nan"):
        round_half_up(float("nan"))


@pytest.mark.parametrize("half_stars", [0, 11, -1])
def test_rating_range(half_stars: int) -> None:
    with pytest.raises(ValueError, match=r"half_stars must be 1\.\.10"):
        Rating(half_stars)


def test_rating_is_an_int() -> None:
    with pytest.raises(TypeError):
        Rating(True)


@pytest.mark.parametrize(
    ("stars", "expected"),
    [
        (3.5, R(7)),
        ("3.5", R(7)),
        ("3,5", R(7)),
        (5, R(10)),
        (0.5, R(1)),
        (0.25, R(1)),  # 0.5 half stars rounds up to ½★
        (0.1, R(1)),  # any non-zero value is at least ½★
        (3.74, R(7)),
        (3.75, R(8)),
        (0, None),
    ],
)
def test_rating_from_stars(stars: float | str, expected: Rating | None) -> None:
    assert Rating.from_stars(stars) == expected


@pytest.mark.parametrize("stars", [5.5, -1, "x", "1e3"])
def test_rating_from_bad_stars(stars: float | str) -> None:
    with pytest.raises(InvalidInput):
        Rating.from_stars(stars)


@pytest.mark.parametrize(
    ("user_rating", "expected"),
    [(None, None), (0.0, None), (7.0, R(7)), (7.5, R(8)), (10.0, R(10)), (0.2, R(1))],
)
def test_rating_from_plex(user_rating: float | None, expected: Rating | None) -> None:
    assert Rating.from_plex(user_rating) == expected


@pytest.mark.parametrize("user_rating", [-1.0, 10.5, float("inf")])
def test_rating_from_bad_plex(user_rating: float) -> None:
    with pytest.raises(InvalidInput):
        Rating.from_plex(user_rating)


@pytest.mark.parametrize(
    ("rating", "shown", "stars"), [(R(1), "½★", 0.5), (R(7), "3½★", 3.5), (R(10), "5★", 5.0)]
)
def test_rating_display(rating: Rating, shown: str, stars: float) -> None:
    assert str(rating) == shown
    assert rating.stars == stars
    assert rating.to_plex() == float(rating.half_stars)
