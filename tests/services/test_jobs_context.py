import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.domain.jobs import EventLevel, JobTrigger, NewJobEvent
from app.services.jobs.context import (
    EVENT_ERROR_ACTION,
    ContextTiming,
    JobCancelled,
    JobContext,
    JobInterrupted,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def repo(session_factory: SessionFactory) -> JobRepository:
    return JobRepository(session_factory)


def running_context(
    repo: JobRepository,
    session_factory: SessionFactory,
    clock: FakeClock,
    *,
    timing: ContextTiming = ContextTiming(),
    stopping: threading.Event | None = None,
) -> JobContext:
    job = repo.insert(
        kind="k", params={"a": 1}, dry_run=True, trigger=JobTrigger.CLI, lock_key="x", now=T0
    )
    claimed = repo.claim(job.id, runner_id="me", now=T0)
    assert claimed is not None
    return JobContext(
        claimed,
        repo,
        runner_id="me",
        stopping=stopping or threading.Event(),
        now=lambda: T0,
        clock=clock,
        timing=timing,
    )


def test_exposes_params_and_dry_run(repo: JobRepository, session_factory: SessionFactory) -> None:
    ctx = running_context(repo, session_factory, FakeClock())
    assert ctx.params == {"a": 1}
    assert ctx.dry_run is True


def test_progress_written_at_most_once_per_interval_and_at_phase_changes(
    repo: JobRepository, session_factory: SessionFactory
) -> None:
    clock = FakeClock()
    ctx = running_context(repo, session_factory, clock)
    ctx.progress("scan", 0, 100)
    assert repo.get(ctx.job_id).phase == "scan"
    clock.now += 0.5
    ctx.progress("scan", 10, 100)
    assert repo.get(ctx.job_id).done == 0
    clock.now += 0.6
    ctx.progress("scan", 22, 100)
    job = repo.get(ctx.job_id)
    assert job.done == 22
    assert job.rate_per_s == pytest.approx(22 / 1.1)
    assert job.eta_s == pytest.approx(78 / (22 / 1.1))
    clock.now += 0.1
    ctx.progress("write", 0, 5)
    job = repo.get(ctx.job_id)
    assert (job.phase, job.done, job.total, job.rate_per_s) == ("write", 0, 5, None)
    ctx.counter("written", 3)
    ctx.flush()
    assert repo.get(ctx.job_id).counters == {"written": 3}


def test_events_buffered_then_flushed_in_batches(
    repo: JobRepository, session_factory: SessionFactory
) -> None:
    clock = FakeClock()
    timing = ContextTiming(event_batch_size=3, event_interval_s=10.0)
    ctx = running_context(repo, session_factory, clock, timing=timing)
    ctx.event("write", "a", before=1, after=2.5)
    ctx.event("skip", "b", level="warning")
    assert repo.events(ctx.job_id).total == 0
    ctx.event("fail", "c", level=EventLevel.ERROR, detail="why")
    page = repo.events(ctx.job_id)
    assert [(e.seq, e.action, e.level) for e in page.items] == [
        (1, "write", EventLevel.INFO),
        (2, "skip", EventLevel.WARNING),
        (3, "fail", EventLevel.ERROR),
    ]
    assert (page.items[0].before, page.items[0].after) == ("1", "2.5")
    ctx.event("write", "d")
    clock.now += 10
    ctx.progress("p", 1, 1)
    assert repo.events(ctx.job_id).total == 4


def test_cancellation_is_checked_at_most_every_interval(
    repo: JobRepository, session_factory: SessionFactory
) -> None:
    clock = FakeClock()
    ctx = running_context(repo, session_factory, clock, timing=ContextTiming())
    ctx.check_cancelled()
    repo.request_cancel(ctx.job_id, now=T0)
    ctx.check_cancelled()
    clock.now += 0.5
    with pytest.raises(JobCancelled):
        ctx.check_cancelled()


def test_stopping_process_interrupts(repo: JobRepository, session_factory: SessionFactory) -> None:
    stopping = threading.Event()
    ctx = running_context(repo, session_factory, FakeClock(), stopping=stopping)
    ctx.check_cancelled()
    stopping.set()
    with pytest.raises(JobInterrupted):
        ctx.check_cancelled()


def test_cancellation_is_not_an_exception() -> None:
    assert not issubclass(JobCancelled, Exception)
    assert not issubclass(JobInterrupted, Exception)


class PoisonedEvents(JobRepository):
    """The real repository, except that any batch holding a ``poison`` event fails to store."""

    def append_events(
        self, job_id: int, first_seq: int, events: Sequence[NewJobEvent], *, now: datetime
    ) -> None:
        if any(event.subject == "poison" for event in events):
            raise ValueError("refused")
        super().append_events(job_id, first_seq, events, now=now)


def test_a_batch_that_cannot_be_stored_loses_only_its_bad_events(
    session_factory: SessionFactory,
) -> None:
    repo = PoisonedEvents(session_factory)
    clock = FakeClock()
    timing = ContextTiming(event_batch_size=4, event_interval_s=10.0)
    ctx = running_context(repo, session_factory, clock, timing=timing)
    ctx.event("write", "a")
    ctx.event("write", "poison")
    ctx.event("skip", "b", level="warning")
    ctx.event("write", "c")  # the fourth event: the batch is stored now
    ctx.event("write", "d")
    ctx.flush()
    events = repo.events(ctx.job_id).items
    assert [(e.seq, e.action, e.subject) for e in events] == [
        (1, "write", "a"),
        (2, "skip", "b"),
        (3, "write", "c"),
        (4, EVENT_ERROR_ACTION, "1 events"),
        (5, "write", "d"),
    ]
    assert ctx.problems == 2  # the warning and the lost event
    assert repo.get(ctx.job_id).problems == 2


@pytest.mark.parametrize(
    ("level", "action", "problems"),
    [("info", "write", 0), ("warning", "tags_disagree", 1), ("warning", "conflict", 0),
     ("error", "unreadable", 1)],
)  # fmt: skip
def test_problems_are_counted_and_stored_with_progress(
    repo: JobRepository, session_factory: SessionFactory, level: str, action: str, problems: int
) -> None:
    clock = FakeClock()
    ctx = running_context(repo, session_factory, clock, timing=ContextTiming(event_batch_size=1))
    ctx.event(action, "x", level=level)
    ctx.flush()
    assert ctx.problems == problems
    assert repo.get(ctx.job_id).problems == problems
