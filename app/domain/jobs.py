"""Job values and rules: statuses, levels, triggers, lock keys, progress estimates, runner ids.

Pure: the job service (``app.services.jobs.service``) and the job tables (``app.adapters.db``) share
these values; nothing here touches a clock, a database or a process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_active(self) -> bool:
        """Queued or running: the job holds its lock key."""
        return self in ACTIVE_STATUSES

    @property
    def is_finished(self) -> bool:
        return not self.is_active


ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class EventLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class JobTrigger(StrEnum):
    UI = "ui"
    API = "api"
    WEBHOOK = "webhook"
    SCHEDULE = "schedule"
    CLI = "cli"


def library_pair_lock_key(library_a_id: int, library_b_id: int) -> str:
    """The lock key of a job touching two libraries: the same for (a, b) and (b, a)."""
    low, high = sorted((library_a_id, library_b_id))
    return f"lib:{low}+lib:{high}"


def percent_done(done: int, total: int | None) -> float | None:
    """0..100, or ``None`` while the total is unknown."""
    if not total or total <= 0:
        return None
    return max(0.0, min(100.0, 100.0 * done / total))


@dataclass(frozen=True, slots=True)
class Estimate:
    rate_per_s: float | None
    eta_s: float | None


def estimate(
    done: int, total: int | None, done_in_phase: int, elapsed_in_phase_s: float
) -> Estimate:
    """Items per second over the current phase, and the seconds left at that rate.

    ``done_in_phase`` counts items finished since the phase started ``elapsed_in_phase_s`` ago.
    Unknown (``None``) until at least one item and some time have passed.
    """
    if done_in_phase <= 0 or elapsed_in_phase_s <= 0:
        return Estimate(rate_per_s=None, eta_s=None)
    rate = done_in_phase / elapsed_in_phase_s
    if total is None or total <= 0:
        return Estimate(rate_per_s=rate, eta_s=None)
    remaining = max(0, total - done)
    return Estimate(rate_per_s=rate, eta_s=remaining / rate)


def format_duration(seconds: float | None) -> str:
    """``75.2`` -> ``"1m 15s"``; ``None`` -> ``"–"``."""
    if seconds is None or math.isnan(seconds) or seconds < 0:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


@dataclass(frozen=True, slots=True)
class RunnerId:
    """Who runs a job: a process on a host. ``started`` tells a reused pid from the original."""

    host: str
    pid: int
    started: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.started}"

    @classmethod
    def parse(cls, text: str) -> RunnerId | None:
        host, sep1, rest = text.rpartition(":")
        host, sep2, pid_text = host.rpartition(":")
        if not (sep1 and sep2 and pid_text.isdigit()):
            return None
        return cls(host=host, pid=int(pid_text), started=rest)


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as stored."""

    id: int
    kind: str
    link_id: int | None
    params: dict[str, Any]
    dry_run: bool
    status: JobStatus
    phase: str | None
    done: int
    total: int | None
    rate_per_s: float | None
    eta_s: float | None
    counters: dict[str, int]
    trigger: JobTrigger
    lock_key: str
    error: str | None
    cancel_requested: bool
    runner_id: str | None
    heartbeat_at: datetime | None
    attempt: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    problems: int = 0
    """Error and warning events about items, inbox items aside (``app.domain.problems``)."""

    @property
    def percent(self) -> float | None:
        if self.status is JobStatus.SUCCEEDED:
            return 100.0
        return percent_done(self.done, self.total)


@dataclass(frozen=True, slots=True)
class NewJobEvent:
    """An event as a job reports it, before it is numbered and stored."""

    action: str
    subject: str
    level: EventLevel = EventLevel.INFO
    before: str | None = None
    after: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class JobEventRecord:
    id: int
    job_id: int
    seq: int
    created_at: datetime
    level: EventLevel
    action: str
    subject: str
    before: str | None
    after: str | None
    detail: str | None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A slice of a longer list: ``items`` from ``offset``, ``total`` in all."""

    items: list[T]
    total: int
    limit: int
    offset: int
