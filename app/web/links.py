"""Links pages: create, edit (direction, policy, schedule), "Preview" (a dry run shown as a
filterable table of planned changes), "Run", and "Undo last run".

Starting work only creates a job (``LinkRuns``); the pages then follow the job's progress.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.bootstrap import Container
from app.domain.errors import AlreadyRunning, CrossfadeError, InvalidInput
from app.domain.jobs import JobTrigger
from app.domain.links import Direction, LinkKind, Mode, Side
from app.domain.ratings.merge import Policy
from app.services.system.insights import Insights, server_now
from app.web.deps import ContainerDep, InsightsDep
from app.web.forms import PresentFields, checked, require
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx, see

CHANGES_PER_PAGE = 100

DIRECTION_LABELS = {
    Direction.BOTH.value: "both ways",
    Direction.A_TO_B.value: "A → B only",
    Direction.B_TO_A.value: "B → A only",
}
POLICY_LABELS = {
    Policy.ASK.value: "ask me (conflict inbox)",
    Policy.PREFER_A.value: "A wins",
    Policy.PREFER_B.value: "B wins",
    Policy.NEWEST.value: "newest change wins",
    Policy.HIGHEST.value: "highest rating wins",
    Policy.LOWEST.value: "lowest rating wins",
}
LINK_KINDS = {
    LinkKind.RATINGS.value: "Ratings",
    LinkKind.PLAYLISTS.value: "Playlists",
    LinkKind.MIRROR.value: "Movie mirror",
}

NOTICES = {
    "created": "Link created. Preview it to see what a run would change.",
    "saved": "Changes saved.",
    "deleted": "Link deleted.",
    "nothing-to-undo": "There is no finished run of this link that changed something to undo.",
    "already-undone": "The last run was undone already.",
}

TextForm = Annotated[str, Form(max_length=200)]


# which policy each link kind offers (the others do not apply to it)
POLICIES_BY_KIND = {
    LinkKind.RATINGS.value: tuple(POLICY_LABELS),
    LinkKind.PLAYLISTS.value: ("ask", "prefer_a", "prefer_b", "newest"),
    LinkKind.MIRROR.value: (),
}


def joins_by_library(container: Container) -> dict[int, dict[str, str]]:
    """For each library, the link kinds it can join as side A and as side B (from the kind
    registry), as the space-separated lists the link form's options carry."""
    registry = container.domains.libraries.kinds
    joins: dict[int, dict[str, str]] = {}
    for library in container.domains.libraries.libraries():
        entry = registry.entry(library.kind)
        joins[library.id] = {
            side.value: " ".join(kind.value for kind in LinkKind if entry.can_join(kind, side))
            for side in (Side.A, Side.B)
        }
    return joins


def error_hint(message: str, form: dict[str, Any]) -> tuple[str, str] | None:
    """Where to go to fix a link form's error: ``(text, path)``, or None."""
    if "playlist folder" in message and form.get("library_b_id"):
        library_id = form["library_b_id"]
        return ("Set a playlist folder on library B's page", f"/libraries/{library_id}")
    if "joins" in message:
        return ("See which libraries you have, and add the one missing", "/libraries")
    return None


def choices() -> dict[str, Any]:
    return {
        "directions": DIRECTION_LABELS,
        "policies": POLICY_LABELS,
        "link_kinds": LINK_KINDS,
        "policy_kinds": {
            policy: " ".join(kind for kind, kept in POLICIES_BY_KIND.items() if policy in kept)
            for policy in POLICY_LABELS
        },
        "modes": [mode.value for mode in Mode],
    }


