"""The zone of schedules and shown times: CROSSFADE_TIMEZONE, else TZ, else the system's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from app.adapters.time_zone import apply_time_zone, zone_named
from app.bootstrap import build_container
from app.domain.errors import SetupError
from app.settings import Settings


@pytest.fixture
def restored_tz() -> Iterator[None]:
    saved = os.environ.get("TZ")
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Europe/Paris", True),
        (":Europe/Paris", True),
        ("UTC", True),
        ("CET-1", False),
        ("No/Such_Zone", False),
        ("../etc/passwd", False),
    ],
)
def test_zone_named(name: str, found: bool) -> None:
    assert (zone_named(name) is not None) is found


def test_the_setting_wins_and_becomes_the_process_zone(
    restored_tz: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert apply_time_zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    assert os.environ["TZ"] == "Asia/Tokyo"
    assert time.strftime("%Z") == "JST"


def test_tz_alone_decides(restored_tz: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    assert apply_time_zone(None) == ZoneInfo("Europe/Paris")


def test_an_unknown_setting_is_refused(restored_tz: None) -> None:
    with pytest.raises(SetupError, match="Mars/Olympus"):
        apply_time_zone("Mars/Olympus")


def test_the_scheduler_of_a_container_ticks_in_the_zone(
    restored_tz: None, settings: Settings
) -> None:
    """A container built with CROSSFADE_TIMEZONE reads cron minutes in that zone."""
    zoned = settings.model_copy(update={"timezone": "Pacific/Auckland"})
    container = build_container(zoned)
    try:
        minute = container.scheduler._current_minute()
    finally:
        container.close()
    assert minute.tzname() in {"NZST", "NZDT"}
