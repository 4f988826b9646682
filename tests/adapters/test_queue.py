import asyncio
import socket

import pytest
from arq.connections import create_pool
from redis import Redis

from app.adapters.queue import (
    ARQ_QUEUE_NAME,
    ArqRunner,
    arq_job_id,
    redis_location,
    redis_reachable,
    redis_settings,
)
from app.domain.errors import QueueUnavailable


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://:secret@127.0.0.1:{port}/0"


def test_job_ids_are_stable() -> None:
    assert arq_job_id(42) == "crossfade:job:42"


def test_location_never_shows_the_password() -> None:
    assert redis_location("redis://:pw@cache:6380/2") == "cache:6380/2"


def test_settings_from_url() -> None:
    settings = redis_settings("redis://cache:6380/2", timeout_s=3)
    assert (settings.host, settings.port, settings.database, settings.conn_timeout) == (
        "cache",
        6380,
        2,
        3,
    )


@pytest.mark.redis
def test_submit_enqueues_once_per_job(redis_url: str) -> None:
    runner = ArqRunner(redis_url)
    runner.submit(7)
    runner.submit(7)
    runner.submit(8)
    client: Redis = Redis.from_url(redis_url)
    try:
        queued = sorted(member.decode() for member in client.zrange(ARQ_QUEUE_NAME, 0, -1))
    finally:
        client.close()
    assert queued == ["crossfade:job:7", "crossfade:job:8"]

    async def args_of(job_id: int) -> tuple[object, ...]:
        pool = await create_pool(redis_settings(redis_url))
        try:
            jobs = await pool.queued_jobs(queue_name=ARQ_QUEUE_NAME)
        finally:
            await pool.aclose()
        (match,) = [job for job in jobs if job.job_id == arq_job_id(job_id)]
        return (match.function, *match.args)

    assert asyncio.run(args_of(7)) == ("run_job", 7)


def test_submit_to_a_dead_redis_is_queue_unavailable() -> None:
    runner = ArqRunner(closed_port_url(), timeout_s=1)
    with pytest.raises(QueueUnavailable) as caught:
        runner.submit(1)
    assert "secret" not in str(caught.value)


@pytest.mark.redis
def test_reachable(redis_url: str) -> None:
    assert redis_reachable(redis_url) == (True, None)
    ok, why = redis_reachable(closed_port_url(), timeout_s=1)
    assert not ok
    assert why is not None and "secret" not in why
