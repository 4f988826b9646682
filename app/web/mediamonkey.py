"""The MediaMonkey part of a library's page: the "Test" button inspects the database
read-only and shows its summary (version, journal mode, counts, rating histogram, columns,
path forms, what a write does with each trigger); the page always says who keeps the files'
rating tags. An HTMX fragment that also works as a whole page without JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.kinds import LibraryKind
from app.services.mediamonkey.inspect import inspect_library
from app.web.deps import ContainerDep
from app.web.libraries import library_page
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx


def mediamonkey_test(
    request: Request, library_id: int, pages: PagesDep, container: ContainerDep
) -> HTMLResponse:
    record = container.domains.libraries.library(library_id)
    if record.kind != LibraryKind.MEDIAMONKEY:
        raise InvalidInput(f"library {library_id} is not a MediaMonkey library")
    context: dict[str, Any] = {"mm_tested": True, "mm_error": None, "mm": None}
    try:
        context["mm"], _ = inspect_library(record)
    except CrossfadeError as error:
        context["mm_error"] = str(error)
    if is_htmx(request):
        return pages.render(request, "partials/mediamonkey_summary.html", library=record, **context)
    return library_page(request, pages, container, record, **context)


def build_mediamonkey_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route(
        "/libraries/{library_id}/mediamonkey",
        mediamonkey_test,
        methods=["GET"],
        response_class=HTMLResponse,
    )
    return router
