"""What a running job's handler sees: :class:`JobContext`.

Progress is written at most once per ``progress_interval_s`` (and at every phase change and at
the end) with a rate and ETA; events are buffered and appended in batches; cancellation is
checked between items, at most every ``cancel_check_interval_s``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.jobs import EventLevel, JobRecord, NewJobEvent, estimate
from app.domain.names import display_form
from app.domain.problems import is_problem
from app.services.repository_ports import JobRepositoryPort

logger = logging.getLogger(__name__)

EVENT_ERROR_ACTION = "event_error"
"""The event recorded in place of a batch of events that could not be stored."""


class JobCancelled(BaseException):
    """A person asked the job to stop; raised by :meth:`JobContext.check_cancelled`.

    A ``BaseException`` so that per-item ``except Exception`` handlers never swallow it.
    """


class JobInterrupted(BaseException):
    """The process running the job is shutting down; the job ends ``interrupted``."""


@dataclass(frozen=True, slots=True)
class ContextTiming:
    progress_interval_s: float = 1.0
    event_batch_size: int = 200
    event_interval_s: float = 1.0
    cancel_check_interval_s: float = 0.5


class JobContext:
    """Handed to a job kind's handler: its parameters and the ways to report back."""

    def __init__(
        self,
        job: JobRecord,
        repo: JobRepositoryPort,
        *,
        runner_id: str,
        stopping: threading.Event,
        now: Callable[[], datetime],
        clock: Callable[[], float] = time.monotonic,
        timing: ContextTiming = ContextTiming(),
    ) -> None:
        self.job_id = job.id
        self.kind = job.kind
        self.link_id = job.link_id
        self.params: Mapping[str, Any] = dict(job.params)
        self.dry_run = job.dry_run
        self._repo = repo
        self._runner_id = runner_id
        self._stopping = stopping
        self._now = now
        self._clock = clock
        self._timing = timing
        start = clock()
        self._phase: str | None = job.phase
        self._done = job.done
        self._total: int | None = job.total
        self._counters: dict[str, int] = dict(job.counters)
        self._problems = job.problems
        self._phase_started = start
        self._phase_start_done = job.done
        self._last_progress_write = start
        self._progress_dirty = False
        self._events: list[NewJobEvent] = []
        self._next_seq = repo.last_event_seq(job.id) + 1
        self._last_event_flush = start
        self._last_cancel_check = start - timing.cancel_check_interval_s

    # -- reporting ------------------------------------------------------------------------

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        """Where the job is: ``done`` of ``total`` items in ``phase``."""
        now = self._clock()
        phase_changed = phase != self._phase
        if phase_changed:
            self._phase = phase
            self._phase_started = now
            self._phase_start_done = done
        self._done = done
        self._total = total
        self._progress_dirty = True
        if phase_changed or now - self._last_progress_write >= self._timing.progress_interval_s:
            self._write_progress(now)
        self._flush_events_if_due(now)

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: EventLevel | str = EventLevel.INFO,
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        """Record what happened to one item; stored in batches. A warning or an error about
        an item is one of the job's problems (``app.domain.problems``)."""
        event_level = EventLevel(level)
        if is_problem(event_level, action):
            self._problems += 1
            self._progress_dirty = True
        self._events.append(
            NewJobEvent(
                action=action,
                subject=str(subject),
                level=event_level,
                before=None if before is None else str(before),
                after=None if after is None else str(after),
                detail=None if detail is None else str(detail),
            )
        )
        self._flush_events_if_due(self._clock())

    def counter(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the job's counter ``name`` (stored with the next progress write)."""
        self._counters[name] = self._counters.get(name, 0) + n
        self._progress_dirty = True

    def check_cancelled(self) -> None:
        """Raise :class:`JobCancelled` or :class:`JobInterrupted` if the job must stop now."""
        if self._stopping.is_set():
            raise JobInterrupted
        now = self._clock()
        if now - self._last_cancel_check < self._timing.cancel_check_interval_s:
            return
        self._last_cancel_check = now
        if self._repo.is_cancel_requested(self.job_id):
            raise JobCancelled

    @property
    def counters(self) -> dict[str, int]:
        return dict(self._counters)

    @property
    def problems(self) -> int:
        """Warnings and errors about items so far (inbox items aside)."""
        return self._problems

    # -- flushing -------------------------------------------------------------------------

    def flush(self) -> None:
        """Store buffered events and the latest progress (the runner calls this at the end)."""
        now = self._clock()
        self._flush_events(now)
        if self._progress_dirty:
            self._write_progress(now)

    def _write_progress(self, now: float) -> None:
        guess = estimate(
            self._done, self._total, self._done - self._phase_start_done, now - self._phase_started
        )
        self._repo.write_progress(
            self.job_id,
            runner_id=self._runner_id,
            phase=self._phase,
            done=self._done,
            total=self._total,
            rate_per_s=guess.rate_per_s,
            eta_s=guess.eta_s,
            counters=self._counters,
            now=self._now(),
            problems=self._problems,
        )
        self._last_progress_write = now
        self._progress_dirty = False

    def _flush_events_if_due(self, now: float) -> None:
        if len(self._events) >= self._timing.event_batch_size or (
            self._events and now - self._last_event_flush >= self._timing.event_interval_s
        ):
            self._flush_events(now)

    def _flush_events(self, now: float) -> None:
        self._last_event_flush = now
        if not self._events:
            return
        batch, self._events = self._events, []
        try:
            self._repo.append_events(self.job_id, self._next_seq, batch, now=self._now())
        except Exception as exc:
            # One item's event must never end the job: the batch is stored one event at a
            # time, and the events that still fail are replaced by one event that says so.
            logger.exception("job %s: could not store %s events", self.job_id, len(batch))
            self._store_one_by_one(batch, exc)
            return
        self._next_seq += len(batch)

    def _store_one_by_one(self, batch: list[NewJobEvent], first_error: Exception) -> None:
        self._next_seq = self._repo_last_seq() + 1
        if len(batch) == 1:
            self._store_event_error(1, first_error)
            return
        lost = 0
        last_error = first_error
        for event in batch:
            try:
                self._repo.append_events(self.job_id, self._next_seq, [event], now=self._now())
                self._next_seq += 1
            except Exception as exc:
                lost += 1
                last_error = exc
        if lost:
            self._store_event_error(lost, last_error)

    def _repo_last_seq(self) -> int:
        try:
            return self._repo.last_event_seq(self.job_id)
        except Exception:
            logger.exception("job %s: could not read its last event number", self.job_id)
            return self._next_seq - 1

    def _store_event_error(self, lost: int, exc: Exception) -> None:
        self._problems += 1
        self._progress_dirty = True
        reason = display_form(f"{type(exc).__name__}: {exc}")[:500]
        try:
            self._repo.append_events(
                self.job_id,
                self._next_seq,
                [
                    NewJobEvent(
                        action=EVENT_ERROR_ACTION,
                        subject=f"{lost} events",
                        level=EventLevel.ERROR,
                        before=None,
                        after=None,
                        detail=f"these events could not be stored and are lost: {reason}",
                    )
                ],
                now=self._now(),
            )
            self._next_seq += 1
        except Exception:
            logger.exception("job %s: could not store that events were lost", self.job_id)
