"""Is this installation able to work: database, job queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import SetupError


@dataclass(frozen=True, slots=True)
class HealthReport:
    version: str
    database_ok: bool
    database_detail: str | None
    queue_mode: str
    queue_reachable: bool
    queue_detail: str | None

    @property
    def ok(self) -> bool:
        return self.database_ok and self.queue_reachable


def check_health(
    probe_database: Callable[[], None],
    *,
    version: str,
    queue_mode: str,
    redis_url: str | None,
    ping_redis: Callable[[str], tuple[bool, str | None]],
) -> HealthReport:
    """Inline mode needs no queue (reachable by definition); arq mode pings redis.

    ``probe_database`` raises :class:`SetupError` when the database cannot be used;
    ``ping_redis`` answers (reachable, why not). The composition root hands both in."""
    try:
        probe_database()
        database_ok, database_detail = True, None
    except SetupError as exc:
        database_ok, database_detail = False, str(exc)
    if redis_url is None:
        queue_ok, queue_detail = True, None
    else:
        queue_ok, queue_detail = ping_redis(redis_url)
    return HealthReport(
        version=version,
        database_ok=database_ok,
        database_detail=database_detail,
        queue_mode=queue_mode,
        queue_reachable=queue_ok,
        queue_detail=queue_detail,
    )
