""" "Test connection" for every library kind whose registry entry declares a ``check``
(Subsonic, Jellyfin, ...): on the add form, from what was typed, before anything is saved;
on a saved library's page, with its stored settings and secret. HTMX fragments that also work
as whole pages without JavaScript; the typed secret is never sent back (the no-JavaScript page
asks for it again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from app.domain.errors import CrossfadeError
from app.domain.kinds import FieldType
from app.services.libraries.connection import check_saved, check_typed
from app.services.libraries.kinds import ConnectionReport
from app.web.deps import ContainerDep
from app.web.libraries import library_page, list_page
from app.web.library_forms import secret_of, typed_config
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx

PARTIAL = "partials/connection_check.html"
MAX_VALUE_LENGTH = 1000


async def posted_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (the last value of a repeated one), each cut to
    ``MAX_VALUE_LENGTH`` characters."""
    form = await request.form()
    items = form.multi_items()
    return {name: value[:MAX_VALUE_LENGTH] for name, value in items if isinstance(value, str)}


PostedValues = Annotated[dict[str, str], Depends(posted_values)]


def _outcome(test: Callable[[], ConnectionReport]) -> dict[str, Any]:
    report: ConnectionReport | None = None
    error = None
    try:
        report = test()
    except CrossfadeError as exc:
        error = str(exc)
    return {"check_report": report, "check_error": error, "check_tested": True}


def typed_connection_test(
    request: Request,
    kind: Annotated[str, Path(max_length=32)],
    pages: PagesDep,
    container: ContainerDep,
    values: PostedValues,
) -> HTMLResponse:
    """Test what the add form of ``kind`` holds; nothing is saved."""
    domains = container.domains
    entry = domains.libraries.kinds.entry(kind)
    context = _outcome(
        lambda: check_typed(
            domains.sides, kind, typed_config(entry, values), secret_of(entry, values)
        )
    )
    if is_htmx(request):
        return pages.render(request, PARTIAL, **context)
    hidden = {f.name for f in entry.form_fields if f.type is FieldType.PASSWORD}
    form = {name: value for name, value in values.items() if name not in hidden}
    form["kind"] = kind
    return list_page(request, pages, container, form=form, checked_kind=kind, **context)


def saved_connection_test(
    request: Request, library_id: int, pages: PagesDep, container: ContainerDep
) -> HTMLResponse:
    """Test a saved library's connection with its stored settings and secret."""
    domains = container.domains
    record = domains.libraries.library(library_id)
    context = _outcome(lambda: check_saved(domains.sides, record))
    if is_htmx(request):
        return pages.render(request, PARTIAL, **context)
    return library_page(request, pages, container, record, **context)


def build_connection_tests_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route(
        "/libraries/kinds/{kind}/test",
        typed_connection_test,
        methods=["POST"],
        response_class=HTMLResponse,
    )
    router.add_api_route(
        "/libraries/{library_id}/connection",
        saved_connection_test,
        methods=["GET"],
        response_class=HTMLResponse,
    )
    return router
