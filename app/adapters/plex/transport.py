"""HTTP to one Plex server as one account: auth header, retries with backoff, error translation.

Built on the standard library's ``http.client`` over one keep-alive connection: a Plex request
costs ~0.2 ms of our CPU this way against ~0.7 ms through httpx, and a first sync of a large
library makes thousands of them (``bench/ratings_sync.py``). The transport is not thread-safe:
one client per thread.

The token travels only in the ``X-Plex-Token`` header, never in a URL, so it cannot reach log
lines, exception messages or our errors. 5xx answers, timeouts and connection errors are retried
(``retries`` times, waiting ``backoff_s``, 2×, 4×, …); requests that are not idempotent
(creating a playlist, appending items) are retried only when the connection could not be made,
so a lost answer never duplicates work — and they never go out on a connection that sat idle
long enough for the server to have closed it. Everything else becomes one of
``PlexUnauthorized``, ``PlexNotFound``, ``PlexUnavailable`` or ``PlexError``, carrying the base
URL and the key that was asked for. Answers may be gzip-compressed (we ask for it).
"""

from __future__ import annotations

import http.client
import logging
import platform
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Final, TypeVar
from urllib.parse import urlencode, urlsplit

from app import __version__
from app.adapters.plex.xmlstream import MalformedXml
from app.domain.errors import (
    InvalidInput,
    PlexError,
    PlexNotFound,
    PlexUnauthorized,
    PlexUnavailable,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = list[tuple[str, str]] | None

RETRY_STATUSES = frozenset({500, 502, 503, 504})
CLIENT_IDENTIFIER = "crossfade"
CHUNK_BYTES: Final = 64 * 1024
IDLE_REUSE_S: Final = 2.0  # a non-idempotent request opens a new connection after this idle


class _ConnectFailed(Exception):
    """The connection could not be made: nothing reached the server."""


class PlexResponse:
    """A response being read: its status, headers and body (streamed, gzip undone)."""

    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self._raw = raw
        self.status_code = raw.status
        self.headers = raw.headers

    def iter_bytes(self) -> Iterator[bytes]:
        gzipped = (self._raw.getheader("Content-Encoding") or "").lower() == "gzip"
        inflate = zlib.decompressobj(wbits=31) if gzipped else None
        while chunk := self._raw.read(CHUNK_BYTES):
            yield inflate.decompress(chunk) if inflate is not None else chunk
        if inflate is not None:
            yield inflate.flush()

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())


def _split_base_url(base_url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"a Plex URL is http(s)://host[:port], not {base_url!r}")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"a Plex URL is http(s)://host[:port], not {base_url!r}") from None
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


class PlexTransport:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float,
        retries: int,
        backoff_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0 or timeout_s <= 0 or backoff_s < 0:
            raise ValueError("retries >= 0, timeout_s > 0 and backoff_s >= 0 are required")
        self.base_url = base_url.rstrip("/")
        self._scheme, self._host, self._port, self._prefix = _split_base_url(self.base_url)
        self._timeout_s = timeout_s
        self._retries = retries
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()  # one exchange at a time on the one connection
        self._last_used = 0.0
        self._headers = {
            "X-Plex-Token": token,
            "X-Plex-Product": "Crossfade",
            "X-Plex-Version": __version__,
            "X-Plex-Client-Identifier": CLIENT_IDENTIFIER,
            "X-Plex-Platform": platform.system() or "Linux",
            "X-Plex-Device-Name": "Crossfade",
            "Accept": "application/xml",
            "Accept-Encoding": "gzip",
            "User-Agent": f"crossfade/{__version__}",
        }

    def __repr__(self) -> str:
        return f"PlexTransport({self.base_url!r})"

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def call(
        self,
        method: str,
        path: str,
        consume: Callable[[PlexResponse], T],
        *,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        key: str | None = None,
    ) -> T:
        """Send a request and hand the (streamed) response to ``consume``; the whole exchange,
        body included, is retried on retryable failures."""
        where = key or path
        target = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        with self._lock:
            return self._call(method, path, target, consume, headers, idempotent, where)

    def _call(
        self,
        method: str,
        path: str,
        target: str,
        consume: Callable[[PlexResponse], T],
        headers: Mapping[str, str] | None,
        idempotent: bool,
        where: str,
    ) -> T:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                raw = self._exchange(method, target, headers, fresh=not idempotent)
                response = PlexResponse(raw)
                status = response.status_code
                log.debug(
                    "Plex %s %s -> %d (%.0f ms)",
                    method,
                    path,
                    status,
                    (time.perf_counter() - started) * 1000,
                )
                if status < 400:
                    try:
                        result = consume(response)
                    except BaseException:
                        self.close()  # the answer was not read to its end
                        raise
                    self._finish(raw)
                    return result
                response.read()
                self._finish(raw)
                if status not in RETRY_STATUSES:
                    raise _status_error(status, self.base_url, where)
                failure, safe = f"the server answered {status}", idempotent
            except MalformedXml as exc:
                self.close()
                raise PlexError(str(exc), server=self.base_url, key=where) from None
            except _ConnectFailed as exc:
                self.close()
                failure, safe = f"cannot connect ({exc})", True
            except TimeoutError:
                self.close()
                failure, safe = "timed out", idempotent
            except (OSError, http.client.HTTPException) as exc:
                self.close()
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

    # -- the connection ---------------------------------------------------------------------

    def _exchange(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str] | None,
        *,
        fresh: bool,
    ) -> http.client.HTTPResponse:
        if fresh and time.monotonic() - self._last_used > IDLE_REUSE_S:
            self.close()
        connection = self._connection
        if connection is None:
            connection = self._connect()
        all_headers = self._headers if not headers else {**self._headers, **headers}
        connection.request(method, target, headers=all_headers)
        return connection.getresponse()

    def _connect(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if self._scheme == "https":
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout_s, context=_tls_context()
            )
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout_s)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise _ConnectFailed("timed out") from exc
        except OSError as exc:
            connection.close()
            raise _ConnectFailed(type(exc).__name__) from exc
        self._connection = connection
        return connection

    def _finish(self, raw: http.client.HTTPResponse) -> None:
        """After a response was read: keep the connection unless the server closes it."""
        self._last_used = time.monotonic()
        if raw.will_close or not raw.isclosed():
            self.close()


_TLS: list[ssl.SSLContext] = []


def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process (building one loads the CA bundle: ~25 ms)."""
    if not _TLS:
        _TLS.append(ssl.create_default_context())
    return _TLS[0]


def _status_error(status: int, server: str, key: str) -> PlexError:
    if status == 401:
        return PlexUnauthorized("the server refused the token (401)", server=server, key=key)
    if status == 403:
        return PlexUnauthorized("this account may not do that (403)", server=server, key=key)
    if status == 404:
        return PlexNotFound("not found (404)", server=server, key=key)
    return PlexError(f"the server answered {status}", server=server, key=key)
