"""The REST API under ``/api/v1``: thin routers over the services.

:func:`build_api_router` is the one place that decides which routers need which
dependencies: pass ``dependencies`` (issue 7: authentication) and every router but health gets
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from app.api import conflicts, health, jobs, libraries, links

API_PREFIX = "/api/v1"


def build_api_router(*, dependencies: Sequence[Any] = ()) -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health.router)
    protected = APIRouter(dependencies=list(dependencies))
    protected.include_router(jobs.router)
    protected.include_router(libraries.router)
    protected.include_router(links.router)
    protected.include_router(conflicts.router)
    api.include_router(protected)
    return api
