"""The arq job queue on redis: enqueue job ids, and check that redis answers.

Jobs are enqueued by id only, with the arq job id ``crossfade:job:<id>``, so a second enqueue
of the same job while it is queued or running is a no-op (workers keep no results, so the id
is free again once the job is done). ``crossfade worker`` (``worker.main``) consumes the queue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.domain.errors import QueueUnavailable

if TYPE_CHECKING:
    from arq.connections import ArqRedis, RedisSettings
    from redis import Redis

# arq and redis (about 11 MB resident) are imported where they are used: a server with the
# in-process runner (no CROSSFADE_REDIS_URL) never loads them.

logger = logging.getLogger(__name__)

ARQ_QUEUE_NAME = "crossfade:queue"
RUN_JOB_TASK = "run_job"


def arq_job_id(job_id: int) -> str:
    return f"crossfade:job:{job_id}"


def redis_location(redis_url: str) -> str:
    """``redis://:pw@host:6379/0`` -> ``host:6379/0``: for messages, never with a password."""
    parts = urlsplit(redis_url)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


def redis_settings(redis_url: str, *, timeout_s: float = 5.0) -> RedisSettings:
    from arq.connections import RedisSettings

    settings = RedisSettings.from_dsn(redis_url)
    return dataclasses.replace(
        settings, conn_timeout=max(1, round(timeout_s)), conn_retries=1, conn_retry_delay=1
    )


class ArqRunner:
    """Submits job ids to arq; any ``crossfade worker`` on the same redis runs them."""

    mode = "arq"

    def __init__(
        self, redis_url: str, *, queue_name: str = ARQ_QUEUE_NAME, timeout_s: float = 5.0
    ) -> None:
        self._redis_url = redis_url
        self._queue_name = queue_name
        self._timeout_s = timeout_s

    def submit(self, job_id: int) -> None:
        from redis.exceptions import RedisError

        try:
            enqueued = asyncio.run(self._enqueue(job_id))
        except (RedisError, OSError, TimeoutError) as exc:
            where = redis_location(self._redis_url)
            raise QueueUnavailable(f"redis at {where}: {type(exc).__name__}: {exc}") from exc
        if not enqueued:
            logger.info("job %s is already in the arq queue; not enqueued twice", job_id)

    async def _enqueue(self, job_id: int) -> bool:
        from arq.connections import create_pool

        pool: ArqRedis = await create_pool(
            redis_settings(self._redis_url, timeout_s=self._timeout_s),
            default_queue_name=self._queue_name,
        )
        try:
            job = await pool.enqueue_job(RUN_JOB_TASK, job_id, _job_id=arq_job_id(job_id))
        finally:
            await pool.aclose()
        return job is not None

    def close(self) -> None:
        return None


def redis_reachable(redis_url: str, *, timeout_s: float = 2.0) -> tuple[bool, str | None]:
    """``(True, None)`` if redis answers PING within ``timeout_s``, else ``(False, why)``."""
    from redis import Redis
    from redis.exceptions import RedisError

    client: Redis = Redis.from_url(
        redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
    )
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return True, None
