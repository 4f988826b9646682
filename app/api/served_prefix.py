"""Serving the app under a URL prefix (``CROSSFADE_ROOT_PATH=/crossfade``) behind a proxy.

:class:`ServedPrefix` is a pure ASGI middleware, outermost but for the proxy headers. On the way
in it sets ``scope["root_path"]`` to the prefix and takes the prefix off ``scope["path"]`` when
the proxy passed it on (nginx ``proxy_pass http://app;`` keeps it, ``proxy_pass http://app/;``
strips it: both work), so every route, the auth gate and the error handlers see the same
unprefixed paths as without a proxy. Templates write links as ``{{ root }}/...``.

On the way out it puts the prefix in front of what the browser is told to follow or store by
path: ``Location`` (every 303 after a form, the login redirect, ``201`` Location headers),
HTMX's ``HX-Redirect``/``HX-Location``/``HX-Push-Url``, and the ``Path`` of every cookie, so a
session cookie is sent only under the prefix. A value already under the prefix, a full URL and
a scheme-relative ``//host`` are left alone.
"""

from __future__ import annotations

import os

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PATH_HEADERS = frozenset({b"location", b"content-location", b"hx-redirect", b"hx-push-url"})
_HX_LOCATION = b"hx-location"
_SET_COOKIE = b"set-cookie"


def normalized_prefix(root_path: str) -> str:
    """``crossfade/`` -> ``/crossfade``; ``""`` and ``/`` -> ``""`` (served at the root)."""
    stripped = root_path.strip().strip("/")
    return f"/{stripped}" if stripped else ""


def prefixed(prefix: str, target: str) -> str:
    """``target`` as the browser must ask for it: absolute paths get the prefix."""
    if not target.startswith("/") or target.startswith("//"):
        return target
    if target == prefix or target.startswith(prefix + "/") or target.startswith(prefix + "?"):
        return target
    return prefix + target


def cookie_with_prefix(prefix: str, set_cookie: str) -> str:
    """A ``Set-Cookie`` value whose ``Path`` is the prefix (``Path=/`` -> ``Path=/crossfade/``)."""
    parts = set_cookie.split(";")
    for index, part in enumerate(parts):
        name, sep, value = part.strip().partition("=")
        if sep and name.lower() == "path":
            parts[index] = f" Path={prefixed(prefix, value.strip())}"
    return ";".join(parts)


class ServedPrefix:
    """See the module docstring. With an empty prefix it passes everything through."""

    def __init__(self, app: ASGIApp, *, root_path: str) -> None:
        self._app = app
        self._prefix = normalized_prefix(root_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = self._prefix
        if not prefix or scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        scope = dict(scope)
        path = str(scope["path"])
        if path == prefix or path.startswith(prefix + "/"):
            scope["path"] = path[len(prefix) :] or "/"
            raw = scope.get("raw_path")
            if isinstance(raw, bytes) and raw.startswith(prefix.encode()):
                scope["raw_path"] = raw[len(prefix) :] or b"/"
        scope["root_path"] = prefix

        async def send_prefixed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [
                    self._header(name, value) for name, value in message.get("headers", [])
                ]
            await send(message)

        await self._app(scope, receive, send_prefixed)

    def _header(self, name: bytes, value: bytes) -> tuple[bytes, bytes]:
        lowered = name.lower()
        if lowered in _PATH_HEADERS:
            return name, prefixed(self._prefix, value.decode("latin-1")).encode("latin-1")
        if lowered == _SET_COOKIE:
            return name, cookie_with_prefix(self._prefix, value.decode("latin-1")).encode("latin-1")
        if lowered == _HX_LOCATION and value.startswith(b"/"):
            return name, prefixed(self._prefix, value.decode("latin-1")).encode("latin-1")
        return name, value


class StaticUnderPrefix(StaticFiles):
    """Static files mounted at ``/static`` that also serve under a prefix: Starlette's mount
    expects the prefix inside ``scope["path"]``, which :class:`ServedPrefix` takes out."""

    def get_path(self, scope: Scope) -> str:
        app_root = str(scope.get("app_root_path", ""))
        mount_root = str(scope.get("root_path", ""))[len(app_root) :]
        path = str(scope["path"])
        if mount_root and path.startswith(mount_root + "/"):
            path = path[len(mount_root) :]
        return os.path.normpath(os.path.join(*path.split("/")))
