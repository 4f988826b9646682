"""``GET /api/v1/jobs/{id}/stream``: server-sent events of a job's progress."""

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from app.api.stream import StreamTiming, job_events, sse
from app.domain.jobs import JobRecord, JobStatus, JobTrigger
from tests.auth_support import bearer


def parse(text: str) -> list[dict[str, Any]]:
    """Server-sent events as dicts of their fields (``data`` joined and parsed as JSON)."""
    events: list[dict[str, Any]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event: dict[str, Any] = {}
        data: list[str] = []
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            if field == "data":
                data.append(value)
            else:
                event[field] = value
        if data:
            event["data"] = json.loads("\n".join(data))
        events.append(event)
    return events


def test_a_job_streams_progress_then_end(app_client: TestClient) -> None:
    job = app_client.post(
        "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 12, "step_s": 0.1}}
    ).json()
    with app_client.stream("GET", f"/api/v1/jobs/{job['id']}/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        text = "".join(response.iter_text())
    events = parse(text)
    assert events[0] == {"retry": "2000"}
    progress = [e for e in events if e.get("event") == "progress"]
    assert len(progress) >= 3
    dones = [e["data"]["done"] for e in progress]
    assert dones == sorted(dones)
    assert progress[-1]["data"]["status"] == "succeeded"
    assert progress[-1]["data"]["percent"] == 100
    end = events[-1]
    assert end["event"] == "end"
    assert end["data"]["id"] == job["id"]
    ids = [int(e["id"]) for e in events if "id" in e]
    assert ids == list(range(1, len(ids) + 1))


def test_a_finished_job_streams_once_and_ends(app_client: TestClient) -> None:
    job = app_client.post(
        "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 1, "step_s": 0}}
    ).json()
    app_client.get(f"/api/v1/jobs/{job['id']}/stream")  # waits for the end
    events = parse(app_client.get(f"/api/v1/jobs/{job['id']}/stream").text)
    assert [e.get("event") for e in events] == [None, "progress", "end"]


def test_a_missing_job_is_404_before_any_stream(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/jobs/4242/stream")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_read_token_may_follow_a_job(app_client: TestClient) -> None:
    token = app_client.post("/api/v1/tokens", json={"name": "ha", "scopes": ["read"]}).json()
    job = app_client.post(
        "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 1, "step_s": 0}}
    ).json()
    response = TestClient(app_client.app).get(
        f"/api/v1/jobs/{job['id']}/stream", headers=bearer(token["token"])
    )
    assert response.status_code == 200
    assert parse(response.text)[-1]["event"] == "end"


def test_sse_format() -> None:
    assert sse("progress", '{"a": 1}', event_id=3) == 'id: 3\nevent: progress\ndata: {"a": 1}\n\n'
    assert sse("end", "one\ntwo") == "event: end\ndata: one\ndata: two\n\n"
    assert sse("end", "") == "event: end\ndata: \n\n"


# -- the generator alone, with a fake clock and job source ------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RUNNING = JobRecord(
    id=7,
    kind="selftest",
    link_id=None,
    params={},
    dry_run=False,
    status=JobStatus.RUNNING,
    phase="stepping",
    done=1,
    total=10,
    rate_per_s=None,
    eta_s=None,
    counters={},
    trigger=JobTrigger.API,
    lock_key="selftest",
    error=None,
    cancel_requested=False,
    runner_id=None,
    heartbeat_at=None,
    attempt=1,
    created_at=T0,
    started_at=T0,
    finished_at=None,
    updated_at=T0,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def collect(
    jobs: Iterator[JobRecord | None],
    timing: StreamTiming,
    *,
    disconnect_after: int | None = None,
) -> list[str]:
    clock = FakeTime()
    polls = 0

    async def get_job() -> JobRecord | None:
        nonlocal polls
        polls += 1
        clock.now += timing.poll_s
        return next(jobs)

    async def disconnected() -> bool:
        return disconnect_after is not None and polls >= disconnect_after

    async def run() -> list[str]:
        return [chunk async for chunk in job_events(get_job, disconnected, timing, clock)]

    return asyncio.run(run())


def repeat(job: JobRecord | None) -> Iterator[JobRecord | None]:
    while True:
        yield job


def test_unchanged_polls_send_only_keep_alives_and_the_stream_ends_in_time() -> None:
    timing = StreamTiming(poll_s=0.0001, heartbeat_s=0.00025, max_s=0.001)
    chunks = collect(repeat(RUNNING), timing)
    assert chunks[0].startswith("retry:")
    assert sum(1 for c in chunks if "event: progress" in c) == 1
    assert sum(1 for c in chunks if c == ": keep-alive\n\n") >= 2
    assert not any("event: end" in c for c in chunks)


def test_changes_are_sent_and_the_end_closes_the_stream() -> None:
    steps = iter(
        [
            RUNNING,
            RUNNING,
            replace(RUNNING, done=5),
            replace(RUNNING, done=10, status=JobStatus.SUCCEEDED, finished_at=T0),
            RUNNING,
        ]
    )
    chunks = collect(steps, StreamTiming(poll_s=0.0001, heartbeat_s=10, max_s=10))
    events = parse("".join(chunks))
    kinds = [e.get("event") for e in events]
    assert kinds == [None, "progress", "progress", "progress", "end"]
    assert [e["data"]["done"] for e in events[1:4]] == [1, 5, 10]


def test_a_vanished_job_ends_the_stream() -> None:
    chunks = collect(iter([RUNNING, None]), StreamTiming(poll_s=0.0001, heartbeat_s=10, max_s=10))
    assert "the job no longer exists" in chunks[-1]


def test_a_client_that_left_ends_the_stream() -> None:
    chunks = collect(
        repeat(RUNNING), StreamTiming(poll_s=0.0001, heartbeat_s=10, max_s=10), disconnect_after=3
    )
    assert sum(1 for c in chunks if "event: progress" in c) == 1
    assert not any("event: end" in c for c in chunks)
