"""Half stars to the whole stars of the Subsonic API and back (the stated rounding rule)."""

from __future__ import annotations

import pytest

from app.domain.ratings.value import Rating
from app.domain.subsonic import rating_of_stars, stars_of


@pytest.mark.parametrize(
    ("half_stars", "stars"),
    [
        (None, 0),  # unrated clears the rating (setRating 0)
        (1, 1),  # ½★ rounds up: a rated track never becomes unrated
        (2, 1),
        (3, 2),
        (4, 2),
        (5, 3),
        (6, 3),
        (7, 4),  # 3½★ -> 4★
        (8, 4),
        (9, 5),
        (10, 5),
    ],
)
def test_half_stars_round_up_to_whole_stars(half_stars: int | None, stars: int) -> None:
    rating = None if half_stars is None else Rating(half_stars)
    assert stars_of(rating) == stars


@pytest.mark.parametrize(
    ("stars", "half_stars"),
    [(None, None), (0, None), (1, 2), (3, 6), (5, 10), (6, None), (-1, None)],
)
def test_server_stars_read_as_ratings(stars: int | None, half_stars: int | None) -> None:
    rating = rating_of_stars(stars)
    assert (None if rating is None else rating.half_stars) == half_stars


@pytest.mark.parametrize("half_stars", range(1, 11))
def test_a_rounded_rating_is_stable(half_stars: int) -> None:
    """Rounding once settles: what the server holds rounds to itself."""
    held = rating_of_stars(stars_of(Rating(half_stars)))
    assert held is not None
    assert stars_of(held) == stars_of(Rating(half_stars))
