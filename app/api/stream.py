"""``GET /api/v1/jobs/{job_id}/stream``: a job's progress as server-sent events.

Events: ``progress`` (the job as in ``GET /api/v1/jobs/{id}``) whenever it changes, then one
``end`` when it has finished, after which the stream closes. A comment line keeps idle
connections open; a stream lasts at most :data:`MAX_STREAM_S` and tells the client (with
``retry``) to reconnect, which ``EventSource`` does by itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import JobsDep
from app.api.jobs import NOT_FOUND
from app.api.schemas import JobOut
from app.domain.errors import NotFound
from app.domain.jobs import JobRecord

router = APIRouter(tags=["jobs"])

POLL_S = 0.5
HEARTBEAT_S = 15.0
MAX_STREAM_S = 300.0
RETRY_MS = 2000

GetJob = Callable[[], Awaitable[JobRecord | None]]
Disconnected = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class StreamTiming:
    poll_s: float = POLL_S
    heartbeat_s: float = HEARTBEAT_S
    max_s: float = MAX_STREAM_S


def sse(event: str, data: str, *, event_id: int | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return "\n".join(lines) + "\n\n"


def _fingerprint(job: JobRecord) -> tuple[object, ...]:
    return (job.status, job.phase, job.done, job.total, job.cancel_requested, job.updated_at)


async def job_events(
    get_job: GetJob,
    disconnected: Disconnected,
    timing: StreamTiming = StreamTiming(),
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[str]:
    """The event stream of one job, polling ``get_job`` every ``timing.poll_s``."""
    started = last_sent = clock()
    yield f"retry: {RETRY_MS}\n\n"
    seen: tuple[object, ...] | None = None
    event_id = 0
    while True:
        job = await get_job()
        if job is None:
            event_id += 1
            yield sse("end", '{"detail": "the job no longer exists"}', event_id=event_id)
            return
        if _fingerprint(job) != seen:
            seen = _fingerprint(job)
            event_id += 1
            payload = JobOut.of(job).model_dump_json()
            yield sse("progress", payload, event_id=event_id)
            last_sent = clock()
            if job.status.is_finished:
                event_id += 1
                yield sse("end", payload, event_id=event_id)
                return
        now = clock()
        if now - started >= timing.max_s:
            return
        if now - last_sent >= timing.heartbeat_s:
            yield ": keep-alive\n\n"
            last_sent = now
        await asyncio.sleep(timing.poll_s)
        if await disconnected():
            return


@router.get(
    "/jobs/{job_id}/stream",
    response_class=StreamingResponse,
    responses={
        **NOT_FOUND,
        200: {
            "description": "server-sent events: progress (the job), then end",
            "content": {"text/event-stream": {}},
        },
    },
)
async def stream_job(job_id: int, request: Request, jobs: JobsDep) -> StreamingResponse:
    """Follow a job live: ``progress`` events while it changes, ``end`` when it finished."""
    await run_in_threadpool(jobs.get, job_id)

    async def get_job() -> JobRecord | None:
        try:
            return await run_in_threadpool(jobs.get, job_id)
        except NotFound:
            return None

    return StreamingResponse(
        job_events(get_job, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
