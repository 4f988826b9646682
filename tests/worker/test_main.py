"""The arq worker for real: a ``crossfade worker`` subprocess on a real redis-server."""

import dataclasses
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Container, build_container
from app.domain.errors import SetupError
from app.domain.jobs import JobEventRecord, JobRecord, JobStatus
from app.settings import Settings, load_settings
from worker.main import worker_settings

pytestmark = [pytest.mark.redis, pytest.mark.slow]

Waiter = Callable[..., None]
START_WORKER = "from app.cli.main import main; main()"


class Workers:
    """Worker subprocesses of one test; every one is ended and reaped afterwards."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.env = {
            **os.environ,
            "CROSSFADE_DATA_DIR": str(settings.data_dir),
            "CROSSFADE_DATABASE_URL": settings.effective_database_url,
            "CROSSFADE_REDIS_URL": settings.redis_url or "",
            "CROSSFADE_LOG_LEVEL": "INFO",
        }
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.log_dir / f"worker-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", START_WORKER, "worker"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def arq_settings(tmp_path: Path, redis_url: str) -> Settings:
    return load_settings(
        data_dir=tmp_path / "arq-data",
        database_url=None,
        redis_url=redis_url,
        secret_key="k",
        inline_workers=2,
    )


@pytest.fixture
def workers(arq_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(arq_settings, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def arq_container(arq_settings: Settings) -> Iterator[Container]:
    built = build_container(arq_settings, runner="arq")
    try:
        built.startup()
        yield built
    finally:
        built.close()


def comparable(job: JobRecord) -> dict[str, Any]:
    fields = dataclasses.asdict(job)
    for varying in (
        "id",
        "runner_id",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
        "rate_per_s",
        "eta_s",
    ):
        del fields[varying]
    return fields


def comparable_events(events: list[JobEventRecord]) -> list[tuple[object, ...]]:
    return [(e.seq, e.level, e.action, e.subject, e.before, e.after, e.detail) for e in events]


def run_to_end(container: Container, wait: Waiter, params: dict[str, Any]) -> JobRecord:
    job = container.jobs.start("selftest", params)
    wait(lambda: container.jobs.get(job.id).status.is_finished, timeout_s=60, what="job end")
    return container.jobs.get(job.id)


def test_inline_and_arq_produce_the_same_record_and_events(
    container: Container, arq_container: Container, workers: Workers, wait: Waiter
) -> None:
    params = {"steps": 12, "step_s": 0.01, "fail_at": None}
    inline_job = run_to_end(container, wait, params)
    workers.start()
    arq_job = run_to_end(arq_container, wait, params)
    assert arq_job.status is JobStatus.SUCCEEDED, workers.logs()
    assert comparable(arq_job) == comparable(inline_job)
    assert inline_job.runner_id != arq_job.runner_id
    inline_events = container.jobs.events(inline_job.id).items
    arq_events = arq_container.jobs.events(arq_job.id).items
    assert len(arq_events) == 14
    assert comparable_events(arq_events) == comparable_events(inline_events)


def test_a_failing_job_fails_the_same_way_under_arq(
    arq_container: Container, workers: Workers, wait: Waiter
) -> None:
    workers.start()
    job = run_to_end(arq_container, wait, {"steps": 5, "step_s": 0.0, "fail_at": 2})
    assert job.status is JobStatus.FAILED
    assert job.error == "selftest failed at step 2, as fail_at asked"


def test_sigkilled_worker_leaves_no_job_running(
    arq_container: Container, workers: Workers, wait: Waiter
) -> None:
    first = workers.start()
    job = arq_container.jobs.start("selftest", {"steps": 400, "step_s": 0.05})
    jobs = arq_container.jobs
    wait(lambda: jobs.get(job.id).done >= 3, timeout_s=60, what="the job to make progress")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert jobs.get(job.id).status is JobStatus.RUNNING
    workers.start()
    wait(
        lambda: jobs.get(job.id).status is not JobStatus.RUNNING,
        timeout_s=60,
        what="the next worker to notice the dead one",
    )
    ended = jobs.get(job.id)
    assert ended.status is JobStatus.INTERRUPTED, workers.logs()
    assert ended.error is not None and "is gone" in ended.error
    assert ended.done < 400
    rerun = jobs.rerun(job.id)
    wait(lambda: jobs.get(rerun.id).status is JobStatus.RUNNING, timeout_s=30, what="rerun")
    jobs.cancel(rerun.id)
    wait(lambda: jobs.get(rerun.id).status is JobStatus.CANCELLED, timeout_s=30, what="cancel")


def test_graceful_stop_interrupts_the_running_job(
    arq_container: Container, workers: Workers, wait: Waiter
) -> None:
    process = workers.start()
    job = arq_container.jobs.start("selftest", {"steps": 400, "step_s": 0.05})
    jobs = arq_container.jobs
    wait(lambda: jobs.get(job.id).done >= 2, timeout_s=60, what="progress")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    ended = jobs.get(job.id)
    assert ended.status is JobStatus.INTERRUPTED
    assert ended.error == "the process running the job shut down"


def test_worker_settings_need_redis(settings: Settings, container: Container) -> None:
    with pytest.raises(SetupError):
        worker_settings(settings, container)