def list_page(
    request: Request,
    pages: Pages,
    container: Container,
    insights: Insights,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("form", {})
    return pages.render(
        request,
        "links.html",
        status_code=status_code,
        overview=insights.overview(now=server_now()),
        joins=joins_by_library(container),
        **choices(),
        **context,
    )


def link_page(
    request: Request,
    pages: Pages,
    link_id: int,
    insights: Insights,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    return pages.render(
        request,
        "link.html",
        status_code=status_code,
        summary=insights.link_summary(link_id, now=server_now()),
        jobs=insights.recent_jobs_of_link(link_id),
        undo=insights.undo_target(link_id),
        **choices(),
        **context,
    )


def links(
    request: Request,
    pages: PagesDep,
    container: ContainerDep,
    insights: InsightsDep,
    notice: str | None = None,
) -> HTMLResponse:
    return list_page(request, pages, container, insights, notice=NOTICES.get(notice or ""))


def create_link(
    request: Request,
    pages: PagesDep,
    container: ContainerDep,
    insights: InsightsDep,
    library_a_id: Annotated[int, Form(ge=1)],
    library_b_id: Annotated[int, Form(ge=1)],
    kind: TextForm = "ratings",
    direction: TextForm = "both",
    policy: TextForm = "ask",
    schedule: TextForm = "",
    first_run_primary: TextForm = "",
) -> Response:
    """A new link: what the form leaves out takes the documented defaults (a ratings link,
    both ways, conflicts to the inbox, manual); nothing exists yet that could be reset."""
    options = {"first_run_primary": first_run_primary} if first_run_primary else {}
    try:
        link = container.domains.libraries.add_link(
            kind=kind,
            library_a_id=library_a_id,
            library_b_id=library_b_id,
            direction=direction,
            policy=policy,
            options=options if kind == LinkKind.RATINGS else {},
            schedule=schedule,
        )
    except CrossfadeError as exc:
        form = {
            "kind": kind,
            "library_a_id": library_a_id,
            "library_b_id": library_b_id,
            "direction": direction,
            "policy": policy,
            "schedule": schedule,
            "first_run_primary": first_run_primary,
        }
        return list_page(
            request,
            pages,
            container,
            insights,
            status_code=422,
            error=str(exc),
            hint=error_hint(str(exc), form),
            form=form,
        )
    return see(f"/links/{link.id}?notice=created")


def link(
    request: Request,
    link_id: int,
    pages: PagesDep,
    insights: InsightsDep,
    notice: str | None = None,
) -> HTMLResponse:
    return link_page(request, pages, link_id, insights, notice=NOTICES.get(notice or ""))


def update_link(
    request: Request,
    pages: PagesDep,
    link_id: int,
    container: ContainerDep,
    insights: InsightsDep,
    present: PresentFields,
    direction: TextForm = "",
    policy: TextForm = "",
    schedule: TextForm = "",
    enabled: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Every field is needed (``enabled``: the checkbox and its hidden ``off`` companion);
    a form without one is a 422 and the link stays as it was."""
    require(present, "direction", "policy", "schedule", "enabled")
    try:
        container.domains.libraries.update_link(
            link_id,
            direction=direction,
            policy=policy,
            schedule=schedule,
            enabled=checked(enabled or []),
        )
    except CrossfadeError as exc:
        return link_page(request, pages, link_id, insights, status_code=422, error=str(exc))
    return see(f"/links/{link_id}?notice=saved")


def delete_link(link_id: int, container: ContainerDep) -> Response:
    container.domains.libraries.delete_link(link_id)
    return see("/links?notice=deleted")


def start(
    request: Request,
    pages: Pages,
    container: Container,
    insights: Insights,
    link_id: int,
    *,
    mode: str,
    dry_run: bool,
) -> Response:
    try:
        job = container.link_runs.run(link_id, mode=mode, dry_run=dry_run, trigger=JobTrigger.UI)
    except AlreadyRunning as exc:
        return see(f"/jobs/{exc.job_id}?notice=already-running")
    except InvalidInput as exc:
        return link_page(request, pages, link_id, insights, status_code=422, error=str(exc))
    if dry_run:
        return see(f"/links/{link_id}/preview/{job.id}")
    return see(f"/jobs/{job.id}?notice=started")


def preview(
    request: Request,
    pages: PagesDep,
    link_id: int,
    container: ContainerDep,
    insights: InsightsDep,
    mode: TextForm = "sync",
) -> Response:
    """A dry run: the exact plan a real run would apply, writing nothing."""
    return start(request, pages, container, insights, link_id, mode=mode, dry_run=True)


def run(
    request: Request,
    pages: PagesDep,
    link_id: int,
    container: ContainerDep,
    insights: InsightsDep,
    mode: TextForm = "sync",
) -> Response:
    return start(request, pages, container, insights, link_id, mode=mode, dry_run=False)


def undo(link_id: int, container: ContainerDep, insights: InsightsDep) -> Response:
    target = insights.undo_target(link_id)
    if target is None or target.writes == 0:
        return see(f"/links/{link_id}?notice=nothing-to-undo")
    if target.undone_by is not None:
        return see(f"/links/{link_id}?notice=already-undone")
    try:
        job = container.link_runs.undo(target.job.id, trigger=JobTrigger.UI)
    except AlreadyRunning as exc:
        return see(f"/jobs/{exc.job_id}?notice=already-running")
    return see(f"/jobs/{job.id}?notice=started")


def changes_context(
    container: Container,
    insights: Insights,
    link_id: int,
    job_id: int,
    action: str | None,
    q: str | None,
    offset: int,
) -> dict[str, Any]:
    job = container.jobs.get(job_id)
    if job.link_id != link_id or not job.dry_run:
        raise InvalidInput(f"job {job_id} is not a preview of link {link_id}")
    return {
        "job": job,
        "summary": insights.link_summary(link_id, now=server_now()),
        "changes": insights.search_events(
            job_id, text=q, action=action, limit=CHANGES_PER_PAGE, offset=offset
        ),
        "actions": insights.action_counts(job_id),
        "action": action,
        "q": q or "",
    }


def preview_page(
    request: Request,
    pages: PagesDep,
    link_id: int,
    job_id: int,
    container: ContainerDep,
    insights: InsightsDep,
    action: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    context = changes_context(container, insights, link_id, job_id, action, q, offset)
    name = "partials/preview_changes.html" if is_htmx(request) else "preview.html"
    return pages.render(request, name, **context)


def build_links_router(pages: Pages) -> APIRouter:
    """The links area: its routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/links", links, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/links", create_link, methods=["POST"])
    router.add_api_route("/links/{link_id}", link, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/links/{link_id}", update_link, methods=["POST"])
    router.add_api_route("/links/{link_id}/delete", delete_link, methods=["POST"])
    router.add_api_route("/links/{link_id}/preview", preview, methods=["POST"])
    router.add_api_route("/links/{link_id}/run", run, methods=["POST"])
    router.add_api_route("/links/{link_id}/undo", undo, methods=["POST"])
    router.add_api_route(
        "/links/{link_id}/preview/{job_id}",
        preview_page,
        methods=["GET"],
        response_class=HTMLResponse,
    )
    return router
