import os
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.domain.errors import PlexUnavailable
from app.domain.jobs import EventLevel, JobStatus, JobTrigger, NewJobEvent
from app.services.jobs.context import EVENT_ERROR_ACTION, ContextTiming, JobContext
from app.services.jobs.executor import HeartbeatTiming, JobExecutor, Liveness
from app.services.jobs.kinds import JobKind, JobKindRegistry
from app.services.jobs.selftest import selftest_kind

FAST = ContextTiming(progress_interval_s=0.0, event_interval_s=0.0, cancel_check_interval_s=0.0)
Waiter = Callable[..., None]
QUICK_BEATS = HeartbeatTiming(heartbeat_s=0.05, stale_after_s=60, sweep_every_s=3600)


class Gate:
    """A handler that runs until the test opens the gate (or the job is told to stop)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self, ctx: JobContext) -> None:
        self.entered.set()
        while not self.opened.wait(0.01):
            ctx.check_cancelled()
        ctx.event("done", "gate")


def crash(ctx: JobContext) -> None:
    raise ZeroDivisionError("boom")


def plex_down(ctx: JobContext) -> None:
    raise PlexUnavailable("503 after retries", server="http://plex:32400")


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def registry(gate: Gate) -> JobKindRegistry:
    registry = JobKindRegistry()
    registry.register(selftest_kind(sleep=lambda _s: None))
    registry.register(JobKind(name="gate", title="Gate", handler=gate, lock_key="gate"))
    registry.register(JobKind(name="crash", title="Crash", handler=crash, lock_key="crash"))
    registry.register(JobKind(name="plex", title="Plex", handler=plex_down, lock_key="plex"))
    return registry


@pytest.fixture
def repo(session_factory: SessionFactory) -> JobRepository:
    return JobRepository(session_factory)


class Runners:
    """Liveness of other runners, as the test decides."""

    def __init__(self) -> None:
        self.alive: dict[str, bool | None] = {}

    def __call__(self, runner_id: str) -> bool | None:
        return self.alive.get(runner_id)


@pytest.fixture
def runners() -> Runners:
    return Runners()


@pytest.fixture
def executor(
    repo: JobRepository,
    registry: JobKindRegistry,
    session_factory: SessionFactory,
    runners: Runners,
) -> Iterator[JobExecutor]:
    built = make_executor(repo, registry, session_factory, runners)
    try:
        yield built
    finally:
        built.request_stop()
        built.close()


def make_executor(
    repo: JobRepository,
    registry: JobKindRegistry,
    session_factory: SessionFactory,
    runners: Liveness,
    *,
    runner_id: str = "here:1:1",
    heartbeat_timing: HeartbeatTiming = HeartbeatTiming(
        heartbeat_s=0.05, stale_after_s=60, sweep_every_s=3600
    ),
) -> JobExecutor:
    return JobExecutor(
        repo,
        registry,
        runner_id=runner_id,
        runner_alive=runners,
        timing=FAST,
        heartbeat_timing=heartbeat_timing,
    )


def queue(repo: JobRepository, kind: str, params: dict[str, object] | None = None) -> int:
    job = repo.insert(
        kind=kind,
        params=params or {},
        dry_run=False,
        trigger=JobTrigger.API,
        lock_key=kind,
        now=datetime.now(UTC),
    )
    return job.id


def test_selftest_runs_to_success(repo: JobRepository, executor: JobExecutor) -> None:
    job_id = queue(repo, "selftest", {"steps": 7, "step_s": 0.0, "fail_at": None})
    assert executor.run_job(job_id) is JobStatus.SUCCEEDED
    job = repo.get(job_id)
    assert (job.status, job.phase, job.done, job.total) == (JobStatus.SUCCEEDED, "stepping", 7, 7)
    assert job.counters == {"steps": 7, "checkpoints": 1}
    assert job.runner_id == "here:1:1"
    assert job.started_at is not None and job.finished_at is not None
    assert job.error is None
    events = repo.events(job_id).items
    assert [e.action for e in events] == ["step"] * 5 + ["checkpoint"] + ["step"] * 2
    assert [e.seq for e in events] == list(range(1, 9))


def test_setup_failure_fails_the_job_with_its_message(
    repo: JobRepository, executor: JobExecutor
) -> None:
    job_id = queue(repo, "selftest", {"steps": 5, "step_s": 0.0, "fail_at": 3})
    assert executor.run_job(job_id) is JobStatus.FAILED
    job = repo.get(job_id)
    assert job.error == "selftest failed at step 3, as fail_at asked"
    assert job.done == 2
    errors = repo.events(job_id, levels=[EventLevel.ERROR]).items
    assert [e.action for e in errors] == ["fail"]
    assert repo.active_holder("selftest") is None


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("crash", "internal error: ZeroDivisionError: boom"),
        ("plex", "503 after retries (http://plex:32400)"),
        ("nope", "unknown job kind 'nope'"),
    ],
)
def test_errors_end_the_job_failed(
    repo: JobRepository, executor: JobExecutor, kind: str, error: str
) -> None:
    job_id = queue(repo, kind)
    assert executor.run_job(job_id) is JobStatus.FAILED
    assert repo.get(job_id).error == error


def test_a_job_runs_once(repo: JobRepository, executor: JobExecutor) -> None:
    job_id = queue(repo, "selftest", {"steps": 1, "step_s": 0.0, "fail_at": None})
    assert executor.run_job(job_id) is JobStatus.SUCCEEDED
    assert executor.run_job(job_id) is None
    assert executor.run_job(4242) is None
    assert repo.get(job_id).attempt == 1


def run_in_thread(executor: JobExecutor, job_id: int) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(executor.run_job(job_id)))
    thread.start()
    return thread, result


def test_cancel_stops_between_items(repo: JobRepository, executor: JobExecutor, gate: Gate) -> None:
    job_id = queue(repo, "gate")
    thread, result = run_in_thread(executor, job_id)
    assert gate.entered.wait(10)
    repo.request_cancel(job_id, now=datetime.now(UTC))
    thread.join(10)
    assert result == [JobStatus.CANCELLED]
    job = repo.get(job_id)
    assert job.status is JobStatus.CANCELLED
    assert job.error is None
    assert repo.events(job_id).total == 0


def test_request_stop_interrupts_running_jobs(
    repo: JobRepository, executor: JobExecutor, gate: Gate
) -> None:
    job_id = queue(repo, "gate")
    thread, result = run_in_thread(executor, job_id)
    assert gate.entered.wait(10)
    executor.request_stop()
    thread.join(10)
    assert result == [JobStatus.INTERRUPTED]
    assert repo.get(job_id).error == "the process running the job shut down"


def test_heartbeat_while_running(
    repo: JobRepository, executor: JobExecutor, gate: Gate, wait: Waiter
) -> None:
    job_id = queue(repo, "gate")
    thread, _ = run_in_thread(executor, job_id)
    assert gate.entered.wait(10)
    first = repo.get(job_id).heartbeat_at
    assert first is not None
    wait(lambda: (repo.get(job_id).heartbeat_at or first) > first, what="a heartbeat")
    gate.opened.set()
    thread.join(10)
    assert repo.get(job_id).status is JobStatus.SUCCEEDED


def claimed_by(repo: JobRepository, runner_id: str, heartbeat_age_s: float) -> int:
    job_id = queue(repo, f"gate-{runner_id}")
    repo.claim(
        job_id, runner_id=runner_id, now=datetime.now(UTC) - timedelta(seconds=heartbeat_age_s)
    )
    return job_id


def test_recover_interrupts_only_dead_or_silent_runners(
    repo: JobRepository, executor: JobExecutor, runners: Runners
) -> None:
    runners.alive = {"dead:1:1": False, "alive:1:1": True}
    dead = claimed_by(repo, "dead:1:1", 0)
    alive_but_silent = claimed_by(repo, "alive:1:1", 3600)
    elsewhere_fresh = claimed_by(repo, "far:1:1", 1)
    elsewhere_silent = claimed_by(repo, "far:2:2", 3600)
    mine_forgotten = claimed_by(repo, "here:1:1", 0)
    interrupted = executor.recover()
    assert sorted(interrupted) == sorted([dead, elsewhere_silent, mine_forgotten])
    statuses = {job_id: repo.get(job_id).status for job_id in [alive_but_silent, elsewhere_fresh]}
    assert set(statuses.values()) == {JobStatus.RUNNING}
    assert "is gone" in (repo.get(dead).error or "")
    assert "heartbeats" in (repo.get(elsewhere_silent).error or "")


def test_background_sweep_interrupts_dead_runners(
    repo: JobRepository,
    registry: JobKindRegistry,
    session_factory: SessionFactory,
    runners: Runners,
    wait: Waiter,
) -> None:
    runners.alive = {"dead:1:1": False}
    job_id = claimed_by(repo, "dead:1:1", 0)
    sweeper = make_executor(
        repo,
        registry,
        session_factory,
        runners,
        heartbeat_timing=HeartbeatTiming(heartbeat_s=0.02, stale_after_s=60, sweep_every_s=0.0),
    )
    try:
        sweeper.start_background()
        wait(lambda: repo.get(job_id).status is JobStatus.INTERRUPTED, what="the sweep")
    finally:
        sweeper.close()


def test_handing_over_a_dead_runners_job_interrupts_it_instead_of_rerunning(
    repo: JobRepository, executor: JobExecutor, runners: Runners
) -> None:
    runners.alive = {"dead:1:1": False, "alive:1:1": True}
    dead = claimed_by(repo, "dead:1:1", 0)
    alive = claimed_by(repo, "alive:1:1", 0)
    assert executor.run_job(dead) is None
    assert executor.run_job(alive) is None
    assert repo.get(dead).status is JobStatus.INTERRUPTED
    assert repo.get(alive).status is JobStatus.RUNNING
    assert repo.get(dead).attempt == 1


# -- whatever one item holds, the job ends ---------------------------------------------------

ODD = os.fsdecode(b"Caf\xe9/09 Caf\xe9.flac")


def odd_names(ctx: JobContext) -> None:
    ctx.event("unreadable", ODD, level=EventLevel.ERROR, detail=f"cannot open {ODD}\x00")
    ctx.event("write_b", "new\nline.flac", before=ODD, after="4★")
    ctx.event("conflict", ODD, level=EventLevel.WARNING)  # in the inbox: not a problem
    ctx.event("tags_disagree", "-dash.flac", level=EventLevel.WARNING)


def odd_names_then_crash(ctx: JobContext) -> None:
    odd_names(ctx)
    raise OSError(f"[Errno 5] Input/output error: {ODD!s}")


class PoisonedEvents(JobRepository):
    """The real repository, except that storing a batch holding a ``poison`` event fails, as
    a database that refuses one value would."""

    def append_events(
        self, job_id: int, first_seq: int, events: Sequence[NewJobEvent], *, now: datetime
    ) -> None:
        if any(event.subject == "poison" for event in events):
            raise ValueError("the database refused a value")
        super().append_events(job_id, first_seq, events, now=now)


def poisoned(ctx: JobContext) -> None:
    ctx.event("step", "before")
    ctx.flush()
    ctx.event("step", "poison")
    ctx.flush()
    ctx.event("step", "after")


def poisoned_at_the_end(ctx: JobContext) -> None:
    ctx.event("step", "poison")
    raise PlexUnavailable("503 after retries", server="http://plex:32400")


def test_odd_names_are_stored_in_their_display_form(
    repo: JobRepository, registry: JobKindRegistry, executor: JobExecutor
) -> None:
    registry.register(JobKind(name="odd", title="Odd", handler=odd_names, lock_key="odd"))
    job_id = queue(repo, "odd", {"path": ODD})
    assert executor.run_job(job_id) is JobStatus.SUCCEEDED
    job = repo.get(job_id)
    assert job.problems == 2  # the error and the disagreeing tags; the conflict waits
    assert job.params == {"path": ODD}  # parameters keep the exact name
    events = repo.events(job_id).items
    assert [(e.subject, e.before, e.detail) for e in events] == [
        ("Caf\\xe9/09 Caf\\xe9.flac", None, "cannot open Caf\\xe9/09 Caf\\xe9.flac\\x00"),
        ("new\\nline.flac", "Caf\\xe9/09 Caf\\xe9.flac", None),
        ("Caf\\xe9/09 Caf\\xe9.flac", None, None),
        ("-dash.flac", None, None),
    ]


def test_a_crash_over_odd_names_fails_the_job_at_once(
    repo: JobRepository, registry: JobKindRegistry, executor: JobExecutor
) -> None:
    registry.register(
        JobKind(name="odd", title="Odd", handler=odd_names_then_crash, lock_key="odd")
    )
    job_id = queue(repo, "odd")
    assert executor.run_job(job_id) is JobStatus.FAILED
    job = repo.get(job_id)
    assert (
        job.error
        == "internal error: OSError: [Errno 5] Input/output error: Caf\\xe9/09 Caf\\xe9.flac"
    )
    assert job.problems == 2
    assert len(repo.events(job_id).items) == 4
    assert repo.active_holder("odd") is None


@pytest.mark.parametrize(
    ("handler", "status", "subjects"),
    [
        (poisoned, JobStatus.SUCCEEDED, ["before", "1 events", "after"]),
        (poisoned_at_the_end, JobStatus.FAILED, ["1 events"]),
    ],
)
def test_events_that_cannot_be_stored_become_one_event_and_the_job_ends(
    session_factory: SessionFactory,
    registry: JobKindRegistry,
    runners: Runners,
    handler: Callable[[JobContext], None],
    status: JobStatus,
    subjects: list[str],
) -> None:
    repo = PoisonedEvents(session_factory)
    registry.register(JobKind(name="poison", title="Poison", handler=handler, lock_key="poison"))
    executor = make_executor(repo, registry, session_factory, runners)
    try:
        job_id = queue(repo, "poison")
        assert executor.run_job(job_id) is status
    finally:
        executor.request_stop()
        executor.close()
    job = repo.get(job_id)
    assert job.status is status and job.finished_at is not None
    assert job.problems == 1
    events = repo.events(job_id).items
    assert [e.subject for e in events] == subjects
    (lost,) = [e for e in events if e.action == EVENT_ERROR_ACTION]
    assert lost.level is EventLevel.ERROR
    assert lost.detail is not None and "the database refused a value" in lost.detail
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert repo.active_holder("poison") is None
