"""The arq worker: ``crossfade worker`` takes job ids from redis and runs them.

The one task, ``run_job``, calls ``JobExecutor.run_job`` (the same function the in-process
runner calls) in a thread, so the job code stays synchronous. On start the worker migrates the
database and interrupts jobs whose runner died (a SIGKILLed worker on this host, or one that
stopped sending heartbeats); arq's own retry of such a job finds it finished and does nothing.

Scheduled runs: arq's cron calls ``schedule_tick`` once a minute; arq makes the cron job
unique per minute, so with several workers one of them starts the links that are due.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq.cron import cron
from arq.worker import Worker, func

from app.adapters.queue import ARQ_QUEUE_NAME, RUN_JOB_TASK, redis_settings
from app.bootstrap import Container, build_container
from app.domain.errors import SetupError
from app.settings import Settings
from worker.heartbeat import beat_forever, heartbeat_path

logger = logging.getLogger(__name__)

# A job runs as long as it needs: arq must not cancel it (cancellation is ours, per item).
JOB_TIMEOUT_S = 7 * 24 * 3600
MAX_TRIES = 3
SCHEDULE_TASK = "crossfade:schedule"


async def run_job(ctx: dict[str, Any], job_id: int) -> str | None:
    container: Container = ctx["container"]
    status = await asyncio.to_thread(container.executor.run_job, job_id)
    return status.value if status else None


async def schedule_tick(ctx: dict[str, Any]) -> str:
    """Start the links whose schedule is due this minute (the in-process scheduler's job,
    done here when jobs run on workers)."""
    container: Container = ctx["container"]
    report = await asyncio.to_thread(container.scheduler.tick)
    return f"started {len(report.started)}, busy {len(report.busy)}, failed {len(report.failed)}"


async def _on_startup(ctx: dict[str, Any]) -> None:
    """The heartbeat a container's healthcheck reads (``worker.heartbeat``), on arq's loop."""
    ctx["heartbeat"] = asyncio.create_task(beat_forever(ctx["redis"].ping, heartbeat_path()))


async def _on_shutdown(ctx: dict[str, Any]) -> None:
    heartbeat = ctx.get("heartbeat")
    if heartbeat is not None:
        heartbeat.cancel()
    container: Container = ctx["container"]
    container.executor.request_stop()


def worker_settings(
    settings: Settings, container: Container, *, queue_name: str = ARQ_QUEUE_NAME
) -> dict[str, Any]:
    """arq's worker settings (as keyword arguments of ``arq.worker.Worker``)."""
    if not settings.redis_url:
        raise SetupError("crossfade worker needs CROSSFADE_REDIS_URL (redis://host:6379/0)")
    return {
        "functions": [func(run_job, name=RUN_JOB_TASK, max_tries=MAX_TRIES)],
        "cron_jobs": [cron(schedule_tick, name=SCHEDULE_TASK, second=0, unique=True)],
        "queue_name": queue_name,
        "redis_settings": redis_settings(settings.redis_url),
        "ctx": {"container": container},
        "on_startup": _on_startup,
        "on_shutdown": _on_shutdown,
        "max_jobs": settings.inline_workers,
        "job_timeout": JOB_TIMEOUT_S,
        "keep_result": 0,
        "poll_delay": 0.2,
        "handle_signals": True,
    }


def run_worker(settings: Settings, *, queue_name: str = ARQ_QUEUE_NAME) -> None:
    """Run until SIGINT/SIGTERM; running jobs then end ``interrupted`` at their next check."""
    if not settings.redis_url:
        raise SetupError("crossfade worker needs CROSSFADE_REDIS_URL (redis://host:6379/0)")
    container = build_container(settings, runner="arq")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        report = container.startup()
        logger.info(
            "worker %s ready: schema %s, interrupted %s, resubmitted %s",
            container.executor.runner_id,
            report.schema_revision,
            report.interrupted_job_ids,
            report.resubmitted_job_ids,
        )
        Worker(**worker_settings(settings, container, queue_name=queue_name)).run()
    finally:
        container.close()
        asyncio.set_event_loop(None)
        loop.close()
