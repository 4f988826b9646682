"""Insights: SVG charts of the agreed ratings per library and of the tag dialects found in the
music folders, and the unmatched items of each link's latest run, searchable."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from app.services.system.insights import Insights
from app.web.charts import bar_chart, column_chart
from app.web.deps import InsightsDep
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx

UNMATCHED_PER_PAGE = 50


def unmatched_context(
    insights: Insights, q: str | None, link: int | None, offset: int
) -> dict[str, Any]:
    text = (q or "").strip() or None
    return {
        "unmatched": insights.unmatched(
            text=text, link_id=link, limit=UNMATCHED_PER_PAGE, offset=offset
        ),
        "q": q or "",
        "link": link,
    }


def insights_page(
    pages: PagesDep,
    request: Request,
    insights: InsightsDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    link: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    context = unmatched_context(insights, q, link, offset)
    if is_htmx(request):
        return pages.render(request, "partials/unmatched_table.html", **context)
    ratings = [
        (
            entry,
            column_chart(
                [(bar.label, bar.count) for bar in entry.bars],
                title=f"Agreed ratings in {entry.library.name}",
                chart_id=f"ratings-{entry.library.id}",
            ),
        )
        for entry in insights.rating_distributions()
    ]
    dialects = [
        (
            entry,
            bar_chart(
                [(bar.label, bar.count) for bar in entry.bars],
                title=f"Rating tags in {entry.library.name}",
                chart_id=f"dialects-{entry.library.id}",
            ),
        )
        for entry in insights.dialects()
    ]
    return pages.render(request, "insights.html", ratings=ratings, dialects=dialects, **context)


def build_insights_router(pages: Pages) -> APIRouter:
    """The area's routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/insights", insights_page, methods=["GET"], response_class=HTMLResponse)
    return router
