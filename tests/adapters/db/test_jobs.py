import threading
from datetime import UTC, datetime, timedelta

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.domain.errors import AlreadyRunning, NotFound, StateConflict
from app.domain.jobs import EventLevel, JobStatus, JobTrigger, NewJobEvent

T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def repo(session_factory: SessionFactory) -> JobRepository:
    return JobRepository(session_factory)


def new_job(repo: JobRepository, lock_key: str = "lib:1+lib:2", kind: str = "selftest") -> int:
    job = repo.insert(
        kind=kind,
        params={"steps": 3},
        dry_run=False,
        trigger=JobTrigger.API,
        lock_key=lock_key,
        now=T0,
    )
    return job.id


def test_insert_and_get_round_trip(repo: JobRepository) -> None:
    job = repo.get(new_job(repo))
    assert job.status is JobStatus.QUEUED
    assert job.params == {"steps": 3}
    assert job.created_at == T0
    assert job.created_at.tzinfo is not None
    assert job.attempt == 0


def test_get_unknown_raises_not_found(repo: JobRepository) -> None:
    with pytest.raises(NotFound):
        repo.get(999)


def test_second_active_job_on_the_same_key_names_the_first(repo: JobRepository) -> None:
    first = new_job(repo)
    with pytest.raises(AlreadyRunning) as caught:
        new_job(repo)
    assert caught.value.job_id == first
    new_job(repo, lock_key="lib:1+lib:3")


def test_finishing_releases_the_lock_key(repo: JobRepository) -> None:
    first = new_job(repo)
    assert repo.claim(first, runner_id="r", now=T0) is not None
    assert repo.finish(first, runner_id="r", status=JobStatus.SUCCEEDED, error=None, now=T0)
    second = new_job(repo)
    assert second != first


def test_concurrent_creates_admit_exactly_one(repo: JobRepository) -> None:
    barrier = threading.Barrier(6)
    created: list[int] = []
    refused: list[int] = []

    def create() -> None:
        barrier.wait()
        try:
            created.append(new_job(repo, lock_key="race"))
        except AlreadyRunning as exc:
            refused.append(exc.job_id)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1
    assert refused == [created[0]] * 5


def test_claim_only_once(repo: JobRepository) -> None:
    job_id = new_job(repo)
    claimed = repo.claim(job_id, runner_id="a", now=T0)
    assert claimed is not None
    assert claimed.status is JobStatus.RUNNING
    assert claimed.runner_id == "a"
    assert claimed.attempt == 1
    assert repo.claim(job_id, runner_id="b", now=T0) is None


def test_only_the_owner_writes_progress_and_finishes(repo: JobRepository) -> None:
    job_id = new_job(repo)
    repo.claim(job_id, runner_id="a", now=T0)
    later = T0 + timedelta(seconds=5)
    for runner in ("b", "a"):
        repo.write_progress(
            job_id,
            runner_id=runner,
            phase=f"by {runner}",
            done=2,
            total=4,
            rate_per_s=1.0,
            eta_s=2.0,
            counters={"x": 1},
            now=later,
        )
    job = repo.get(job_id)
    assert (job.phase, job.done, job.total, job.counters) == ("by a", 2, 4, {"x": 1})
    assert job.heartbeat_at == later
    assert not repo.finish(job_id, runner_id="b", status=JobStatus.FAILED, error="x", now=later)
    assert repo.finish(job_id, runner_id="a", status=JobStatus.SUCCEEDED, error=None, now=later)
    assert repo.get(job_id).status is JobStatus.SUCCEEDED


def test_cancel_queued_is_immediate(repo: JobRepository) -> None:
    job_id = new_job(repo)
    job = repo.request_cancel(job_id, now=T0)
    assert job.status is JobStatus.CANCELLED
    assert repo.active_holder("lib:1+lib:2") is None
    assert repo.claim(job_id, runner_id="a", now=T0) is None


def test_cancel_running_sets_the_flag(repo: JobRepository) -> None:
    job_id = new_job(repo)
    repo.claim(job_id, runner_id="a", now=T0)
    assert not repo.is_cancel_requested(job_id)
    job = repo.request_cancel(job_id, now=T0)
    assert job.status is JobStatus.RUNNING
    assert job.cancel_requested
    assert repo.is_cancel_requested(job_id)


def test_cancel_finished_is_a_state_conflict(repo: JobRepository) -> None:
    job_id = new_job(repo)
    repo.request_cancel(job_id, now=T0)
    with pytest.raises(StateConflict):
        repo.request_cancel(job_id, now=T0)


def test_interrupt_and_stale(repo: JobRepository) -> None:
    job_id = new_job(repo)
    repo.claim(job_id, runner_id="host:1:2", now=T0)
    assert [j.id for j in repo.stale_running(older_than=T0 + timedelta(seconds=1))] == [job_id]
    repo.heartbeat([job_id], runner_id="host:1:2", now=T0 + timedelta(seconds=10))
    assert repo.stale_running(older_than=T0 + timedelta(seconds=1)) == []
    assert not repo.interrupt(job_id, runner_id="other", reason="x", now=T0)
    assert repo.interrupt(job_id, runner_id="host:1:2", reason="gone", now=T0)
    job = repo.get(job_id)
    assert (job.status, job.error) == (JobStatus.INTERRUPTED, "gone")
    assert repo.active_holder(job.lock_key) is None


def test_events_page_and_filter(repo: JobRepository) -> None:
    job_id = new_job(repo)
    events = [
        NewJobEvent(action="write" if i % 2 else "skip", subject=f"item {i}") for i in range(10)
    ] + [NewJobEvent(action="write", subject="bad", level=EventLevel.ERROR, detail="boom")]
    repo.append_events(job_id, 1, events[:6], now=T0)
    repo.append_events(job_id, 7, events[6:], now=T0)
    assert repo.last_event_seq(job_id) == 11
    page = repo.events(job_id, limit=4, offset=4)
    assert [e.seq for e in page.items] == [5, 6, 7, 8]
    assert page.total == 11
    writes = repo.events(job_id, actions=["write"])
    assert writes.total == 6
    errors = repo.events(job_id, levels=[EventLevel.ERROR])
    assert [(e.subject, e.detail) for e in errors.items] == [("bad", "boom")]
    both = repo.events(job_id, actions=["skip"], levels=[EventLevel.ERROR])
    assert both.total == 0
    with pytest.raises(NotFound):
        repo.events(12345)


def test_page_filters_and_counts(repo: JobRepository) -> None:
    ids = [new_job(repo, lock_key=f"k{i}", kind="a" if i < 3 else "b") for i in range(5)]
    repo.request_cancel(ids[0], now=T0)
    page = repo.page(limit=2, offset=1)
    assert [j.id for j in page.items] == [ids[3], ids[2]]
    assert page.total == 5
    assert repo.page(kind="b").total == 2
    assert [j.id for j in repo.page(statuses=[JobStatus.CANCELLED]).items] == [ids[0]]
    counts = repo.count_by_status()
    assert counts[JobStatus.QUEUED] == 4
    assert counts[JobStatus.CANCELLED] == 1
    assert repo.ids_with_status(JobStatus.QUEUED) == ids[1:]
