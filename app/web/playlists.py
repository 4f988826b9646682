"""Dashboard pages of the playlists sync.

- ``/playlists``: every playlists link with its playlist pairs, open conflicts and recent runs;
  a preview (dry run) or a sync of a link starts from here.
- ``/playlists/jobs/{id}``: the plan of a run, per playlist: created, changed or deleted
  playlists, the entries added, removed and moved, and the unmatched entries; live while the
  job runs (HTMX swaps the plan every second).
- ``/playlists/conflicts`` and ``/playlists/conflicts/{id}``: playlists changed on both sides,
  both versions side by side as a diff of entries; keeping one records the choice and starts
  a run of the link that applies it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.bootstrap import Container
from app.domain.errors import AlreadyRunning, InvalidInput, NotFound
from app.domain.jobs import JobEventRecord, JobRecord, JobTrigger
from app.domain.links import LinkKind
from app.services.playlists.jobs import PLAYLISTS_SYNC
from app.services.playlists.review import CHOICES, diff_rows, plan_by_playlist
from app.web.deps import ContainerDep
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, see

EVENTS_PER_PAGE = 500
MAX_PLAN_EVENTS = 20_000
RECENT_RUNS = 5
CONFLICTS_PER_PAGE = 50


def _events(container: Container, job_id: int) -> tuple[list[JobEventRecord], int]:
    """The job's events, at most ``MAX_PLAN_EVENTS`` of them, and how many there are."""
    events: list[JobEventRecord] = []
    while len(events) < MAX_PLAN_EVENTS:
        page = container.jobs.events(job_id, limit=EVENTS_PER_PAGE, offset=len(events))
        events.extend(page.items)
        if not page.items or len(events) >= page.total:
            return events, page.total
    return events, container.jobs.events(job_id, limit=1).total


def _recent_runs(container: Container) -> dict[int, list[JobRecord]]:
    runs: dict[int, list[JobRecord]] = {}
    for job in container.jobs.page(kind=PLAYLISTS_SYNC, limit=100).items:
        if job.link_id is not None and len(runs.setdefault(job.link_id, [])) < RECENT_RUNS:
            runs[job.link_id].append(job)
    return runs


def _side_names(container: Container, job: JobRecord) -> tuple[str, str]:
    """The names of the two libraries of the job's link (their letters when it is gone)."""
    try:
        link = container.domains.libraries.link(job.link_id or 0)
    except NotFound:
        return ("A", "B")
    names = {library.id: library.name for library in container.domains.libraries.libraries()}
    return (names.get(link.library_a_id, "A"), names.get(link.library_b_id, "B"))


def _plan_context(container: Container, job_id: int) -> dict[str, Any]:
    job = container.jobs.get(job_id)
    if job.kind != PLAYLISTS_SYNC:
        raise InvalidInput(f"job {job_id} is a {job.kind} job, not a playlists sync")
    events, total = _events(container, job_id)
    return {
        "job": job,
        "sides": _side_names(container, job),
        "plans": plan_by_playlist(events),
        "shown_events": len(events),
        "total_events": total,
    }


def overview(request: Request, pages: PagesDep, container: ContainerDep) -> HTMLResponse:
    return pages.render(
        request,
        "playlists/index.html",
        links=container.domains.playlists.review.links(),
        runs=_recent_runs(container),
    )


def run_link(
    link_id: int,
    container: ContainerDep,
    dry_run: Annotated[bool, Form()],
    mode: Annotated[str, Form(pattern="^(sync|import|export)$")] = "sync",
) -> Response:
    """``dry_run`` is required: an empty or truncated "Preview" form is a 422, never a
    real run."""
    link = container.domains.libraries.link(link_id)
    if link.kind != LinkKind.PLAYLISTS:
        raise InvalidInput(f"link {link_id} is a {link.kind} link, not a playlists link")
    try:
        job = container.link_runs.run(link_id, mode=mode, dry_run=dry_run, trigger=JobTrigger.UI)
    except AlreadyRunning as exc:
        return see(f"/playlists/jobs/{exc.job_id}")
    return see(f"/playlists/jobs/{job.id}")


def plan(request: Request, pages: PagesDep, job_id: int, container: ContainerDep) -> HTMLResponse:
    return pages.render(request, "playlists/plan.html", **_plan_context(container, job_id))


def plan_partial(
    request: Request, pages: PagesDep, job_id: int, container: ContainerDep
) -> HTMLResponse:
    return pages.render(request, "playlists/partials/plan.html", **_plan_context(container, job_id))


def conflicts(
    request: Request,
    pages: PagesDep,
    container: ContainerDep,
    status: Annotated[str, Query(pattern="^(open|resolved|skipped)$")] = "open",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    items, total = container.domains.playlists.review.conflicts(
        status=status, limit=CONFLICTS_PER_PAGE, offset=offset
    )
    return pages.render(
        request,
        "playlists/conflicts.html",
        conflicts=items,
        total=total,
        status=status,
        offset=offset,
        per_page=CONFLICTS_PER_PAGE,
    )


def conflict(
    request: Request, pages: PagesDep, conflict_id: int, container: ContainerDep
) -> HTMLResponse:
    record = container.domains.playlists.review.conflict(conflict_id)
    return pages.render(
        request,
        "playlists/conflict.html",
        conflict=record,
        rows=diff_rows(record.a_entries, record.b_entries),
        link=container.domains.libraries.link(record.link_id),
    )


def resolve(
    conflict_id: int,
    container: ContainerDep,
    choice: Annotated[str, Form(max_length=16)],
) -> Response:
    if choice not in CHOICES:
        raise InvalidInput(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
    record = container.domains.playlists.review.resolve(conflict_id, choice)
    if choice == "skip":
        return see("/playlists/conflicts")
    try:
        job = container.link_runs.run(record.link_id, trigger=JobTrigger.UI)
    except AlreadyRunning as exc:
        return see(f"/playlists/jobs/{exc.job_id}")
    return see(f"/playlists/jobs/{job.id}")


def build_playlists_router(pages: Pages) -> APIRouter:
    """The playlists area: its routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/playlists", overview, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/playlists/links/{link_id}/run", run_link, methods=["POST"])
    router.add_api_route(
        "/playlists/jobs/{job_id}", plan, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/playlists/jobs/{job_id}/partials/plan",
        plan_partial,
        methods=["GET"],
        response_class=HTMLResponse,
    )
    router.add_api_route(
        "/playlists/conflicts", conflicts, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/playlists/conflicts/{conflict_id}", conflict, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route("/playlists/conflicts/{conflict_id}/resolve", resolve, methods=["POST"])
    return router
