from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest
from starlette.requests import Request

from app.web.templating import build_templates, rate, short_time, url_root

NOW = datetime(2025, 5, 6, 12, 0, tzinfo=UTC)


PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("value", "zone", "text"),
    [
        (None, UTC, "–"),
        (datetime(2025, 5, 6, 9, 8, 7, tzinfo=UTC), UTC, "09:08:07 UTC"),
        (datetime(2025, 5, 5, 9, 8, 7, tzinfo=UTC), UTC, "2025-05-05 09:08 UTC"),
        (datetime(2025, 5, 6, 9, 8, 7, tzinfo=UTC), PARIS, "11:08:07 CEST"),
        (datetime(2025, 1, 6, 9, 8, 7, tzinfo=UTC), PARIS, "2025-01-06 10:08 CET"),
        # 02:00 UTC on the 6th is still the 5th in New York: not "today" there
        (datetime(2025, 5, 6, 2, 0, 0, tzinfo=UTC), NEW_YORK, "2025-05-05 22:00 EDT"),
        (datetime(2025, 5, 6, 9, 8, 7), UTC, "09:08:07 UTC"),  # naive: stored UTC
    ],
)
def test_short_time_names_its_zone(value: datetime | None, zone: tzinfo, text: str) -> None:
    assert short_time(value, NOW, zone) == text


@pytest.mark.parametrize(("value", "text"), [(None, "–"), (2.345, "2.3/s"), (12345.6, "12,346/s")])
def test_rate(value: float | None, text: str) -> None:
    assert rate(value) == text


def test_templates_have_the_filters() -> None:
    env = build_templates().env
    assert {"duration", "short_time", "rate"} <= set(env.filters)
    assert env.get_template("base.html") is not None


@pytest.mark.parametrize(
    ("root_path", "root"), [("", ""), ("/crossfade", "/crossfade"), ("/crossfade/", "/crossfade")]
)
def test_url_root_is_the_served_prefix_without_trailing_slash(root_path: str, root: str) -> None:
    request = Request({"type": "http", "root_path": root_path, "path": "/", "headers": []})
    assert url_root(request) == {"root": root}
