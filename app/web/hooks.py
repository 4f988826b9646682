"""Webhooks pages: incoming endpoints (create one and see its ready-to-paste URL once, rotate,
enable, delete, recent deliveries) and outgoing webhooks (create, test, enable, delete).

Forms post and redirect (303), except creating an endpoint or rotating its secret: that answer
is the only place the secret URL is ever shown, so it renders the page directly.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from app.bootstrap import Container
from app.domain.errors import CrossfadeError
from app.domain.hooks import HOOK_SOURCES, MAX_ID, OUTGOING_EVENTS, describe_url, hook_url
from app.domain.library_records import LinkRecord
from app.services.hooks.endpoints import LINK_KINDS_BY_SOURCE, NewEndpoint
from app.web.deps import ContainerDep
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, see

SOURCE_LABELS = {
    "plex": "Plex",
    "radarr": "Radarr",
    "sonarr": "Sonarr",
    "generic": "Generic (scripts)",
}
EVENT_LABELS = {
    "job_started": "a job started",
    "job_finished": "a job finished",
    "job_failed": "a job failed",
    "conflicts_pending": "rating conflicts are pending",
}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
LinkIds = Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None, Form()]

NOTICES = {
    "deleted": "Webhook deleted.",
    "enabled": "Webhook enabled.",
    "disabled": "Webhook disabled.",
    "outgoing-created": "Outgoing webhook added.",
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _link_label(link: LinkRecord, names: dict[int, str]) -> str:
    a = names.get(link.library_a_id, f"library {link.library_a_id}")
    b = names.get(link.library_b_id, f"library {link.library_b_id}")
    arrow = {"a_to_b": "→", "b_to_a": "←"}.get(link.direction, "⇄")
    return f"link {link.id} · {link.kind}: {a} {arrow} {b}"


def index(
    pages: Pages, request: Request, container: Container, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    catalog = container.domains.libraries
    names = {library.id: library.name for library in catalog.libraries()}
    links = catalog.links()
    base = {
        "endpoints": container.hooks.inbound.endpoints(),
        "outgoing": container.hooks.outgoing.hooks(),
        "links": links,
        "link_labels": {link.id: _link_label(link, names) for link in links},
        "sources": HOOK_SOURCES,
        "source_labels": SOURCE_LABELS,
        "link_kinds": LINK_KINDS_BY_SOURCE,
        "events": OUTGOING_EVENTS,
        "event_labels": EVENT_LABELS,
        "describe_url": describe_url,
        "form": {},
        "created": None,
    }
    base.update(context)
    return pages.render(request, "hooks/index.html", status_code=status_code, **base)


def shown(new: NewEndpoint, request: Request) -> dict[str, Any]:
    return {
        "endpoint": new.endpoint,
        "url": hook_url(str(request.base_url), new.endpoint.source, new.secret),
    }


def webhooks_page(
    pages: PagesDep, request: Request, container: ContainerDep, notice: str | None = None
) -> HTMLResponse:
    return index(pages, request, container, notice=NOTICES.get(notice or ""))


def create_endpoint(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    name: Annotated[str, Form(max_length=200)],
    source: Annotated[str, Form(max_length=16)],
    link_ids: LinkIds = None,
    on_library_new: Annotated[bool, Form()] = False,
    path_mappings: Annotated[str, Form(max_length=5000)] = "",
) -> HTMLResponse:
    options: dict[str, Any] = {}
    if source == "plex":
        options["on_library_new"] = on_library_new
    elif source in ("radarr", "sonarr"):
        options["path_mappings"] = _lines(path_mappings)
    try:
        new = container.hooks.inbound.create_endpoint(
            name=name, source=source, link_ids=link_ids or [], options=options
        )
    except CrossfadeError as exc:
        form = {"name": name, "source": source, "path_mappings": path_mappings}
        return index(pages, request, container, status_code=422, error=str(exc), form=form)
    return index(pages, request, container, status_code=201, created=shown(new, request))


def endpoint_page(
    pages: PagesDep, request: Request, endpoint_id: Id, container: ContainerDep
) -> HTMLResponse:
    endpoint = container.hooks.inbound.endpoint(endpoint_id)
    return pages.render(
        request,
        "hooks/endpoint.html",
        endpoint=endpoint,
        deliveries=container.hooks.inbound.deliveries(endpoint_id, limit=50),
        url_template=hook_url(str(request.base_url), endpoint.source, "SECRET"),
        source_labels=SOURCE_LABELS,
    )


def rotate(
    pages: PagesDep, request: Request, endpoint_id: Id, container: ContainerDep
) -> HTMLResponse:
    new = container.hooks.inbound.rotate_secret(endpoint_id)
    return index(pages, request, container, created=shown(new, request), rotated=True)


def set_enabled(
    endpoint_id: Id, container: ContainerDep, enabled: Annotated[bool, Form()]
) -> Response:
    """``enabled`` is required: an empty POST is a 422, never a silent "disable"."""
    container.hooks.inbound.update_endpoint(endpoint_id, enabled=enabled)
    return see(f"/webhooks?notice={'enabled' if enabled else 'disabled'}")


def delete_endpoint(endpoint_id: Id, container: ContainerDep) -> Response:
    container.hooks.inbound.delete_endpoint(endpoint_id)
    return see("/webhooks?notice=deleted")


def create_outgoing(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    name: Annotated[str, Form(max_length=200)],
    url: Annotated[str, Form(max_length=2000)],
    events: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        container.hooks.outgoing.create(name=name, url=url, events=events or [])
    except CrossfadeError as exc:
        form = {"out_name": name, "out_events": events or []}
        return index(pages, request, container, status_code=422, out_error=str(exc), form=form)
    return see("/webhooks?notice=outgoing-created")


def test_outgoing(
    pages: PagesDep, request: Request, hook_id: Id, container: ContainerDep
) -> HTMLResponse:
    result = container.hooks.outgoing.send_test(hook_id)
    hook = container.hooks.outgoing.get(hook_id)
    if result.ok:
        return index(
            pages, request, container, notice=f"Test sent to {hook.name!r}: {result.status}."
        )
    return index(
        pages, request, container, out_error=f"Test of {hook.name!r} failed: {result.error}"
    )


def set_outgoing_enabled(
    hook_id: Id, container: ContainerDep, enabled: Annotated[bool, Form()]
) -> Response:
    """``enabled`` is required: an empty POST is a 422, never a silent "disable"."""
    container.hooks.outgoing.update(hook_id, enabled=enabled)
    return see(f"/webhooks?notice={'enabled' if enabled else 'disabled'}")


def delete_outgoing(hook_id: Id, container: ContainerDep) -> Response:
    container.hooks.outgoing.delete(hook_id)
    return see("/webhooks?notice=deleted")


def build_hooks_router(pages: Pages) -> APIRouter:
    """The area's routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/webhooks", webhooks_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/webhooks", create_endpoint, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/webhooks/{endpoint_id}", endpoint_page, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/webhooks/{endpoint_id}/rotate", rotate, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route("/webhooks/{endpoint_id}/enabled", set_enabled, methods=["POST"])
    router.add_api_route("/webhooks/{endpoint_id}/delete", delete_endpoint, methods=["POST"])
    router.add_api_route(
        "/webhooks/outgoing/new", create_outgoing, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/webhooks/outgoing/{hook_id}/test",
        test_outgoing,
        methods=["POST"],
        response_class=HTMLResponse,
    )
    router.add_api_route(
        "/webhooks/outgoing/{hook_id}/enabled", set_outgoing_enabled, methods=["POST"]
    )
    router.add_api_route("/webhooks/outgoing/{hook_id}/delete", delete_outgoing, methods=["POST"])
    return router
