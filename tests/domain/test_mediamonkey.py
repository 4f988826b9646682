"""MediaMonkey's conventions as tables: rating scale both ways, path forms, trigger events."""

from __future__ import annotations

import pytest

from app.domain.mediamonkey import (
    PathForm,
    full_path,
    path_form,
    rating_from_mm,
    rating_to_mm,
    trigger_fires_on,
    unrated_value,
)
from app.domain.ratings.value import Rating


@pytest.mark.parametrize(
    ("value", "half_stars"),
    [(None, None), (-1, None), (0, None), (10, 1), (20, 2), (50, 5), (70, 7), (85, 9),
     (95, 10), (100, 10), (120, 10), (4, 1), (5, 1)],
)  # fmt: skip
def test_rating_from_mm(value: int | None, half_stars: int | None) -> None:
    rating = rating_from_mm(value)
    assert (None if rating is None else rating.half_stars) == half_stars


@pytest.mark.parametrize(
    ("half_stars", "unrated", "value"),
    [(None, -1, -1), (None, 0, 0), (1, -1, 10), (7, -1, 70), (10, -1, 100)],
)
def test_rating_to_mm(half_stars: int | None, unrated: int, value: int) -> None:
    rating = None if half_stars is None else Rating(half_stars)
    assert rating_to_mm(rating, unrated) == value
    assert rating_from_mm(value) == rating


@pytest.mark.parametrize(
    ("negatives", "zeros", "unrated"), [(0, 0, -1), (5, 0, -1), (5, 3, -1), (0, 3, 0)]
)
def test_unrated_value_follows_the_database(negatives: int, zeros: int, unrated: int) -> None:
    assert unrated_value(negatives, zeros) == unrated


@pytest.mark.parametrize(
    ("song_path", "drive", "form", "path"),
    [
        (":\\Music\\a.mp3", 3, PathForm.DRIVE, "D:\\Music\\a.mp3"),
        (":\\Music\\a.mp3", 0, PathForm.DRIVE, "A:\\Music\\a.mp3"),
        (":\\Music\\a.mp3", None, PathForm.DRIVE, None),
        (":\\Music\\a.mp3", 26, PathForm.DRIVE, None),
        ("\\\\nas\\music\\a.mp3", None, PathForm.UNC, "\\\\nas\\music\\a.mp3"),
        ("E:\\odd\\a.mp3", 3, PathForm.OTHER, "E:\\odd\\a.mp3"),
    ],
)
def test_full_path(song_path: str, drive: int | None, form: PathForm, path: str | None) -> None:
    assert path_form(song_path) is form
    assert full_path(song_path, drive) == path


@pytest.mark.parametrize(
    ("sql", "event", "columns", "fires"),
    [
        ("CREATE TRIGGER t AFTER UPDATE ON Songs BEGIN SELECT 1; END", "UPDATE", {"Rating"}, True),
        ("CREATE TRIGGER t AFTER UPDATE OF SongTitle, Artist ON Songs BEGIN SELECT 1; END",
         "UPDATE", {"Rating"}, False),
        ('CREATE TRIGGER t UPDATE OF "Rating" ON Songs BEGIN SELECT 1; END', "UPDATE",
         {"rating"}, True),
        ("CREATE TRIGGER t AFTER DELETE ON Songs BEGIN SELECT 1; END", "UPDATE", {"Rating"}, False),
        ("CREATE TRIGGER t BEFORE INSERT ON PlaylistSongs BEGIN SELECT 1; END", "INSERT", set(),
         True),
        ("not a trigger at all", "UPDATE", {"Rating"}, True),
    ],
)  # fmt: skip
def test_trigger_fires_on(sql: str, event: str, columns: set[str], fires: bool) -> None:
    assert trigger_fires_on(sql, event, frozenset(columns)) is fires
