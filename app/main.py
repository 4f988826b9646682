"""The web application factory: ``create_app(settings) -> FastAPI``.

The container (database, job runner, services) is built and started in the lifespan, so
importing this module or calling ``create_app`` does no I/O; ``crossfade serve`` and the tests
run the lifespan.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.adapters.assets import asset_dir
from app.api import build_api_router
from app.api.errors import install_error_handlers
from app.bootstrap import Container, build_container
from app.settings import Settings
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
        container = container_factory(settings)
        try:
            report = container.startup()
            logger.info(
                "ready: schema %s, jobs %s, runner %s, interrupted %s, resubmitted %s",
                report.schema_revision,
                container.runner.mode,
                container.executor.runner_id,
                report.interrupted_job_ids,
                report.resubmitted_job_ids,
            )
            application.state.container = container
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
    install_error_handlers(application, html=html_error_renderer(templates))
    application.include_router(build_api_router())
    application.include_router(build_web_router(templates))
    _add_docs(application)
    application.mount("/static", StaticFiles(directory=asset_dir("static")), name="static")
    return application


def _add_docs(application: FastAPI) -> None:
    """Swagger UI at /docs from the vendored copy under static/ (no CDN)."""

    @application.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=application.openapi_url or "/api/v1/openapi.json",
            title="Crossfade API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
