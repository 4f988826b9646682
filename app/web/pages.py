"""HTML pages and HTMX partials: overview ``/``, jobs ``/jobs``, one job ``/jobs/{id}``.

Every page renders completely on the server (readable without JavaScript); HTMX only swaps
the live parts (``every 1s`` while a job is active). Forms post and redirect (303).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.domain.errors import AlreadyRunning
from app.domain.jobs import EventLevel, JobStatus, JobTrigger
from app.services.jobs import JobService
from app.services.jobs_selftest import SELFTEST
from app.web.deps import ContainerDep, JobsDep

JOBS_PER_PAGE = 25
EVENTS_PER_PAGE = 50

NOTICES = {
    "already-running": "That job is already running; here it is.",
    "cancel-requested": "Cancellation requested; the job stops after its current item.",
    "started": "Job started.",
}


def build_web_router(templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def render(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request, container: ContainerDep) -> HTMLResponse:
        jobs = container.jobs
        return render(
            request,
            "index.html",
            health=container.health(),
            counts=jobs.counts(),
            recent=jobs.page(limit=5).items,
            kinds=list(jobs.registry),
        )

    @router.get("/jobs", response_class=HTMLResponse)
    def jobs_page(
        request: Request,
        jobs: JobsDep,
        status: Annotated[JobStatus | None, Query()] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> HTMLResponse:
        return render(request, "jobs.html", **_jobs_table(jobs, status, offset))

    @router.get("/jobs/partials/table", response_class=HTMLResponse)
    def jobs_table(
        request: Request,
        jobs: JobsDep,
        status: Annotated[JobStatus | None, Query()] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> HTMLResponse:
        return render(request, "partials/jobs_table.html", **_jobs_table(jobs, status, offset))

    @router.post("/jobs/selftest")
    def start_selftest(
        jobs: JobsDep,
        steps: Annotated[int, Form(ge=1, le=10_000)] = 20,
        step_s: Annotated[float, Form(ge=0, le=60)] = 0.5,
        dry_run: Annotated[bool, Form()] = False,
    ) -> Response:
        params = {"steps": steps, "step_s": step_s}
        try:
            job = jobs.start(SELFTEST, params, dry_run=dry_run, trigger=JobTrigger.UI)
        except AlreadyRunning as exc:
            return _see(f"/jobs/{exc.job_id}?notice=already-running")
        return _see(f"/jobs/{job.id}?notice=started")

    @router.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(
        request: Request,
        job_id: int,
        jobs: JobsDep,
        level: Annotated[EventLevel | None, Query()] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        notice: str | None = None,
    ) -> HTMLResponse:
        return render(
            request,
            "job.html",
            job=jobs.get(job_id),
            notice=NOTICES.get(notice or ""),
            **_events(jobs, job_id, level, action, offset),
        )

    @router.get("/jobs/{job_id}/partials/progress", response_class=HTMLResponse)
    def job_progress(request: Request, job_id: int, jobs: JobsDep) -> HTMLResponse:
        return render(request, "partials/job_progress.html", job=jobs.get(job_id))

    @router.get("/jobs/{job_id}/partials/events", response_class=HTMLResponse)
    def job_events(
        request: Request,
        job_id: int,
        jobs: JobsDep,
        level: Annotated[EventLevel | None, Query()] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> HTMLResponse:
        return render(
            request,
            "partials/events_table.html",
            job=jobs.get(job_id),
            **_events(jobs, job_id, level, action, offset),
        )

    @router.post("/jobs/{job_id}/cancel")
    def cancel(job_id: int, jobs: JobsDep) -> Response:
        jobs.cancel(job_id)
        return _see(f"/jobs/{job_id}?notice=cancel-requested")

    @router.post("/jobs/{job_id}/rerun")
    def rerun(job_id: int, jobs: JobsDep) -> Response:
        try:
            job = jobs.rerun(job_id, trigger=JobTrigger.UI)
        except AlreadyRunning as exc:
            return _see(f"/jobs/{exc.job_id}?notice=already-running")
        return _see(f"/jobs/{job.id}?notice=started")

    return router


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _jobs_table(jobs: JobService, status: JobStatus | None, offset: int) -> dict[str, Any]:
    page = jobs.page(statuses=[status] if status else (), limit=JOBS_PER_PAGE, offset=offset)
    return {
        "page": page,
        "status": status,
        "statuses": list(JobStatus),
        "any_active": any(job.status.is_active for job in page.items),
    }


def _events(
    jobs: JobService, job_id: int, level: EventLevel | None, action: str | None, offset: int
) -> dict[str, Any]:
    page = jobs.events(
        job_id,
        levels=[level] if level else (),
        actions=[action] if action else (),
        limit=EVENTS_PER_PAGE,
        offset=offset,
    )
    return {"events": page, "level": level, "action": action, "levels": list(EventLevel)}
