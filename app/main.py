"""The web application factory: ``create_app(settings) -> FastAPI``.

The container (database, job runner, services) is built and started in the lifespan, so
importing this module or calling ``create_app`` does no I/O; ``crossfade serve`` and the tests
run the lifespan.

Middleware, outermost first: the forwarded client address and scheme, believed only from
``CROSSFADE_TRUSTED_PROXIES`` (uvicorn's proxy-headers middleware); the served prefix
(``CROSSFADE_ROOT_PATH``, ``app.api.served_prefix``); security headers on every response
(``app.api.security_headers``), the request body limit (``app.api.body_limit``), then
authentication (``app.api.auth``): a signed session cookie backed by a server-side session,
then the gate that lets only health, webhooks, login, setup and static files through without
credentials. The lifespan creates the
admin from ``CROSSFADE_ADMIN_PASSWORD`` when none exists yet.
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.adapters.assets import asset_dir
from app.api import build_api_router, log_redaction
from app.api.auth import AuthGate, SessionLayer, current_principal
from app.api.body_limit import BodyLimit
from app.api.errors import install_error_handlers
from app.api.openapi import honest
from app.api.security_headers import SecurityHeaders
from app.api.served_prefix import ServedPrefix, StaticUnderPrefix
from app.bootstrap import Container, build_container
from app.settings import Settings
from app.web.auth_pages import build_auth_router
from app.web.errors import html_error_renderer
from app.web.pages import build_web_router
from app.web.templating import build_templates

logger = logging.getLogger(__name__)

ContainerFactory = Callable[[Settings], Container]


def create_app(
    settings: Settings, *, container_factory: ContainerFactory = build_container
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        log_redaction.install()
        container = container_factory(settings)
        try:
            report = container.startup()
            container.start_integrations()
            logger.info(
                "ready: schema %s, jobs %s, runner %s, interrupted %s, resubmitted %s",
                report.schema_revision,
                container.runner.mode,
                container.executor.runner_id,
                report.interrupted_job_ids,
                report.resubmitted_job_ids,
            )
            auth = container.auth
            admin_password = settings.admin_password
            if auth.ensure_admin(admin_password.get_secret_value() if admin_password else None):
                logger.info("admin created from CROSSFADE_ADMIN_PASSWORD")
            application.state.container = container
            application.state.auth = auth
            yield
        finally:
            container.close()

    application = FastAPI(
        title="Crossfade",
        version=__version__,
        summary="Music ratings, playlists and movie layouts kept in step across Plex, "
        "Jellyfin and disk.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    application.state.settings = settings
    templates = build_templates()
    html_errors = html_error_renderer(templates)
    install_error_handlers(application, html=html_errors)
    application.include_router(build_api_router(dependencies=[Depends(current_principal)]))
    application.include_router(build_auth_router(templates))
    application.include_router(build_web_router(templates))
    _add_docs(application)
    application.openapi = honest(application)  # type: ignore[method-assign]
    application.mount("/static", StaticUnderPrefix(directory=asset_dir("static")), name="static")
    # The last added is the outermost: the session is loaded before the gate reads it.
    application.add_middleware(AuthGate, html_error=html_errors)
    application.add_middleware(SessionLayer, settings=settings)
    application.add_middleware(BodyLimit)
    application.add_middleware(SecurityHeaders)
    application.add_middleware(ServedPrefix, root_path=settings.root_path)
    trusted = trusted_proxies(settings.trusted_proxies)
    if trusted:
        application.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    return application


def trusted_proxies(setting: str) -> list[str]:
    """``CROSSFADE_TRUSTED_PROXIES`` as a list (addresses, networks, ``*``); empty: none."""
    return [item.strip() for item in setting.split(",") if item.strip()]


DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Crossfade API</title>
  <link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{root}/static/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="{root}/static/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="{root}/static/swagger-init.js"></script>
</body>
</html>
"""


def _add_docs(application: FastAPI) -> None:
    """Swagger UI at /docs from the vendored copy under static/ (no CDN), started by a script
    file rather than an inline one (see ``app.api.security_headers`` for its CSP)."""

    @application.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        openapi_url = root + (application.openapi_url or "/api/v1/openapi.json")
        return HTMLResponse(
            DOCS_HTML.format(
                root=html.escape(root, quote=True), openapi_url=html.escape(openapi_url, quote=True)
            )
        )
