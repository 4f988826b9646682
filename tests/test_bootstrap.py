import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from app.adapters.db import migrate
from app.adapters.db.jobs import JobRepository
from app.bootstrap import build_container, build_job_kinds
from app.domain.jobs import JobStatus, JobTrigger, RunnerId
from app.settings import Settings

Waiter = Callable[..., None]


def dead_runner_id() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return str(RunnerId(socket.gethostname(), child.pid, "1"))


def test_job_kinds_include_selftest() -> None:
    assert "selftest" in build_job_kinds()


def test_restart_interrupts_jobs_of_the_dead_process_and_runs_queued_ones(
    settings: Settings, wait: Waiter
) -> None:
    first = build_container(settings)
    first.startup()
    repo = first.job_repository
    now = datetime.now(UTC)
    orphan = repo.insert(
        kind="selftest",
        params={"steps": 3, "step_s": 0.0, "fail_at": None},
        dry_run=False,
        trigger=JobTrigger.UI,
        lock_key="lib:1+lib:2",
        now=now,
    )
    repo.claim(orphan.id, runner_id=dead_runner_id(), now=now)
    waiting = repo.insert(
        kind="selftest",
        params={"steps": 2, "step_s": 0.0, "fail_at": None},
        dry_run=False,
        trigger=JobTrigger.UI,
        lock_key="selftest",
        now=now,
    )
    first.engine.dispose()

    second = build_container(settings)
    try:
        report = second.startup()
        assert report.schema_revision == migrate.head_revision()
        assert report.interrupted_job_ids == [orphan.id]
        assert report.resubmitted_job_ids == [waiting.id]
        jobs = second.jobs
        assert jobs.get(orphan.id).status is JobStatus.INTERRUPTED
        wait(lambda: jobs.get(waiting.id).status is JobStatus.SUCCEEDED, what="the queued job")
    finally:
        second.close()
        first.close()


def test_close_interrupts_a_running_inline_job(settings: Settings, wait: Waiter) -> None:
    container = build_container(settings)
    container.startup()
    job = container.jobs.start("selftest", {"steps": 1000, "step_s": 0.02})
    repo: JobRepository = container.job_repository
    wait(lambda: repo.get(job.id).done > 0, what="progress")
    container.close()
    ended = repo.get(job.id)
    assert ended.status is JobStatus.INTERRUPTED
