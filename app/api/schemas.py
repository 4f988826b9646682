"""Request and response bodies of the REST API (they are the OpenAPI schema at /docs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.domain.jobs import EventLevel, JobEventRecord, JobRecord, JobStatus, JobTrigger
from app.domain.names import display_json


def _shown_params(params: dict[str, Any]) -> dict[str, Any]:
    """A job's parameters as JSON can carry them: a file name given on the command line that
    is not valid UTF-8 shows in its display form (``Caf\\xe9``)."""
    shown = display_json(params)
    assert isinstance(shown, dict)
    return shown


class JobCreate(BaseModel):
    """Start a job: either a run of a configured ``link`` (with ``mode`` and ``dry_run``), or a
    job ``kind`` with ``params`` (for example the built-in ``selftest``)."""

    model_config = ConfigDict(extra="forbid")

    link: int | None = Field(default=None, ge=1, examples=[1])
    mode: Literal["sync", "import", "export"] | None = None
    kind: str | None = Field(default=None, examples=["selftest"], min_length=1, max_length=64)
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"steps": 20, "step_s": 0.5}])
    dry_run: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> JobCreate:
        if (self.link is None) == (self.kind is None):
            raise ValueError("give either link (a configured link) or kind (a job kind)")
        if self.link is not None and self.params:
            raise ValueError("params belong to kind; a link run takes mode and dry_run")
        if self.kind is not None and self.mode is not None:
            raise ValueError("mode belongs to a link run")
        return self


class JobOut(BaseModel):
    id: int
    kind: str
    link_id: int | None
    params: dict[str, Any]
    dry_run: bool
    status: JobStatus
    phase: str | None
    done: int
    total: int | None
    percent: float | None
    rate_per_s: float | None
    eta_s: float | None
    counters: dict[str, int]
    problems: int = Field(
        description="Warnings and errors about items (inbox items aside): a run that "
        "succeeded with problems > 0 finished, but not cleanly"
    )
    trigger: JobTrigger
    lock_key: str
    error: str | None
    cancel_requested: bool
    attempt: int
    runner_id: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, job: JobRecord) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            link_id=job.link_id,
            params=_shown_params(job.params),
            dry_run=job.dry_run,
            status=job.status,
            phase=job.phase,
            done=job.done,
            total=job.total,
            percent=job.percent,
            rate_per_s=job.rate_per_s,
            eta_s=job.eta_s,
            counters=job.counters,
            problems=job.problems,
            trigger=job.trigger,
            lock_key=job.lock_key,
            error=job.error,
            cancel_requested=job.cancel_requested,
            attempt=job.attempt,
            runner_id=job.runner_id,
            heartbeat_at=job.heartbeat_at,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            updated_at=job.updated_at,
        )


class JobPage(BaseModel):
    items: list[JobOut]
    total: int
    limit: int
    offset: int


class JobEventOut(BaseModel):
    seq: int
    created_at: datetime
    level: EventLevel
    action: str
    subject: str
    before: str | None
    after: str | None
    detail: str | None

    @classmethod
    def of(cls, event: JobEventRecord) -> JobEventOut:
        return cls(
            seq=event.seq,
            created_at=event.created_at,
            level=event.level,
            action=event.action,
            subject=event.subject,
            before=event.before,
            after=event.after,
            detail=event.detail,
        )


class JobEventPage(BaseModel):
    job_id: int
    items: list[JobEventOut]
    total: int
    limit: int
    offset: int


class DatabaseHealth(BaseModel):
    ok: bool
    detail: str | None = None


class QueueHealth(BaseModel):
    mode: str = Field(description="inline (in-process pool) or arq (redis workers)")
    reachable: bool
    detail: str | None = None


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when a part is not working")
    version: str
    database: DatabaseHealth
    queue: QueueHealth


class Problem(BaseModel):
    """An error (RFC 9457 problem details), media type application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = Field(default=None, description="the request's path")
    job_id: int | None = Field(default=None, description="the job concerned (409: the one running)")
    path: str | None = Field(default=None, description="the file or folder concerned")
    server: str | None = Field(default=None, description="the media server concerned")
    key: str | int | None = Field(default=None, description="the media server's item key")


class ValidationErrorItem(BaseModel):
    """One reason a request was refused: where (``loc``), what (``msg``), its ``type``."""

    loc: list[str | int]
    msg: str
    type: str | None = None


class ValidationProblem(Problem):
    """422: a Problem with one entry per invalid parameter or body field."""

    errors: list[ValidationErrorItem]
