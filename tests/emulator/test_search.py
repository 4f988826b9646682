from __future__ import annotations

import pytest

from plex_emulator.errors import HttpError
from plex_emulator.model import Track, UserData
from plex_emulator.search import Filter, matches, parse_filters, parse_sort, sort_items
from plex_emulator.synthetic import synthetic_tracks

NOW = 1_700_000_000


def _track(n: int, title: str = "T", added: int = NOW) -> Track:
    source = synthetic_tracks(n + 1)[n]
    source = source.__class__(**{**source.__dict__, "title": title})
    return Track(n, 1, source, 0, 0, n, f"local://{n}", added, added)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("track.userRating>>", "0", Filter("userRating", ">>=", ("0",))),
        ("track.lastRatedAt>>", "-7d", Filter("lastRatedAt", ">>=", (str(NOW - 7 * 86400),))),
        ("track.addedAt<<", "1600000000", Filter("addedAt", "<<=", ("1600000000",))),
        ("track.title=", "Exact", Filter("title", "==", ("Exact",))),
        ("track.title!", "x", Filter("title", "!=", ("x",))),
        ("track.title!=", "x", Filter("title", "!==", ("x",))),
        ("track.title<", "Be", Filter("title", "<=", ("Be",))),
        ("track.title>", "gin", Filter("title", ">=", ("gin",))),
        ("id!", "5", Filter("id", "!=", ("5",))),
        ("userRating", "2,4", Filter("userRating", "=", ("2", "4"))),
        ("track.lastRatedAt>>", "2mon", Filter("lastRatedAt", ">>=", (str(NOW - 60 * 86400),))),
    ],
)
def test_parse_filters(key: str, value: str, expected: Filter) -> None:
    assert parse_filters([(key, value)], NOW) == [expected]


@pytest.mark.parametrize(
    "params",
    [[("push", "1")], [("track.mood=", "x")], [("track.addedAt>>", "yesterday")]],
)
def test_bad_filters_are_400(params: list[tuple[str, str]]) -> None:
    with pytest.raises(HttpError) as caught:
        parse_filters(params, NOW)
    assert caught.value.status == 400


def test_non_filter_params_are_ignored() -> None:
    params = [("type", "10"), ("includeGuids", "1"), ("X-Plex-Container-Size", "5"), ("q", "")]
    assert parse_filters(params, NOW) == []


@pytest.mark.parametrize(
    ("flt", "data", "expected"),
    [
        (Filter("userRating", ">>=", ("0",)), None, False),
        (Filter("userRating", ">>=", ("0",)), UserData(rating=2.0), True),
        (Filter("userRating", "=", ("2", "4")), UserData(rating=4.0), True),
        (Filter("userRating", "!=", ("2", "4")), UserData(rating=4.0), False),
        (Filter("title", "=", ("ello",)), None, True),
        (Filter("title", "==", ("hello world",)), None, True),
        (Filter("title", "!==", ("hello world",)), None, False),
        (Filter("title", "<=", ("hel",)), None, True),
        (Filter("title", ">=", ("WORLD",)), None, True),
        (Filter("addedAt", "<<=", (str(NOW),)), None, False),
        (Filter("lastRatedAt", ">>=", (str(NOW - 1),)), UserData(2.0, NOW), True),
    ],
)
def test_matches(flt: Filter, data: UserData | None, expected: bool) -> None:
    assert matches(_track(1, "Hello World"), [flt], data) is expected


def test_sort_with_missing_values_last() -> None:
    items = [_track(0, "b", NOW), _track(1, "a", NOW + 5), _track(2, "c", NOW + 5)]
    data = {0: UserData(rating=4.0), 2: UserData(rating=8.0)}
    by_rating = sort_items(items, parse_sort("userRating:desc"), data.get)
    assert [i.rating_key for i in by_rating] == [2, 0, 1]
    by_added_then_title = sort_items(items, parse_sort("addedAt:desc,titleSort"), data.get)
    assert [i.rating_key for i in by_added_then_title] == [1, 2, 0]
    with pytest.raises(HttpError):
        parse_sort("mood")
