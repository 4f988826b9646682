"""Jobs pages: the list, one job with its live progress (phase, rate, ETA), its events filtered
by level and action and searched by text, and its report as JSON or CSV.

Every page renders completely on the server; HTMX only swaps the live parts (``every 1s``
while a job is active). Forms post and redirect (303).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from app.domain.errors import AlreadyRunning, CrossfadeError, NotFound
from app.domain.jobs import EventLevel, JobRecord, JobStatus, JobTrigger
from app.services.jobs.selftest import SELFTEST
from app.services.jobs.service import JobService
from app.services.libraries.link_runs import UNDO_KIND_BY_JOB_KIND, UNDO_KINDS, can_undo
from app.services.system.insights import Insights, LinkSummary, server_now
from app.web.deps import ContainerDep, InsightsDep, JobsDep
from app.web.job_report import csv_chunks, json_chunks
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, see

JOB_FINISHED_EVENT = "job-finished"
JOBS_PER_PAGE = 25
EVENTS_PER_PAGE = 50

NOTICES = {
    "already-running": "That job is already running; here it is.",
    "cancel-requested": "Cancellation requested; the job stops after its current item.",
    "started": "Job started.",
    "undo-refused": "This job cannot be undone now.",
}
# notices about a job that is under way: stale once it has finished
ACTIVE_NOTICES = frozenset({"started", "cancel-requested"})

LevelQuery = Annotated[EventLevel | None, Query()]
ActionQuery = Annotated[str | None, Query(max_length=64)]
TextQuery = Annotated[str | None, Query(max_length=200)]
OffsetQuery = Annotated[int, Query(ge=0)]


def jobs_page(
    pages: PagesDep,
    request: Request,
    jobs: JobsDep,
    status: Annotated[JobStatus | None, Query()] = None,
    offset: OffsetQuery = 0,
) -> HTMLResponse:
    return pages.render(request, "jobs.html", **_jobs_table(jobs, status, offset))


def jobs_table(
    pages: PagesDep,
    request: Request,
    jobs: JobsDep,
    status: Annotated[JobStatus | None, Query()] = None,
    offset: OffsetQuery = 0,
) -> HTMLResponse:
    return pages.render(request, "partials/jobs_table.html", **_jobs_table(jobs, status, offset))


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
        return see(f"/jobs/{exc.job_id}?notice=already-running")
    return see(f"/jobs/{job.id}?notice=started")


def job_page(
    pages: PagesDep,
    request: Request,
    job_id: int,
    jobs: JobsDep,
    insights: InsightsDep,
    level: LevelQuery = None,
    action: ActionQuery = None,
    q: TextQuery = None,
    offset: OffsetQuery = 0,
    notice: str | None = None,
) -> HTMLResponse:
    job = jobs.get(job_id)
    if job.status.is_finished and notice in ACTIVE_NOTICES:
        notice = None
    undoable = (
        can_undo(job.kind, dry_run=job.dry_run, finished=job.status.is_finished)
        and UNDO_KIND_BY_JOB_KIND[job.kind] in jobs.registry
    )
    return pages.render(
        request,
        "job.html",
        job=job,
        link_summary=_link_summary(insights, job),
        undo_action=("Redo" if job.kind in UNDO_KINDS else "Undo") if undoable else None,
        notice=NOTICES.get(notice or ""),
        **_events(insights, job_id, level, action, q, offset),
    )


def job_progress(
    pages: PagesDep, request: Request, job_id: int, jobs: JobsDep, insights: InsightsDep
) -> HTMLResponse:
    job = jobs.get(job_id)
    response = pages.render(
        request,
        "partials/job_progress.html",
        job=job,
        link_summary=_link_summary(insights, job),
        live=True,
    )
    if job.status.is_finished:
        # The events card refreshes once more at once instead of at its next tick.
        response.headers["HX-Trigger"] = JOB_FINISHED_EVENT
    return response


def job_events(
    pages: PagesDep,
    request: Request,
    job_id: int,
    jobs: JobsDep,
    insights: InsightsDep,
    level: LevelQuery = None,
    action: ActionQuery = None,
    q: TextQuery = None,
    offset: OffsetQuery = 0,
) -> HTMLResponse:
    job = jobs.get(job_id)
    return pages.render(
        request,
        "partials/events_table.html",
        job=job,
        link_summary=_link_summary(insights, job),
        **_events(insights, job_id, level, action, q, offset),
    )


def report_json(job_id: int, jobs: JobsDep, insights: InsightsDep) -> StreamingResponse:
    """The job and every one of its events, streamed."""
    job = jobs.get(job_id)
    return StreamingResponse(
        json_chunks(job, insights.iter_events(job_id)),
        media_type="application/json",
        headers=_attachment(f"crossfade-job-{job_id}.json"),
    )


def report_csv(job_id: int, jobs: JobsDep, insights: InsightsDep) -> StreamingResponse:
    """Every event of the job as a CSV row, streamed."""
    jobs.get(job_id)
    return StreamingResponse(
        csv_chunks(insights.iter_events(job_id)),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"crossfade-job-{job_id}.csv"),
    )


def cancel(job_id: int, jobs: JobsDep) -> Response:
    jobs.cancel(job_id)
    return see(f"/jobs/{job_id}?notice=cancel-requested")


def undo(job_id: int, container: ContainerDep) -> Response:
    """Undo a run (or redo what an undo job restored: undo it)."""
    try:
        job = container.link_runs.undo(job_id, trigger=JobTrigger.UI)
    except AlreadyRunning as exc:
        return see(f"/jobs/{exc.job_id}?notice=already-running")
    except CrossfadeError:
        return see(f"/jobs/{job_id}?notice=undo-refused")
    return see(f"/jobs/{job.id}?notice=started")


def rerun(job_id: int, jobs: JobsDep) -> Response:
    try:
        job = jobs.rerun(job_id, trigger=JobTrigger.UI)
    except AlreadyRunning as exc:
        return see(f"/jobs/{exc.job_id}?notice=already-running")
    return see(f"/jobs/{job.id}?notice=started")


def build_jobs_router(pages: Pages) -> APIRouter:
    """The area's routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/jobs", jobs_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/jobs/partials/table", jobs_table, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route("/jobs/selftest", start_selftest, methods=["POST"])
    router.add_api_route("/jobs/{job_id}", job_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/jobs/{job_id}/partials/progress",
        job_progress,
        methods=["GET"],
        response_class=HTMLResponse,
    )
    router.add_api_route(
        "/jobs/{job_id}/partials/events", job_events, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route("/jobs/{job_id}/report.json", report_json, methods=["GET"])
    router.add_api_route("/jobs/{job_id}/report.csv", report_csv, methods=["GET"])
    router.add_api_route("/jobs/{job_id}/cancel", cancel, methods=["POST"])
    router.add_api_route("/jobs/{job_id}/undo", undo, methods=["POST"])
    router.add_api_route("/jobs/{job_id}/rerun", rerun, methods=["POST"])
    return router


def _link_summary(insights: Insights, job: JobRecord) -> LinkSummary | None:
    """The job's link with its two libraries (their names label counters), if it still exists."""
    if job.link_id is None:
        return None
    try:
        return insights.link_summary(job.link_id, now=server_now())
    except NotFound:
        return None


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _jobs_table(jobs: JobService, status: JobStatus | None, offset: int) -> dict[str, Any]:
    page = jobs.page(statuses=[status] if status else (), limit=JOBS_PER_PAGE, offset=offset)
    return {
        "page": page,
        "status": status,
        "statuses": list(JobStatus),
        "any_active": any(job.status.is_active for job in page.items),
    }


def _events(
    insights: Insights,
    job_id: int,
    level: EventLevel | None,
    action: str | None,
    q: str | None,
    offset: int,
) -> dict[str, Any]:
    page = insights.search_events(
        job_id, text=q, action=action, level=level, limit=EVENTS_PER_PAGE, offset=offset
    )
    return {
        "events": page,
        "level": level,
        "action": action,
        "q": q or "",
        "levels": list(EventLevel),
        "actions": insights.action_counts(job_id),
    }
