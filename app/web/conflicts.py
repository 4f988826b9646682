"""The conflict inbox: ratings that changed differently on both sides and wait for a person.

Each row shows both values and the baseline as stars, and the evidence ("popm:musicbee=196 vs
Plex 3½★"). A row is resolved on its own (keep A, keep B, highest, lowest, custom stars, skip)
or many at once; through HTMX the row swaps to its result, without JavaScript the form posts
and the page reloads.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from app.bootstrap import Container
from app.domain.errors import CrossfadeError, InvalidInput
from app.services.ratings.run.conflicts import CHOICES
from app.services.system.insights import Insights, LinkSummary, server_now
from app.web.deps import ContainerDep, InsightsDep
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx, see

CONFLICTS_PER_PAGE = 50
STATUSES = ("open", "resolved", "skipped")
CHOICE_LABELS = {
    "keep_a": "Keep A",
    "keep_b": "Keep B",
    "highest": "Highest",
    "lowest": "Lowest",
    "custom": "Set",
    "skip": "Skip",
}
STAR_CHOICES = [(half / 2, half) for half in range(0, 11)]  # (stars, half stars); 0 = unrated
DEFAULT_HALF_STARS = 6  # every star picker starts at 3★, the row's and the bulk one alike

Choice = Annotated[str, Form(max_length=16)]


def parse_stars(text: str | None) -> float | None:
    """``"3.5"`` -> 3.5; empty -> None; anything else is an InvalidInput."""
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"not a number of stars: {text!r}") from None


def bulk_notice(done: int, failed: int, *, ticked: bool) -> str:
    if not ticked:
        return "Tick the conflicts to resolve first."
    text = f"{done} conflict{'' if done == 1 else 's'} resolved"
    if failed:
        text += f"; {failed} could not be (their rows say why)"
    return text + "."


def _check_choice(choice: str) -> None:
    if choice not in CHOICES:
        raise InvalidInput(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")


def links_by_id(insights: Insights) -> dict[int, LinkSummary]:
    overview = insights.overview(now=server_now())
    return {summary.link.id: summary for summary in overview.links}


def inbox_context(
    container: Container,
    insights: Insights,
    *,
    status: str,
    link: int | None,
    offset: int,
    results: dict[int, str | None] | None = None,
) -> dict[str, Any]:
    items, total = container.domains.review.conflicts(
        status=status, link_id=link, limit=CONFLICTS_PER_PAGE, offset=offset
    )
    rows = list(items)
    # Rows resolved by this request stay in view, showing their result.
    shown = {row.id for row in rows}
    for conflict_id in results or {}:
        if conflict_id not in shown:
            rows.append(container.domains.review.conflict(conflict_id))
    rows.sort(key=lambda row: row.id)
    return {
        "conflicts": rows,
        "total": total,
        "offset": offset,
        "limit": CONFLICTS_PER_PAGE,
        "status": status,
        "statuses": STATUSES,
        "link": link,
        "links": links_by_id(insights),
        "results": results or {},
        "choice_labels": CHOICE_LABELS,
        "star_choices": STAR_CHOICES,
        "default_half_stars": DEFAULT_HALF_STARS,
    }


def inbox(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    insights: InsightsDep,
    status: Annotated[str, Query(pattern="^(open|resolved|skipped)$")] = "open",
    link: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    resolved: Annotated[int | None, Query(ge=0)] = None,
    failed: Annotated[int, Query(ge=0)] = 0,
    ticked: Annotated[int, Query(ge=0, le=1)] = 1,
) -> HTMLResponse:
    context = inbox_context(container, insights, status=status, link=link, offset=offset)
    notice = None if resolved is None else bulk_notice(resolved, failed, ticked=bool(ticked))
    return pages.render(request, "conflicts.html", notice=notice, **context)


def resolve_one(
    container: Container, conflict_id: int, choice: str, stars: float | None
) -> str | None:
    """Resolve; ``None`` when it worked, else the error to show on the row."""
    try:
        _check_choice(choice)
        container.domains.review.resolve(conflict_id, choice=choice, stars=stars)
    except CrossfadeError as exc:
        return str(exc)
    return None


async def resolve(
    pages: PagesDep,
    request: Request,
    conflict_id: int,
    container: ContainerDep,
    insights: InsightsDep,
) -> Response:
    """One row: ``choice`` and, for ``custom``, ``stars_<id>`` (or ``stars``). The field's
    name carries the row's id, so the form is read here; the writes to Plex and the files
    run in the thread pool, as a plain ``def`` route would."""
    form = await request.form()
    raw_stars = form.get(f"stars_{conflict_id}") or form.get("stars")
    return await run_in_threadpool(
        resolve_row,
        pages,
        request,
        container,
        insights,
        conflict_id,
        str(form.get("choice") or ""),
        None if raw_stars is None else str(raw_stars),
    )


def resolve_row(
    pages: Pages,
    request: Request,
    container: Container,
    insights: Insights,
    conflict_id: int,
    choice: str,
    raw_stars: str | None,
) -> Response:
    try:
        stars = parse_stars(raw_stars)
    except InvalidInput as exc:
        error: str | None = str(exc)
    else:
        error = resolve_one(container, conflict_id, choice, stars)
    if not is_htmx(request):
        if error is None:
            return see("/conflicts?resolved=1")
        context = inbox_context(container, insights, status="open", link=None, offset=0)
        return pages.render(request, "conflicts.html", status_code=422, error=error, **context)
    _, open_total = container.domains.review.conflicts(
        status="open", link_id=None, limit=1, offset=0
    )
    return pages.render(
        request,
        "partials/conflict_row_swap.html",
        conflict=container.domains.review.conflict(conflict_id),
        links=links_by_id(insights),
        results={conflict_id: error},
        choice_labels=CHOICE_LABELS,
        star_choices=STAR_CHOICES,
        default_half_stars=DEFAULT_HALF_STARS,
        open_total=open_total,
    )


def resolve_many(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    insights: InsightsDep,
    choice: Choice = "",
    ids: Annotated[list[int] | None, Form()] = None,
    bulk_stars: Annotated[str | None, Form(max_length=8)] = None,
    status: Annotated[str, Form(pattern="^(open|resolved|skipped)$")] = "open",
    link: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """The same choice for every ticked row."""
    results: dict[int, str | None] = {}
    try:
        _check_choice(choice)
        stars = parse_stars(bulk_stars) if choice == "custom" else None
    except InvalidInput as exc:
        error = str(exc)
        results = dict.fromkeys(ids or [], error)
    else:
        for conflict_id in ids or []:
            results[conflict_id] = resolve_one(container, conflict_id, choice, stars)
    done = sum(1 for error in results.values() if error is None)
    failed = len(results) - done
    if not is_htmx(request) and not failed:
        query = f"link={link}&" if link else ""
        return see(f"/conflicts?{query}resolved={done}&ticked={int(bool(ids))}")
    context = inbox_context(
        container, insights, status=status, link=link, offset=0, results=results
    )
    return pages.render(
        request,
        "partials/conflicts_table.html" if is_htmx(request) else "conflicts.html",
        notice=bulk_notice(done, failed, ticked=bool(ids)),
        **context,
    )


def build_conflicts_router(pages: Pages) -> APIRouter:
    """The area's routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/conflicts", inbox, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/conflicts/{conflict_id}/resolve", resolve, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/conflicts/resolve", resolve_many, methods=["POST"], response_class=HTMLResponse
    )
    return router
