"""HTTP to one Plex server as one account: auth header, retries with backoff, error translation.

The token travels only in the ``X-Plex-Token`` header, never in a URL, so it cannot reach
httpx's log lines, exception messages or our errors. 5xx answers, timeouts and connection
errors are retried (``retries`` times, waiting ``backoff_s``, 2×, 4×, …); requests that are not
idempotent (creating a playlist, appending items) are retried only when the connection could
not be made, so a lost answer never duplicates work. Everything else becomes one of
``PlexUnauthorized``, ``PlexNotFound``, ``PlexUnavailable`` or ``PlexError``, carrying the base
URL and the key that was asked for.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import httpx

from app import __version__
from app.adapters.plex.xmlstream import MalformedXml
from app.domain.errors import PlexError, PlexNotFound, PlexUnauthorized, PlexUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = list[tuple[str, str]] | None

RETRY_STATUSES = frozenset({500, 502, 503, 504})
CLIENT_IDENTIFIER = "crossfade"


class PlexTransport:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float,
        retries: int,
        backoff_s: float,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0 or timeout_s <= 0 or backoff_s < 0:
            raise ValueError("retries >= 0, timeout_s > 0 and backoff_s >= 0 are required")
        self.base_url = base_url.rstrip("/")
        self._retries = retries
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout_s,
            transport=transport,
            headers={
                "X-Plex-Token": token,
                "X-Plex-Product": "Crossfade",
                "X-Plex-Version": __version__,
                "X-Plex-Client-Identifier": CLIENT_IDENTIFIER,
                "X-Plex-Platform": platform.system() or "Linux",
                "X-Plex-Device-Name": "Crossfade",
                "Accept": "application/xml",
            },
        )

    def __repr__(self) -> str:
        return f"PlexTransport({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def call(
        self,
        method: str,
        path: str,
        consume: Callable[[httpx.Response], T],
        *,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        key: str | None = None,
    ) -> T:
        """Send a request and hand the (streamed) response to ``consume``; the whole exchange,
        body included, is retried on retryable failures."""
        where = key or path
        attempt = 0
        while True:
            try:
                query = httpx.QueryParams(tuple(params or ()))
                with self._http.stream(method, path, params=query, headers=headers) as response:
                    status = response.status_code
                    if status < 400:
                        return consume(response)
                    if status not in RETRY_STATUSES:
                        raise _status_error(status, self.base_url, where)
                    response.read()
                    failure, safe = f"the server answered {status}", idempotent
            except MalformedXml as exc:
                raise PlexError(str(exc), server=self.base_url, key=where) from None
            except httpx.ConnectError as exc:
                failure, safe = f"cannot connect ({type(exc).__name__})", True
            except httpx.TimeoutException as exc:
                failure, safe = f"timed out ({type(exc).__name__})", idempotent
            except httpx.TransportError as exc:
                failure, safe = f"connection lost ({type(exc).__name__})", idempotent
            if not safe:
                raise PlexUnavailable(
                    f"{failure}; not retried because the request may have taken effect",
                    server=self.base_url,
                    key=where,
                )
            if attempt >= self._retries:
                raise PlexUnavailable(
                    f"{failure} after {attempt + 1} attempt(s)", server=self.base_url, key=where
                )
            delay = self._backoff_s * (2**attempt)
            log.info("Plex %s %s: %s; retrying in %.2fs", method, where, failure, delay)
            self._sleep(delay)
            attempt += 1

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        idempotent: bool = True,
        key: str | None = None,
    ) -> bytes:
        """A request whose body (if any) is read whole."""
        return self.call(
            method,
            path,
            lambda response: response.read(),
            params=params,
            idempotent=idempotent,
            key=key,
        )


def _status_error(status: int, server: str, key: str) -> PlexError:
    if status == 401:
        return PlexUnauthorized("the server refused the token (401)", server=server, key=key)
    if status == 403:
        return PlexUnauthorized("this account may not do that (403)", server=server, key=key)
    if status == 404:
        return PlexNotFound("not found (404)", server=server, key=key)
    return PlexError(f"the server answered {status}", server=server, key=key)
