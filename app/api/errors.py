"""THE table from our errors to HTTP statuses, and problem+json (RFC 9457) bodies.

API paths (``/api/...``) always answer ``application/problem+json``; other paths are pages and
get an HTML error page from the renderer ``app.main`` passes in. Unknown exceptions become 500
without their text (it may hold details not meant for the client); they are logged instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.errors import (
    AlreadyRunning,
    AuthError,
    CrossfadeError,
    Forbidden,
    InvalidInput,
    JellyfinError,
    JellyfinUnauthorized,
    MediaFileError,
    MirrorError,
    NotFound,
    PathOutsideRoots,
    PlexError,
    PlexNotFound,
    PlexUnauthorized,
    PlexUnavailable,
    QueueUnavailable,
    SetupError,
    StateConflict,
    SubsonicError,
    SubsonicNotFound,
    SubsonicUnauthorized,
    SubsonicUnavailable,
    TargetLocked,
    TooManyAttempts,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"

STATUS_BY_ERROR: dict[type[CrossfadeError], int] = {
    CrossfadeError: 500,
    InvalidInput: 422,
    NotFound: 404,
    AlreadyRunning: 409,
    StateConflict: 409,
    AuthError: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
    SetupError: 400,
    PathOutsideRoots: 403,
    QueueUnavailable: 503,
    MediaFileError: 422,
    PlexError: 502,
    PlexUnauthorized: 502,
    PlexUnavailable: 503,
    PlexNotFound: 404,
    JellyfinError: 502,
    JellyfinUnauthorized: 502,
    SubsonicError: 502,
    SubsonicUnauthorized: 502,
    SubsonicUnavailable: 503,
    SubsonicNotFound: 404,
    MirrorError: 400,
    TargetLocked: 409,
}

# Context attributes of our errors that a client may see (never secrets: see errors.py).
_EXTRA_FIELDS = ("job_id", "path", "server", "key")

HtmlErrorRenderer = Callable[[Request, int, str, str], Response]


def status_for(error: CrossfadeError) -> int:
    """The status of the nearest class in ``error``'s MRO that the table names."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def problem(
    status: int, detail: str, *, code: str, instance: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://crossfade.invalid/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def install_error_handlers(app: FastAPI, *, html: HtmlErrorRenderer | None = None) -> None:
    def respond(request: Request, status: int, detail: str, code: str, **extra: Any) -> Response:
        if html is not None and not _is_api(request):
            return html(request, status, HTTPStatus(status).phrase, detail)
        return problem(status, detail, code=code, instance=request.url.path, **extra)

    async def on_crossfade_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CrossfadeError)
        status = status_for(exc)
        extra = {name: getattr(exc, name) for name in _EXTRA_FIELDS if hasattr(exc, name)}
        if status == 422:  # every 422 names what was wrong in errors[], as validation does
            extra["errors"] = [{"loc": [], "msg": str(exc), "type": exc.code}]
        return respond(request, status, str(exc), exc.code, **extra)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type"),
            }
            for error in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return respond(request, 422, detail or "invalid request", "invalid_request", errors=errors)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        extra: dict[str, Any] = {}
        if exc.status_code == 422:
            extra["errors"] = [{"loc": [], "msg": str(exc.detail), "type": code}]
        response = respond(request, exc.status_code, str(exc.detail), code, **extra)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal error; see the server log", "internal_error")

    app.add_exception_handler(CrossfadeError, on_crossfade_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
