from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.adapters.plex.records import (
    PlexTrack,
    datetime_to_epoch,
    epoch_to_datetime,
    rating_from_wire,
    rating_to_wire,
)


@pytest.mark.parametrize(
    ("wire", "ours"),
    [
        ("10.0", 10),
        ("8.0", 8),
        ("8", 8),
        ("7.5", 8),  # half up
        ("6.9", 7),
        ("6.4", 6),
        ("1.0", 1),
        ("0.5", 1),
        ("0.4", None),
        ("0.0", None),
        ("-1", None),
        ("11", 10),
        ("", None),
        (None, None),
        ("nan", None),
        ("garbage", None),
    ],
)
def test_rating_from_wire(wire: str | None, ours: int | None) -> None:
    assert rating_from_wire(wire) == ours


@pytest.mark.parametrize(("ours", "wire"), [(None, "-1"), (1, "1"), (7, "7"), (10, "10")])
def test_rating_to_wire(ours: int | None, wire: str) -> None:
    assert rating_to_wire(ours) == wire


@pytest.mark.parametrize("bad", [0, 11, -1, 2.5, True, "8"])
def test_rating_to_wire_refuses(bad: object) -> None:
    with pytest.raises(ValueError, match=r"int 1\.\.10"):
        rating_to_wire(bad)


def test_timestamps() -> None:
    assert epoch_to_datetime("1700000000") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert epoch_to_datetime(None) is None
    assert epoch_to_datetime("x") is None
    plus_two = timezone(timedelta(hours=2))
    assert datetime_to_epoch(datetime(2023, 11, 15, 0, 13, 20, tzinfo=plus_two)) == 1700000000
    with pytest.raises(ValueError, match="aware"):
        datetime_to_epoch(datetime(2023, 1, 1))


def test_mbid_from_external_ids() -> None:
    track = PlexTrack(
        1, 1, None, ("imdb://tt1", "mbid://abc"), "t", None, None, None, None, None, None,
        (), None, None, None, None, None,
    )  # fmt: skip
    assert track.mbid == "abc"
