"""The dashboard: the overview ``/`` here, and every area's router gathered into one.

Every page renders completely on the server (readable without JavaScript); HTMX only swaps
the live parts. Areas: libraries, links (preview, run, undo), jobs, the conflict inbox, match
review, insights, Home Assistant.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.services.system.insights import rating_label, schedule_time, server_now
from app.web.conflicts import build_conflicts_router
from app.web.connection_tests import build_connection_tests_router
from app.web.deps import ContainerDep, InsightsDep
from app.web.homeassistant import build_homeassistant_router
from app.web.hooks import build_hooks_router
from app.web.insights import build_insights_router
from app.web.jobs import build_jobs_router
from app.web.libraries import build_libraries_router
from app.web.links import build_links_router
from app.web.matches import build_matches_router
from app.web.mediamonkey import build_mediamonkey_router
from app.web.page_deps import PagesDep, ProvidePages
from app.web.playlists import build_playlists_router
from app.web.responses import Pages

RECENT_JOBS = 8


def overview(
    request: Request, pages: PagesDep, container: ContainerDep, insights: InsightsDep
) -> HTMLResponse:
    jobs = container.jobs
    return pages.render(
        request,
        "index.html",
        health=container.health(),
        counts=jobs.counts(),
        recent=jobs.page(limit=RECENT_JOBS).items,
        overview=insights.overview(now=server_now()),
    )


def build_web_router(templates: Jinja2Templates) -> APIRouter:
    templates.env.filters["stars"] = rating_label
    templates.env.filters["schedule_time"] = schedule_time
    pages = Pages(templates)
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/", overview, methods=["GET"], response_class=HTMLResponse)

    for area in (
        build_libraries_router,
        build_links_router,
        build_jobs_router,
        build_conflicts_router,
        build_matches_router,
        build_insights_router,
        build_homeassistant_router,
        build_hooks_router,
        build_playlists_router,
        build_mediamonkey_router,
        build_connection_tests_router,
    ):
        # The areas' routes need no prefix or dependencies of their own: taking them as they
        # are spares FastAPI analysing every route once more (include_router rebuilds them).
        router.routes.extend(area(pages).routes)
    return router
