"""Request bodies are limited before they are read: a pure ASGI middleware, outermost, so the
auth gate's CSRF check and every route see at most the limit.

A declared ``Content-Length`` over the limit is answered 413 at once, without reading a byte;
a body without one (chunked) is counted as it streams in, and the first chunk past the limit
ends the request with 413 (raised inside the app as an HTTP error, answered by this middleware
when nothing was sent yet). The server never holds more than the limit plus one chunk.

Limits by route class: :data:`HOOK_BODY_LIMIT` for incoming webhooks (Plex posts multipart
with the item's thumbnail, usually tens of KiB, a large poster a few MiB; Radarr and Sonarr
post small JSON), :data:`DEFAULT_BODY_LIMIT` for everything else (dashboard forms and API
JSON, which are a few KiB).
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import problem
from app.domain.auth import PUBLIC_API_PREFIXES

MIB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MIB
HOOK_BODY_LIMIT = 16 * MIB


def body_limit_for(path: str) -> int:
    return HOOK_BODY_LIMIT if path.startswith(PUBLIC_API_PREFIXES) else DEFAULT_BODY_LIMIT


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"the request body is larger than this route accepts ({limit} bytes)",
            headers={"Connection": "close"},
        )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None  # uvicorn refuses a malformed one
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, BodyTooLarge(limit))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                return  # the app answered already; the connection closes with it
            await self._refuse(scope, receive, send, exc)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: BodyTooLarge) -> None:
        response = problem(413, str(exc.detail), code="body_too_large", instance=scope["path"])
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
