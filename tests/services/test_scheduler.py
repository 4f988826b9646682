"""Scheduled runs: which links are due, one run per link at a time, the in-process thread, and
the arq cron task."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Container, build_container
from app.domain.jobs import JobStatus, JobTrigger
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobKind, JobKindRegistry
from app.services.jobs.scheduler import Scheduler, minute_of, schedule_matches
from app.services.ratings.jobs import RATINGS_SYNC
from app.settings import Settings
from tests.conftest import FAST_TIMING, Waiter
from worker.main import SCHEDULE_TASK, schedule_tick, worker_settings

MINUTE = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)  # a Monday, 03:00


class FakeSync:
    """A ratings_sync kind that records its jobs and can be held running."""

    def __init__(self) -> None:
        self.ran: list[int] = []
        self.hold = threading.Event()
        self.hold.set()

    def handler(self, ctx: JobContext) -> None:
        self.ran.append(ctx.job_id)
        while not self.hold.wait(0.01):
            ctx.check_cancelled()

    def registry(self) -> JobKindRegistry:
        def params(raw: Mapping[str, Any]) -> dict[str, Any]:
            return dict(raw)

        registry = JobKindRegistry()
        registry.register(
            JobKind(
                name=RATINGS_SYNC,
                title="fake sync",
                handler=self.handler,
                lock_key=RATINGS_SYNC,
                parse_params=params,
            )
        )
        return registry


@pytest.fixture
def fake_sync() -> FakeSync:
    return FakeSync()


@pytest.fixture
def world(settings: Settings, fake_sync: FakeSync) -> Iterator[Container]:
    container = build_container(settings, job_kinds=fake_sync.registry(), timing=FAST_TIMING)
    try:
        container.startup()
        container.scheduler.stop()  # the tests tick by hand; no real minute may interfere
        yield container
    finally:
        fake_sync.hold.set()
        container.close()


def add_link(container: Container, tmp_path: Path, name: str, schedule: str | None) -> int:
    catalog = container.domains.libraries
    folders = []
    for side in ("a", "b"):
        root = tmp_path / f"{name}-{side}"
        root.mkdir()
        folders.append(
            catalog.add_library(
                kind="music_folder", name=f"{name}-{side}", config={"root": str(root)}
            )
        )
    link = catalog.add_link(
        kind="ratings",
        library_a_id=folders[0].id,
        library_b_id=folders[1].id,
        schedule=schedule,
    )
    return link.id


@pytest.mark.parametrize(
    ("schedule", "minute", "due"),
    [
        ("0 3 * * *", MINUTE, True),
        ("0 3 * * *", MINUTE + timedelta(minutes=1), False),
        ("*/5 * * * *", MINUTE + timedelta(minutes=10), True),
        ("*/5 * * * *", MINUTE + timedelta(minutes=11), False),
        ("0 3 * * 1", MINUTE, True),  # Monday
        ("0 3 * * 2", MINUTE, False),
        ("0 3 * * *", MINUTE + timedelta(seconds=59), True),
        ("not a cron", MINUTE, False),
    ],
)
def test_schedule_matches(schedule: str, minute: datetime, due: bool) -> None:
    assert schedule_matches(schedule, minute) is due


def test_minute_of() -> None:
    assert minute_of(MINUTE + timedelta(seconds=42, microseconds=7)) == MINUTE


def test_tick_starts_the_due_links(
    world: Container, tmp_path: Path, fake_sync: FakeSync, wait: Waiter
) -> None:
    nightly = add_link(world, tmp_path, "nightly", "0 3 * * *")
    hourly = add_link(world, tmp_path, "hourly", "30 * * * *")
    add_link(world, tmp_path, "manual", None)
    disabled = add_link(world, tmp_path, "disabled", "0 3 * * *")
    world.domains.libraries.update_link(disabled, enabled=False)

    report = world.scheduler.tick(MINUTE)
    assert [link_id for link_id, _ in report.started] == [nightly]
    assert report.busy == [] and report.failed == []
    job = world.jobs.get(report.started[0][1])
    assert job.trigger is JobTrigger.SCHEDULE and job.link_id == nightly
    wait(lambda: world.jobs.get(job.id).status is JobStatus.SUCCEEDED, what="the run")

    later = world.scheduler.tick(MINUTE + timedelta(minutes=30))
    assert [link_id for link_id, _ in later.started] == [hourly]


def test_a_link_never_runs_twice_at_once(
    world: Container, tmp_path: Path, fake_sync: FakeSync, wait: Waiter
) -> None:
    link_id = add_link(world, tmp_path, "every", "* * * * *")
    fake_sync.hold.clear()
    first = world.scheduler.tick(MINUTE)
    [(_, job_id)] = first.started
    wait(lambda: fake_sync.ran == [job_id], what="the first run to start")

    second = world.scheduler.tick(MINUTE + timedelta(minutes=1))
    assert second.started == [] and second.failed == []
    assert second.busy == [(link_id, job_id)]

    fake_sync.hold.set()
    wait(lambda: world.jobs.get(job_id).status is JobStatus.SUCCEEDED, what="the first run")
    third = world.scheduler.tick(MINUTE + timedelta(minutes=2))
    assert [link for link, _ in third.started] == [link_id]


def test_a_link_that_cannot_run_is_reported(world: Container, tmp_path: Path) -> None:
    link_id = add_link(world, tmp_path, "movies", None)
    # a mirror link whose job kind this installation lacks
    catalog = world.domains.libraries
    movie_roots = []
    for side in ("src", "dst"):
        root = tmp_path / side
        root.mkdir()
        movie_roots.append(
            catalog.add_library(kind="movie_folder", name=side, config={"root": str(root)})
        )
    mirror = catalog.add_link(
        kind="mirror",
        library_a_id=movie_roots[0].id,
        library_b_id=movie_roots[1].id,
        schedule="0 3 * * *",
    )
    report = world.scheduler.tick(MINUTE)
    assert report.started == [] and [failed[0] for failed in report.failed] == [mirror.id]
    assert "cannot run" in report.failed[0][1]
    assert link_id not in [failed[0] for failed in report.failed]


def test_next_runs(world: Container, tmp_path: Path) -> None:
    nightly = add_link(world, tmp_path, "nightly", "0 3 * * *")
    quarter = add_link(world, tmp_path, "quarter", "*/15 * * * *")
    runs = world.scheduler.next_runs(after=MINUTE)
    assert [(run.link_id, run.at) for run in runs] == [
        (quarter, MINUTE + timedelta(minutes=15)),
        (nightly, MINUTE + timedelta(days=1)),
    ]


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.value = start
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.value

    def set(self, value: datetime) -> None:
        with self.lock:
            self.value = value


def test_the_thread_ticks_each_new_minute_and_catches_up_a_little(
    world: Container, tmp_path: Path, wait: Waiter
) -> None:
    add_link(world, tmp_path, "every", "* * * * *")
    clock = FakeClock(MINUTE + timedelta(seconds=30))
    scheduler = Scheduler(
        world.domains.libraries.repository, world.link_runs, now=clock, max_catch_up=3
    )
    scheduler.start(poll_s=0.01)
    try:
        assert scheduler.running
        clock.set(MINUTE + timedelta(minutes=1, seconds=1))
        wait(lambda: len(scheduler.reports) == 1, what="one tick")
        assert scheduler.reports[0].minute == MINUTE + timedelta(minutes=1)
        clock.set(MINUTE + timedelta(minutes=11))  # asleep for ten minutes
        wait(lambda: len(scheduler.reports) == 4, what="three catch-up ticks")
        assert [report.minute for report in scheduler.reports[1:]] == [
            MINUTE + timedelta(minutes=9),
            MINUTE + timedelta(minutes=10),
            MINUTE + timedelta(minutes=11),
        ]
    finally:
        scheduler.stop()
    assert not scheduler.running


def test_the_container_runs_the_scheduler_inline_only(
    container: Container, settings: Settings
) -> None:
    assert container.scheduler.running
    scaled_out = build_container(
        settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}), runner="arq"
    )
    try:
        scaled_out.startup()
        assert not scaled_out.scheduler.running  # arq's cron ticks instead
    finally:
        scaled_out.close()
    container.close()
    assert not container.scheduler.running


def test_arq_cron_ticks_the_scheduler(
    world: Container, tmp_path: Path, settings: Settings, fake_sync: FakeSync
) -> None:
    add_link(world, tmp_path, "every", "* * * * *")
    result = asyncio.run(schedule_tick({"container": world}))
    assert result == "started 1, busy 0, failed 0"

    arq = worker_settings(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}), world)
    [cron_job] = arq["cron_jobs"]
    assert cron_job.name == SCHEDULE_TASK and cron_job.unique
    assert cron_job.second == 0 and cron_job.minute is None  # every minute
