"""The Home Assistant page. It leads with MQTT (Crossfade as a device with entities through
MQTT discovery: the settings, a test, what appears in Home Assistant), then notifications
through Apprise and signed webhooks, then the REST/YAML way for people without MQTT
(``app.web.homeassistant_yaml``). The forms are in ``app.web.homeassistant_forms``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.web.deps import ContainerDep
from app.web.homeassistant_forms import (
    NOTICES,
    page_context,
    save_mqtt,
    save_notify,
    signing_secret,
    test_mqtt,
    test_notify,
)
from app.web.homeassistant_yaml import (
    AUTH_ENTRY,
    README_BASE_URL,
    STATUS_FIELDS,
    WEBHOOK_ID,
    Snippets,
    readme_section,
    snippets,
)
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages

__all__ = [
    "AUTH_ENTRY",
    "README_BASE_URL",
    "STATUS_FIELDS",
    "WEBHOOK_ID",
    "Snippets",
    "build_homeassistant_router",
    "readme_section",
    "snippets",
]


def home_assistant(
    pages: PagesDep, request: Request, container: ContainerDep, notice: str | None = None
) -> HTMLResponse:
    context = page_context(request, container)
    return pages.render(request, "homeassistant.html", notice=NOTICES.get(notice or ""), **context)


def build_homeassistant_router(pages: Pages) -> APIRouter:
    """The area's routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route(
        "/homeassistant", home_assistant, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route("/homeassistant/mqtt", save_mqtt, methods=["POST"])
    router.add_api_route(
        "/homeassistant/mqtt/test", test_mqtt, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route("/homeassistant/notifications", save_notify, methods=["POST"])
    router.add_api_route(
        "/homeassistant/notifications/test",
        test_notify,
        methods=["POST"],
        response_class=HTMLResponse,
    )
    router.add_api_route(
        "/homeassistant/webhooks/{hook_id}/signing-secret",
        signing_secret,
        methods=["POST"],
        response_class=HTMLResponse,
    )
    return router
