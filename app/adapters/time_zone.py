"""The time zone of schedules and of the times the dashboard and the logs show.

``CROSSFADE_TIMEZONE`` (an IANA name, ``Europe/Paris``) wins; else ``TZ``, as containers set
it; else the system's zone. :func:`apply_time_zone` makes the chosen zone the process's local
zone (``TZ`` and ``time.tzset`` where the platform has it), so cron schedules, the dashboard and
log lines all read one clock, and returns it for the scheduler. API times stay UTC.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.errors import SetupError

logger = logging.getLogger(__name__)


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone ``name`` (a leading ``:`` as in ``TZ=:Europe/Paris`` allowed), or None."""
    try:
        return ZoneInfo(name.removeprefix(":"))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def apply_time_zone(setting: str | None) -> tzinfo:
    """The zone to use (see the module docstring); a bad ``CROSSFADE_TIMEZONE`` is an error,
    a ``TZ`` that is no IANA name (``CET-1``) is left to the C library."""
    if setting:
        zone = zone_named(setting)
        if zone is None:
            raise SetupError(f"CROSSFADE_TIMEZONE={setting!r} is not a known IANA time zone")
        if os.environ.get("TZ") != setting:
            os.environ["TZ"] = setting
            if hasattr(time, "tzset"):  # not on Windows: there the scheduler gets the zone
                time.tzset()
        return zone
    from_env = os.environ.get("TZ")
    if from_env:
        zone = zone_named(from_env)
        if zone is not None:
            return zone
        logger.warning("TZ=%r is no IANA zone name; the C library's reading is used", from_env)
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local
