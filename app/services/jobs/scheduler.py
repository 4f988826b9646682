"""Scheduled runs: each link's cron expression (``Link.schedule``), checked once a minute.

:meth:`Scheduler.tick` starts the runs of the enabled links whose schedule matches one
minute. Two things call it: the in-process thread (:meth:`Scheduler.start`, started by the
container when jobs run inline), and arq's cron in scaled-out mode (``worker.main``, once a
minute on one worker). Cron expressions are read in the process's local time zone (set
``TZ``), or the one given.

A link never runs twice at once: a run still going when its next time comes makes
``LinkRuns.run`` raise ``AlreadyRunning``, which is expected here and only logged. The thread
catches up on at most ``max_catch_up`` minutes it missed (a suspended laptop), never more.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from croniter import croniter

from app.domain.errors import AlreadyRunning, CrossfadeError
from app.domain.jobs import JobTrigger
from app.domain.library_records import LinkRecord
from app.services.libraries.link_runs import LinkRuns
from app.services.ports import LibraryRepositoryPort

logger = logging.getLogger(__name__)


def local_now() -> datetime:
    return datetime.now().astimezone()


def minute_of(moment: datetime) -> datetime:
    """``moment`` with seconds and microseconds dropped."""
    return moment.replace(second=0, microsecond=0)


def schedule_matches(schedule: str, minute: datetime) -> bool:
    """Whether the five-field cron ``schedule`` fires in ``minute``; invalid: never."""
    try:
        return bool(croniter.match(schedule, minute_of(minute)))
    except (ValueError, KeyError):
        return False


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one minute's tick did: ``started`` ``(link_id, job_id)``, ``busy`` links whose
    previous run is still going ``(link_id, running job_id)``, ``failed`` ``(link_id, why)``."""

    minute: datetime
    started: list[tuple[int, int]] = field(default_factory=list)
    busy: list[tuple[int, int]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NextRun:
    link_id: int
    schedule: str
    at: datetime


class Scheduler:
    def __init__(
        self,
        libraries: LibraryRepositoryPort,
        link_runs: LinkRuns,
        *,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] = local_now,
        max_catch_up: int = 5,
    ) -> None:
        self._libraries = libraries
        self._link_runs = link_runs
        self._tz = tz
        self._now = now
        self._max_catch_up = max_catch_up
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.reports: list[TickReport] = []

    def _current_minute(self) -> datetime:
        now = self._now()
        return minute_of(now.astimezone(self._tz) if self._tz is not None else now)

    def scheduled_links(self) -> list[LinkRecord]:
        return [link for link in self._libraries.links() if link.enabled and link.schedule]

    def due_links(self, minute: datetime) -> list[LinkRecord]:
        return [
            link
            for link in self.scheduled_links()
            if link.schedule and schedule_matches(link.schedule, minute)
        ]

    def tick(self, minute: datetime | None = None) -> TickReport:
        """Start the runs due in ``minute`` (default: the current one)."""
        minute = minute_of(minute) if minute is not None else self._current_minute()
        report = TickReport(minute=minute)
        for link in self.due_links(minute):
            try:
                job = self._link_runs.run(link.id, trigger=JobTrigger.SCHEDULE)
            except AlreadyRunning as exc:
                logger.info(
                    "schedule %r of link %s: still running as job %s; this run is skipped",
                    link.schedule,
                    link.id,
                    exc.job_id,
                )
                report.busy.append((link.id, exc.job_id))
            except CrossfadeError as exc:
                logger.warning("schedule of link %s: not started: %s", link.id, exc)
                report.failed.append((link.id, str(exc)))
            else:
                logger.info("schedule %r of link %s: job %s", link.schedule, link.id, job.id)
                report.started.append((link.id, job.id))
        return report

    def next_runs(self, *, after: datetime | None = None) -> list[NextRun]:
        """When each scheduled link runs next, soonest first."""
        start = after or self._current_minute()
        runs: list[NextRun] = []
        for link in self.scheduled_links():
            assert link.schedule is not None
            try:
                at = croniter(link.schedule, start).get_next(datetime)
            except (ValueError, KeyError):
                continue
            runs.append(NextRun(link_id=link.id, schedule=link.schedule, at=at))
        return sorted(runs, key=lambda run: (run.at, run.link_id))

    # -- the in-process thread -------------------------------------------------------------

    def start(self, *, poll_s: float | None = None) -> None:
        """Tick every minute on a daemon thread (idempotent). ``poll_s`` overrides how often
        it looks at the clock (default: at each new minute)."""
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, args=(poll_s,), name="crossfade-scheduler", daemon=True
            )
            self._thread.start()
        logger.info("scheduler started: %s scheduled links", len(self.scheduled_links()))

    def _loop(self, poll_s: float | None) -> None:
        last = self._current_minute()
        while not self._stop.wait(poll_s if poll_s is not None else _until_next_minute()):
            current = self._current_minute()
            if current <= last:
                continue
            missed = int((current - last).total_seconds() // 60)
            first = max(1, missed - self._max_catch_up + 1)
            for step in range(first, missed + 1):
                try:
                    self.reports.append(self.tick(last + timedelta(minutes=step)))
                    del self.reports[:-100]
                except Exception:
                    logger.exception("scheduler tick failed; trying again next minute")
            last = current

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._thread is not None


def _until_next_minute() -> float:
    """Seconds to the next minute of the wall clock, plus a little."""
    return 60.0 - (time.time() % 60.0) + 0.05
