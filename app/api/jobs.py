"""``/api/v1/jobs``: list, start, read, follow events, cancel, re-run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from app.api.deps import ContainerDep, JobsDep
from app.api.schemas import JobCreate, JobEventOut, JobEventPage, JobOut, JobPage, Problem
from app.domain.jobs import EventLevel, JobStatus, JobTrigger
from app.services.jobs.service import MAX_PAGE

router = APIRouter(prefix="/jobs", tags=["jobs"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {**_problem, "description": "no such job"}}


@router.get("", response_model=JobPage)
def list_jobs(
    jobs: JobsDep,
    status_: Annotated[list[JobStatus] | None, Query(alias="status")] = None,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobPage:
    """Newest first; filter by one or more ``status`` values and by ``kind``."""
    page = jobs.page(statuses=status_ or (), kind=kind, limit=limit, offset=offset)
    return JobPage(
        items=[JobOut.of(job) for job in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses={
        404: {**_problem, "description": "no such link"},
        409: {**_problem, "description": "a job holding the same lock is active; see job_id"},
        422: {**_problem, "description": "unknown kind or bad parameters"},
        503: {**_problem, "description": "the job queue cannot be reached"},
    },
)
def start_job(body: JobCreate, container: ContainerDep, response: Response) -> JobOut:
    if body.link is not None:
        job = container.link_runs.run(
            body.link, mode=body.mode, dry_run=body.dry_run, trigger=JobTrigger.API
        )
    else:
        assert body.kind is not None
        job = container.jobs.start(
            body.kind, body.params, dry_run=body.dry_run, trigger=JobTrigger.API
        )
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)


@router.get("/{job_id}", response_model=JobOut, responses=NOT_FOUND)
def get_job(job_id: int, jobs: JobsDep) -> JobOut:
    return JobOut.of(jobs.get(job_id))


@router.get("/{job_id}/events", response_model=JobEventPage, responses=NOT_FOUND)
def job_events(
    job_id: int,
    jobs: JobsDep,
    action: Annotated[list[str] | None, Query()] = None,
    level: Annotated[list[EventLevel] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobEventPage:
    """In order (``seq``); filter by one or more ``action`` and ``level`` values."""
    page = jobs.events(job_id, actions=action or (), levels=level or (), limit=limit, offset=offset)
    return JobEventPage(
        job_id=job_id,
        items=[JobEventOut.of(event) for event in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/{job_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses={**NOT_FOUND, 409: {**_problem, "description": "the job has already ended"}},
)
def cancel_job(job_id: int, jobs: JobsDep) -> JobOut:
    """A queued job is cancelled at once; a running one stops at its next check."""
    return JobOut.of(jobs.cancel(job_id))


@router.post(
    "/{job_id}/rerun",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses={**NOT_FOUND, 409: {**_problem, "description": "still active, or lock held"}},
)
def rerun_job(job_id: int, jobs: JobsDep, response: Response) -> JobOut:
    """A new job with the same kind, parameters and link as a finished one."""
    job = jobs.rerun(job_id, trigger=JobTrigger.API)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)


@router.post(
    "/{job_id}/undo",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses={
        **NOT_FOUND,
        409: {**_problem, "description": "still active, or the libraries are busy"},
        422: {**_problem, "description": "not a real ratings or playlists sync, or undo, job"},
    },
)
def undo_job(job_id: int, container: ContainerDep, response: Response) -> JobOut:
    """Queue an undo of a ratings or playlists sync (finished or interrupted): every rating or
    playlist it changed is restored on both sides, unless it changed again since (an event
    then says so); later runs leave undone rating pairs as they are until a side changes.
    The undo of an undo job redoes the run."""
    job = container.link_runs.undo(job_id, trigger=JobTrigger.API)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)
