from datetime import UTC, datetime, timedelta

import pytest

from app.bootstrap import Container
from app.domain.jobs import JobRecord, JobStatus, JobTrigger
from app.services.system.status import StatusReader, last_finished, overall_state

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def job(job_id: int, status: JobStatus, finished_min: int | None = None) -> JobRecord:
    finished = None if finished_min is None else T0 + timedelta(minutes=finished_min)
    return JobRecord(
        id=job_id,
        kind="selftest",
        link_id=None,
        params={},
        dry_run=False,
        status=status,
        phase=None,
        done=0,
        total=None,
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
        finished_at=finished,
        updated_at=finished or T0,
    )


@pytest.mark.parametrize(
    ("active", "last", "state"),
    [
        (0, None, "idle"),
        (0, JobStatus.SUCCEEDED, "idle"),
        (0, JobStatus.CANCELLED, "idle"),
        (0, JobStatus.FAILED, "failed"),
        (0, JobStatus.INTERRUPTED, "failed"),
        (1, JobStatus.FAILED, "running"),
        (2, None, "running"),
    ],
)
def test_overall_state(active: int, last: JobStatus | None, state: str) -> None:
    last_job = None if last is None else job(1, last, 5)
    assert overall_state(active_jobs=active, last_job=last_job) == state


def test_last_finished_goes_by_finish_time_not_id() -> None:
    jobs = [
        job(3, JobStatus.RUNNING),
        job(2, JobStatus.SUCCEEDED, finished_min=1),
        job(1, JobStatus.FAILED, finished_min=9),
    ]
    last = last_finished(jobs)
    assert last is not None
    assert last.id == 1
    assert last_finished([job(3, JobStatus.QUEUED)]) is None
    assert last_finished([]) is None
    tie = [job(4, JobStatus.SUCCEEDED, 2), job(5, JobStatus.FAILED, 2)]
    found = last_finished(tie)
    assert found is not None
    assert found.id == 5


def test_read_on_an_empty_installation(container: Container) -> None:
    domains = container.domains
    status = StatusReader(container.jobs, domains.libraries.repository, domains.review).read()
    assert status.state == "idle"
    assert status.current_job is None
    assert status.last_job is None
    assert (status.jobs_running, status.jobs_queued, status.jobs_failed) == (0, 0, 0)
    assert (status.pending_conflicts, status.matches_to_review) == (0, 0)
    assert (status.libraries, status.links) == (0, 0)
