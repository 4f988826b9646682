"""The REST API under ``/api/v1``: thin routers over the services.

:func:`build_api_router` is the one place that decides which routers need which
dependencies: ``app.main`` passes the principal dependency (``app.api.auth``) and every router
but health gets it. Authentication itself happens in ``app.api.auth.AuthGate`` for every path;
the dependency documents the bearer scheme in OpenAPI and refuses when no gate ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from app.api import (
    conflicts,
    diffs,
    health,
    hooks,
    jobs,
    libraries,
    links,
    status,
    stream,
    tokens,
    webhooks,
)

API_PREFIX = "/api/v1"


def build_api_router(*, dependencies: Sequence[Any] = ()) -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health.router)
    api.include_router(hooks.router)  # secret URLs: the secret is the credential
    protected = APIRouter(dependencies=list(dependencies))
    protected.include_router(jobs.router)
    protected.include_router(libraries.router)
    protected.include_router(links.router)
    protected.include_router(conflicts.router)
    protected.include_router(diffs.router)
    protected.include_router(stream.router)
    protected.include_router(status.router)
    protected.include_router(tokens.router)
    protected.include_router(webhooks.router)
    api.include_router(protected)
    return api
