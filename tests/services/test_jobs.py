from collections.abc import Callable, Iterator

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.domain.errors import AlreadyRunning, InvalidInput, QueueUnavailable, StateConflict
from app.domain.jobs import EventLevel, JobStatus, JobTrigger
from app.services.jobs.executor import JobExecutor
from app.services.jobs.kinds import JobKindRegistry
from app.services.jobs.runners import InlineRunner
from app.services.jobs.selftest import selftest_kind
from app.services.jobs.service import JobService

Waiter = Callable[..., None]


class RecordingRunner:
    """A runner that only remembers what it was given (the port, faked)."""

    mode = "recording"

    def __init__(self, fail: bool = False) -> None:
        self.submitted: list[int] = []
        self.fail = fail

    def submit(self, job_id: int) -> None:
        if self.fail:
            raise QueueUnavailable("redis at 127.0.0.1:1/0: refused")
        self.submitted.append(job_id)

    def close(self) -> None:
        return None


@pytest.fixture
def repo(session_factory: SessionFactory) -> JobRepository:
    return JobRepository(session_factory)


@pytest.fixture
def registry() -> JobKindRegistry:
    registry = JobKindRegistry()
    registry.register(selftest_kind(sleep=lambda _s: None))
    return registry


@pytest.fixture
def inline_service(
    repo: JobRepository, registry: JobKindRegistry, session_factory: SessionFactory
) -> Iterator[JobService]:
    executor = JobExecutor(repo, registry, runner_id="me:1:1", runner_alive=lambda _r: None)
    runner = InlineRunner(executor.run_job, max_workers=2)
    try:
        yield JobService(repo, registry, runner)
    finally:
        executor.request_stop()
        runner.close()
        executor.close()


def test_start_runs_the_job_through_the_runner(inline_service: JobService, wait: Waiter) -> None:
    job = inline_service.start("selftest", {"steps": 3, "step_s": 0}, trigger=JobTrigger.CLI)
    assert job.params == {"steps": 3, "step_s": 0.0, "fail_at": None}
    assert job.trigger is JobTrigger.CLI
    wait(lambda: inline_service.get(job.id).status is JobStatus.SUCCEEDED)
    assert inline_service.events(job.id).total == 3
    assert inline_service.counts()[JobStatus.SUCCEEDED] == 1


def test_start_refuses_bad_kinds_and_params(repo: JobRepository, registry: JobKindRegistry) -> None:
    service = JobService(repo, registry, RecordingRunner())
    with pytest.raises(InvalidInput, match="unknown job kind"):
        service.start("nope")
    with pytest.raises(InvalidInput, match="steps"):
        service.start("selftest", {"steps": 0})
    assert service.page().total == 0


def test_second_start_on_the_same_lock_names_the_active_job(
    repo: JobRepository, registry: JobKindRegistry
) -> None:
    runner = RecordingRunner()
    service = JobService(repo, registry, runner)
    first = service.start("selftest")
    with pytest.raises(AlreadyRunning) as caught:
        service.start("selftest")
    assert caught.value.job_id == first.id
    other = service.start("selftest", lock_key="lib:1+lib:2")
    assert runner.submitted == [first.id, other.id]


def test_queue_down_fails_the_job_and_frees_the_lock(
    repo: JobRepository, registry: JobKindRegistry
) -> None:
    service = JobService(repo, registry, RecordingRunner(fail=True))
    with pytest.raises(QueueUnavailable):
        service.start("selftest")
    (job,) = service.page().items
    assert job.status is JobStatus.FAILED
    assert job.error is not None and job.error.startswith("could not enqueue")
    assert repo.active_holder("selftest") is None


def test_cancel_and_rerun(repo: JobRepository, registry: JobKindRegistry) -> None:
    runner = RecordingRunner()
    service = JobService(repo, registry, runner)
    job = service.start("selftest", {"steps": 2}, dry_run=True)
    with pytest.raises(StateConflict):
        service.rerun(job.id)
    assert service.cancel(job.id).status is JobStatus.CANCELLED
    with pytest.raises(StateConflict):
        service.cancel(job.id)
    again = service.rerun(job.id, trigger=JobTrigger.UI)
    assert (again.kind, again.params, again.dry_run, again.lock_key) == (
        job.kind,
        job.params,
        True,
        job.lock_key,
    )
    assert again.trigger is JobTrigger.UI
    assert runner.submitted == [job.id, again.id]


def test_resubmit_queued_after_a_restart(repo: JobRepository, registry: JobKindRegistry) -> None:
    before = RecordingRunner()
    first = JobService(repo, registry, before)
    a = first.start("selftest")
    b = first.start("selftest", lock_key="other")
    first.cancel(b.id)
    after = RecordingRunner()
    assert JobService(repo, registry, after).resubmit_queued() == [a.id]
    assert after.submitted == [a.id]


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (501, 0), (10, -1)])
def test_page_windows_are_checked(
    repo: JobRepository, registry: JobKindRegistry, limit: int, offset: int
) -> None:
    service = JobService(repo, registry, RecordingRunner())
    with pytest.raises(InvalidInput):
        service.page(limit=limit, offset=offset)
    with pytest.raises(InvalidInput):
        service.events(1, limit=limit, offset=offset, levels=[EventLevel.INFO])


def test_resubmit_with_the_queue_down_keeps_jobs_queued(
    repo: JobRepository, registry: JobKindRegistry
) -> None:
    job = JobService(repo, registry, RecordingRunner()).start("selftest")
    assert JobService(repo, registry, RecordingRunner(fail=True)).resubmit_queued() == []
    assert repo.get(job.id).status is JobStatus.QUEUED
