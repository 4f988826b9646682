"""``JobExecutor(on_idle=...)``: the housekeeping runs once the last job running in the
process has ended, over every executor in it, never while one still runs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.domain.jobs import JobStatus, JobTrigger
from app.services.jobs.context import ContextTiming, JobContext
from app.services.jobs.executor import JobExecutor
from app.services.jobs.kinds import JobKind, JobKindRegistry

FAST = ContextTiming(progress_interval_s=0.0, event_interval_s=0.0, cancel_check_interval_s=0.0)


class Gate:
    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.opened = threading.Event()

    def __call__(self, ctx: JobContext) -> None:
        self.entered.release()
        while not self.opened.wait(0.01):
            ctx.check_cancelled()


def test_on_idle_runs_after_the_last_job_of_every_executor(
    session_factory: SessionFactory,
) -> None:
    repo = JobRepository(session_factory)
    gate = Gate()
    idle_calls: list[int] = []
    executors = []
    for name in ("first", "second"):
        registry = JobKindRegistry()
        registry.register(JobKind(name=name, title=name, handler=gate, lock_key=name))
        executors.append(
            JobExecutor(
                repo,
                registry,
                runner_id=f"here:{name}:1",
                runner_alive=lambda _runner: None,
                timing=FAST,
                on_idle=lambda: idle_calls.append(1),
            )
        )
    job_ids = [
        repo.insert(
            kind=name,
            params={},
            dry_run=False,
            trigger=JobTrigger.API,
            lock_key=name,
            now=datetime.now(UTC),
        ).id
        for name in ("first", "second")
    ]
    results: list[JobStatus | None] = []
    threads = [
        threading.Thread(target=lambda e=executor, j=job_id: results.append(e.run_job(j)))
        for executor, job_id in zip(executors, job_ids, strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        assert gate.entered.acquire(timeout=10)
        assert gate.entered.acquire(timeout=10)
        assert idle_calls == []
        gate.opened.set()
        for thread in threads:
            thread.join(10)
        assert results == [JobStatus.SUCCEEDED, JobStatus.SUCCEEDED]
        assert idle_calls == [1]  # once, after both
    finally:
        gate.opened.set()
        for executor in executors:
            executor.request_stop()
            executor.close()
