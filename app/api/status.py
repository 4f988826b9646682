"""``GET /api/v1/status``: the installation at a glance, shaped for Home Assistant.

Every top-level field is a short scalar a REST sensor can use directly
(``value_template: "{{ value_json.state }}"``); ``current_job`` and ``last_run`` are small
objects for ``json_attributes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app import __version__
from app.api.deps import ContainerDep
from app.domain.jobs import JobRecord

router = APIRouter(tags=["status"])


class CurrentJob(BaseModel):
    id: int
    kind: str
    link_id: int | None
    status: str
    phase: str | None
    done: int
    total: int | None
    percent: float | None
    eta_s: float | None
    dry_run: bool
    started_at: datetime | None

    @classmethod
    def of(cls, job: JobRecord) -> CurrentJob:
        return cls(
            id=job.id,
            kind=job.kind,
            link_id=job.link_id,
            status=job.status.value,
            phase=job.phase,
            done=job.done,
            total=job.total,
            percent=None if job.percent is None else round(job.percent, 1),
            eta_s=None if job.eta_s is None else round(job.eta_s, 1),
            dry_run=job.dry_run,
            started_at=job.started_at,
        )


class LastRun(BaseModel):
    id: int
    kind: str
    link_id: int | None
    status: str
    dry_run: bool
    finished_at: datetime | None
    duration_s: float | None
    errors: int
    problems: int = Field(
        description="Warnings and errors about items (inbox items aside); 0 for a clean run"
    )
    error: str | None
    counters: dict[str, int]

    @classmethod
    def of(cls, job: JobRecord) -> LastRun:
        duration = None
        if job.started_at and job.finished_at:
            duration = round((job.finished_at - job.started_at).total_seconds(), 1)
        return cls(
            id=job.id,
            kind=job.kind,
            link_id=job.link_id,
            status=job.status.value,
            dry_run=job.dry_run,
            finished_at=job.finished_at,
            duration_s=duration,
            errors=job.counters.get("errors", 0),
            problems=job.problems,
            error=job.error,
            counters=job.counters,
        )


class Status(BaseModel):
    state: Literal["idle", "running", "failed"] = Field(
        description="running: a job is queued or running; failed: the last job to finish "
        "failed or was interrupted; idle otherwise"
    )
    version: str
    progress: float | None = Field(description="Percent done of the current job, if known")
    phase: str | None = Field(description="What the current job is doing")
    current_job: CurrentJob | None
    last_run: LastRun | None
    last_run_status: str | None
    last_run_problems: int | None = Field(
        description="Problems of the last run to finish: > 0 when it succeeded, but not cleanly"
    )
    last_run_at: datetime | None
    pending_conflicts: int
    matches_to_review: int
    jobs_running: int
    jobs_queued: int
    jobs_failed: int
    libraries: int
    links: int


@router.get("/status", response_model=Status)
def get_status(container: ContainerDep) -> Status:
    report = container.status.read()
    current = CurrentJob.of(report.current_job) if report.current_job else None
    last = LastRun.of(report.last_job) if report.last_job else None
    return Status(
        state=report.state,
        version=__version__,
        progress=current.percent if current else None,
        phase=current.phase if current else None,
        current_job=current,
        last_run=last,
        last_run_status=last.status if last else None,
        last_run_problems=last.problems if last else None,
        last_run_at=last.finished_at if last else None,
        pending_conflicts=report.pending_conflicts,
        matches_to_review=report.matches_to_review,
        jobs_running=report.jobs_running,
        jobs_queued=report.jobs_queued,
        jobs_failed=report.jobs_failed,
        libraries=report.libraries,
        links=report.links,
    )
