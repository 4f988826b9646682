"""Security headers on every response, as a pure ASGI middleware (so error pages, redirects,
static files and the auth gate's refusals get them too).

The dashboard's policy allows scripts, styles, images and requests from this origin only: no
inline script, no inline event handler, no ``style=`` attribute (the templates keep their
behaviour in ``static/crossfade.js`` and widths as CSS classes; htmx is told not to inject its
indicator style). Nobody may frame a page (``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``), content types are not sniffed, and the referrer leaves only to
this origin.

``/docs`` (Swagger UI, vendored under ``static/swagger-ui``) gets one relaxation: Swagger UI
writes inline styles and ``data:`` images, so that page allows ``style-src 'unsafe-inline'``
and ``img-src data:``; its scripts are files of this origin like everywhere else.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DASHBOARD_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATH = "/docs"
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def policy_for(path: str) -> str:
    return DOCS_CSP if path == DOCS_PATH else DASHBOARD_CSP


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                for name, value in FIXED_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
