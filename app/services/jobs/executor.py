"""``run_job(job_id)``: THE function every runner calls, and dead-runner recovery.

A job is claimed (queued -> running) by one runner id, runs its kind's handler with a
:class:`JobContext`, and ends succeeded, failed, cancelled or interrupted. While jobs run, a
background thread beats their heartbeat; it also sweeps jobs whose runner is gone (same host:
the process no longer exists) or silent for ``stale_after_s`` (any host) to ``interrupted``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.clock import utc_now
from app.domain.errors import CrossfadeError, NotFound
from app.domain.jobs import JobRecord, JobStatus
from app.services.jobs.context import ContextTiming, JobCancelled, JobContext, JobInterrupted
from app.services.jobs.kinds import JobKindRegistry
from app.services.repository_ports import JobRepositoryPort

logger = logging.getLogger(__name__)

Liveness = Callable[[str], bool | None]

FINISH_ATTEMPTS = 3
FINISH_RETRY_S = 0.5


class _ProcessJobs:
    """How many jobs run in this process, over every executor in it (tests and the CLI may
    hold several): ``on_idle`` housekeeping runs only when none is left, and a job cannot
    start while it runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0


_PROCESS_JOBS = _ProcessJobs()


@dataclass(frozen=True, slots=True)
class HeartbeatTiming:
    heartbeat_s: float = 5.0
    stale_after_s: float = 60.0
    sweep_every_s: float = 30.0


