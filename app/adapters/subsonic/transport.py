"""HTTP to one Subsonic server: common parameters, bounded request rate, retries, and the
translation of every failure into our errors.

Subsonic answers errors with HTTP 200 and ``"status": "failed"`` in the body; those become
``SubsonicUnauthorized`` (40–44, 50), ``SubsonicNotFound`` (70) or ``SubsonicError`` (the rest,
with the server's ``api_code``). 5xx answers, timeouts and lost connections are retried
(``retries`` times, waiting ``backoff_s``, 2×, 4×, …) for requests that may be repeated; a
request that is not idempotent (creating a playlist) is retried only when the connection could
not be made. A form POST (long playlists) refused as such is sent again as a GET. Requests
are spaced at least ``1 / max_rate_per_s`` apart. Credentials are
query parameters, so no URL is ever logged or put into an error: only the base URL and the
method name are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

import httpx

from app import __version__
from app.domain.errors import (
    InvalidInput,
    SubsonicError,
    SubsonicNotFound,
    SubsonicUnauthorized,
    SubsonicUnavailable,
)

log = logging.getLogger(__name__)

CLIENT_NAME: Final = "crossfade"
API_VERSION: Final = "1.16.1"  # what we speak; servers answer with their own
RETRY_STATUSES = frozenset({500, 502, 503, 504})
POST_REFUSED = frozenset({404, 405, 415, 501})  # form POST unsupported: the same request by GET
UNAUTHORIZED_CODES = frozenset({40, 41, 42, 43, 44, 50})
NOT_FOUND_CODE: Final = 70

Params = Sequence[tuple[str, str]]
Envelope = dict[str, Any]


def check_base_url(base_url: str) -> str:
    parts = httpx.URL(base_url)
    if parts.scheme not in ("http", "https") or not parts.host:
        raise InvalidInput(f"a Subsonic URL is http(s)://host[:port][/path], not {base_url!r}")
    return base_url.rstrip("/")


class SubsonicTransport:
    """One server, one keep-alive connection pool; thread-safe (the rate bound is shared)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_rate_per_s: float = 50.0,
        http: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0 or timeout_s <= 0 or backoff_s < 0 or max_rate_per_s < 0:
            raise ValueError("retries, backoff_s, max_rate_per_s >= 0 and timeout_s > 0")
        self.base_url = check_base_url(base_url)
        self._retries = retries
        self._backoff_s = backoff_s
        self._interval_s = 1.0 / max_rate_per_s if max_rate_per_s else 0.0
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_at = 0.0
        self.requests = 0  # sent, retries included (the listing's cost is asserted on it)
        self._client = httpx.Client(
            base_url=self.base_url + "/rest/",
            timeout=timeout_s,
            transport=http,
            headers={"User-Agent": f"crossfade/{__version__}", "Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def _pace(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait_s = self._next_at - now
            self._next_at = max(now, self._next_at) + self._interval_s
        if wait_s > 0:
            self._sleep(wait_s)

    def call(
        self,
        method: str,
        params: Params,
        credentials: Params,
        *,
        idempotent: bool = True,
        post: bool = False,
    ) -> Envelope:
        """The ``subsonic-response`` object of ``method``; raises our errors."""
        common = [("v", API_VERSION), ("c", CLIENT_NAME), ("f", "json"), *credentials]
        attempt = 0
        while True:
            self._pace()
            self.requests += 1
            try:
                response = self._send(method, [*common, *params], post=post)
            except httpx.ConnectError as exc:
                failure, safe = f"cannot connect ({type(exc).__name__})", True
            except httpx.TimeoutException:
                failure, safe = "timed out", idempotent
            except httpx.TransportError as exc:
                failure, safe = f"connection lost ({type(exc).__name__})", idempotent
            else:
                if post and response.status_code in POST_REFUSED:
                    log.info("Subsonic %s: POST refused (%d); sent as GET", method,
                             response.status_code)  # fmt: skip
                    post = False  # a server without form POST: the request did nothing
                    continue
                if response.status_code not in RETRY_STATUSES:
                    return self._envelope(method, response)
                failure, safe = f"the server answered {response.status_code}", idempotent
            if not safe:
                raise SubsonicUnavailable(
                    f"{failure}; not retried because the request may have taken effect",
                    server=self.base_url,
                    key=method,
                )
            if attempt >= self._retries:
                raise SubsonicUnavailable(
                    f"{failure} after {attempt + 1} attempts", server=self.base_url, key=method
                )
            log.info("Subsonic %s: %s; retrying", method, failure)
            self._sleep(self._backoff_s * (2**attempt))
            attempt += 1

    def _send(self, method: str, params: list[tuple[str, str]], *, post: bool) -> httpx.Response:
        if post:
            return self._client.post(method, data=_form(params))
        query: list[tuple[str, str | int | float | bool | None]] = list(params)
        return self._client.get(method, params=query)

    def _envelope(self, method: str, response: httpx.Response) -> Envelope:
        server = self.base_url
        status = response.status_code
        if status in (401, 403):
            raise SubsonicUnauthorized(f"HTTP {status}", server=server, key=method)
        if status >= 400:
            raise SubsonicError(f"HTTP {status}: no Subsonic answer", server=server, key=method)
        try:
            envelope = response.json()["subsonic-response"]
        except (ValueError, KeyError, TypeError):
            envelope = None
        if not isinstance(envelope, dict):
            raise SubsonicError("not a Subsonic JSON answer", server=server, key=method)
        if envelope.get("status") != "ok":
            raise api_error(envelope.get("error"), self.base_url, method)
        return envelope


def _form(params: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for name, value in params:
        form.setdefault(name, []).append(value)
    return form


def api_error(error: object, server: str, method: str) -> SubsonicError:
    """The error of a ``status: failed`` answer (its ``code`` and ``message``)."""
    code, message = 0, "failed"
    if isinstance(error, dict):
        raw_code = error.get("code", 0)
        code = raw_code if isinstance(raw_code, int) else 0
        message = str(error.get("message") or message)
    text = f"error {code}: {message}"
    if code in UNAUTHORIZED_CODES:
        return SubsonicUnauthorized(text, server=server, key=method, api_code=code)
    if code == NOT_FOUND_CODE:
        return SubsonicNotFound(text, server=server, key=method, api_code=code)
    return SubsonicError(text, server=server, key=method, api_code=code)
