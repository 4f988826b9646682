"""Match review: pairs the matcher was not sure about (weak or ambiguous), to confirm or reject.

A confirmed pair is synced from the next run on and kept when its file moves; a rejected pair is
never proposed again. Through HTMX the row swaps to its result.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.services.system.insights import server_now
from app.web.deps import ContainerDep, InsightsDep
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx, see

MATCHES_PER_PAGE = 50
STATUSES = ("review", "confirmed", "rejected", "auto")


def matches(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    insights: InsightsDep,
    status: Annotated[str, Query(pattern="^(review|confirmed|rejected|auto)$")] = "review",
    link: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    decided: Annotated[str | None, Query(pattern="^(confirmed|rejected)$")] = None,
) -> HTMLResponse:
    items, total = container.domains.review.matches(
        status=status, link_id=link, limit=MATCHES_PER_PAGE, offset=offset
    )
    overview = insights.overview(now=server_now())
    return pages.render(
        request,
        "matches.html",
        matches=items,
        total=total,
        offset=offset,
        limit=MATCHES_PER_PAGE,
        status=status,
        statuses=STATUSES,
        link=link,
        links={summary.link.id: summary for summary in overview.links},
        notice=f"Match {decided}." if decided else None,
    )


def decide(
    pages: PagesDep,
    request: Request,
    match_id: int,
    container: ContainerDep,
    insights: InsightsDep,
    decision: Annotated[str, Form(pattern="^(confirm|reject)$")],
) -> Response:
    """Unknown matches are a 404 page; through HTMX the row swaps to its new status."""
    match = container.domains.review.decide_match(match_id, decision)
    if not is_htmx(request):
        return see(f"/matches?decided={match.status}")
    overview = insights.overview(now=server_now())
    _, review_total = container.domains.review.matches(
        status="review", link_id=None, limit=1, offset=0
    )
    return pages.render(
        request,
        "partials/match_row_swap.html",
        match=match,
        links={summary.link.id: summary for summary in overview.links},
        review_total=review_total,
    )


def build_matches_router(pages: Pages) -> APIRouter:
    """The area's routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/matches", matches, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/matches/{match_id}", decide, methods=["POST"], response_class=HTMLResponse
    )
    return router