class JobExecutor:
    def __init__(
        self,
        repo: JobRepositoryPort,
        registry: JobKindRegistry,
        *,
        runner_id: str,
        runner_alive: Liveness,
        now: Callable[[], datetime] = utc_now,
        clock: Callable[[], float] = time.monotonic,
        timing: ContextTiming = ContextTiming(),
        heartbeat_timing: HeartbeatTiming = HeartbeatTiming(),
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        """``on_idle`` runs when the last job running in this process has ended (giving
        memory back: ``app.adapters.memory.release_memory``)."""
        self.runner_id = runner_id
        self._on_idle = on_idle
        self._repo = repo
        self._registry = registry
        self._runner_alive = runner_alive
        self._now = now
        self._clock = clock
        self._timing = timing
        self._heartbeat_timing = heartbeat_timing
        self._stopping = threading.Event()
        self._closed = threading.Event()
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- running one job ------------------------------------------------------------------

    def run_job(self, job_id: int) -> JobStatus | None:
        """Run queued job ``job_id`` to its end; ``None`` if it was not queued (any more)."""
        job = self._repo.claim(job_id, runner_id=self.runner_id, now=self._now())
        if job is None:
            self._not_queued(job_id)
            return None
        if job.kind not in self._registry:
            error = f"unknown job kind {job.kind!r}"
            self._repo.finish(
                job_id,
                runner_id=self.runner_id,
                status=JobStatus.FAILED,
                error=error,
                now=self._now(),
            )
            return JobStatus.FAILED
        with self._lock:
            self._running.add(job_id)
        with _PROCESS_JOBS.lock:
            _PROCESS_JOBS.running += 1
        self.start_background()
        try:
            return self._run_claimed(job)
        finally:
            with self._lock:
                self._running.discard(job_id)
            self._ended()

    def _ended(self) -> None:
        with _PROCESS_JOBS.lock:
            _PROCESS_JOBS.running -= 1
            if _PROCESS_JOBS.running == 0 and self._on_idle is not None:
                self._on_idle()  # under the lock: no job starts while it runs

    def _not_queued(self, job_id: int) -> None:
        """A job handed over again (arq retries after a worker died): settle, never re-run."""
        try:
            job = self._repo.get(job_id)
        except NotFound:
            logger.warning("job %s does not exist; nothing to run", job_id)
            return
        if job.status is JobStatus.RUNNING and job.runner_id != self.runner_id:
            stale_before = self._now() - timedelta(seconds=self._heartbeat_timing.stale_after_s)
            reason = self._death_reason(
                job.id, job.runner_id, job.heartbeat_at, stale_before, set()
            )
            if reason and self._repo.interrupt(
                job.id, runner_id=job.runner_id, reason=reason, now=self._now()
            ):
                logger.warning("job %s interrupted: %s", job.id, reason)
                return
        logger.info("job %s is %s, not queued; not running it again", job_id, job.status.value)

    def _run_claimed(self, job: JobRecord) -> JobStatus:
        job_id = job.id
        kind = self._registry.get(job.kind)
        context = JobContext(
            job,
            self._repo,
            runner_id=self.runner_id,
            stopping=self._stopping,
            now=self._now,
            clock=self._clock,
            timing=self._timing,
        )
        status = JobStatus.SUCCEEDED
        error: str | None = None
        logger.info("job %s (%s) started by %s", job_id, job.kind, self.runner_id)
        try:
            kind.handler(context)
        except JobCancelled:
            status = JobStatus.CANCELLED
        except JobInterrupted:
            status, error = JobStatus.INTERRUPTED, "the process running the job shut down"
        except CrossfadeError as exc:
            status, error = JobStatus.FAILED, str(exc)
        except Exception as exc:
            logger.exception("job %s (%s) crashed", job_id, job.kind)
            status, error = JobStatus.FAILED, f"internal error: {type(exc).__name__}: {exc}"
        try:
            context.flush()
        except Exception:
            logger.exception("job %s: could not store its last progress", job_id)
        self._finish(job_id, status, error, context.problems)
        logger.info(
            "job %s (%s) ended %s with %s problems",
            job_id,
            job.kind,
            status.value,
            context.problems,
        )
        return status

    def _finish(self, job_id: int, status: JobStatus, error: str | None, problems: int) -> None:
        """End the job now, whatever its handler left behind: a few tries over a second, so a
        passing database hiccup does not leave it ``running`` until the sweep finds it."""
        for attempt in range(1, FINISH_ATTEMPTS + 1):
            try:
                self._repo.finish(
                    job_id,
                    runner_id=self.runner_id,
                    status=status,
                    error=error,
                    now=self._now(),
                    problems=problems,
                )
                return
            except Exception:
                logger.exception("job %s: could not store its end (try %s)", job_id, attempt)
                if attempt < FINISH_ATTEMPTS:
                    time.sleep(FINISH_RETRY_S)

    # -- dead runners ---------------------------------------------------------------------

    def recover(self) -> list[int]:
        """Mark running jobs whose runner is dead ``interrupted``; returns their ids."""
        now = self._now()
        stale_before = now - timedelta(seconds=self._heartbeat_timing.stale_after_s)
        with self._lock:
            mine = set(self._running)
        interrupted: list[int] = []
        for job in self._repo.running():
            reason = self._death_reason(job.id, job.runner_id, job.heartbeat_at, stale_before, mine)
            if reason and self._repo.interrupt(
                job.id, runner_id=job.runner_id, reason=reason, now=now
            ):
                logger.warning("job %s interrupted: %s", job.id, reason)
                interrupted.append(job.id)
        return interrupted

    def _death_reason(
        self,
        job_id: int,
        runner_id: str | None,
        heartbeat_at: datetime | None,
        stale_before: datetime,
        mine: set[int],
    ) -> str | None:
        if runner_id is None:
            return "running without a runner"
        if runner_id == self.runner_id:
            return None if job_id in mine else "this process lost track of it"
        alive = self._runner_alive(runner_id)
        if alive is False:
            return f"its runner {runner_id} is gone (the process ended while the job ran)"
        if alive is None and (heartbeat_at is None or heartbeat_at < stale_before):
            return f"its runner {runner_id} stopped sending heartbeats"
        return None

    # -- background heartbeat and sweep ---------------------------------------------------

    def start_background(self) -> None:
        """Start the heartbeat-and-sweep thread (idempotent)."""
        with self._lock:
            if self._thread is not None or self._closed.is_set():
                return
            self._thread = threading.Thread(
                target=self._background, name="crossfade-heartbeat", daemon=True
            )
            self._thread.start()

    def _background(self) -> None:
        last_sweep = self._clock()
        while not self._closed.wait(self._heartbeat_timing.heartbeat_s):
            try:
                with self._lock:
                    running = list(self._running)
                self._repo.heartbeat(running, runner_id=self.runner_id, now=self._now())
                if self._clock() - last_sweep >= self._heartbeat_timing.sweep_every_s:
                    last_sweep = self._clock()
                    self.recover()
            except Exception:
                logger.exception(
                    "heartbeat failed; trying again in %ss", self._heartbeat_timing.heartbeat_s
                )

    def request_stop(self) -> None:
        """Running jobs stop at their next cancellation check and end ``interrupted``."""
        self._stopping.set()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
