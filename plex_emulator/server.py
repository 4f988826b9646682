"""The HTTP side: route table, request handling, and :class:`EmulatorServer`.

A stdlib ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive serves the routes. It runs
in a background thread, binds 127.0.0.1 on a free port by default, and stops cleanly (open
keep-alive connections are shut down). Every request is logged (tokens redacted), faults and
latency from the knobs are applied first, and any unexpected path answers 404 with PMS's HTML
body so an unemulated call shows up as ``NotFound`` in a client.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from plex_emulator import routes_admin, routes_library, routes_playlists, routes_user
from plex_emulator.context import EmulatorContext
from plex_emulator.errors import HttpError, StateError, http_error_of
from plex_emulator.http import Request, Response
from plex_emulator.knobs import Knobs
from plex_emulator.persist import StateFile
from plex_emulator.requestlog import RequestLog
from plex_emulator.scanner import ScanRunner
from plex_emulator.state import EmulatorState
from plex_emulator.webhooks import WebhookDispatcher
from plex_emulator.xmlrender import html_error

log = logging.getLogger(__name__)

RouteFn = Callable[[EmulatorContext, Request], Response]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: RouteFn
    auth: bool = True


def _route(methods: str, pattern: str, handler: RouteFn, *, auth: bool = True) -> Route:
    return Route(frozenset(methods.split()), re.compile(f"^{pattern}$"), handler, auth)


ROUTES: tuple[Route, ...] = (
    _route("GET HEAD", r"/identity", routes_library.identity, auth=False),
    _route("GET HEAD", r"/", routes_library.root),
    _route("GET", r"/library", routes_library.library),
    _route("GET", r"/library/sections/?", routes_library.sections),
    _route("GET", r"/library/sections/([^/]+)/all", routes_library.section_all),
    _route("PUT", r"/library/sections/([^/]+)/all", routes_library.section_edit),
    _route("GET", r"/library/sections/([^/]+)/albums", routes_library.section_albums),
    _route("GET", r"/library/sections/([^/]+)/collections", routes_library.section_collections),
    _route("GET POST DELETE", r"/library/sections/([^/]+)/refresh", routes_library.refresh),
    _route("GET", r"/library/metadata/([^/]+)", routes_library.metadata),
    _route("GET", r"/library/metadata/([^/]+)/(children|allLeaves)", routes_library.children),
    _route("GET PUT", r"/:/rate", routes_user.rate),
    _route("GET PUT", r"/:/(scrobble|unscrobble)", routes_user.scrobble),
    _route("GET", r"/accounts/?", routes_library.accounts),
    _route("GET", r"/playlists/?", routes_playlists.list_playlists),
    _route("POST", r"/playlists/?", routes_playlists.create_playlist),
    _route("POST", r"/playlists/upload", routes_playlists.upload_m3u),
    _route("GET", r"/playlists/([^/]+)", routes_playlists.get_playlist),
    _route("PUT", r"/playlists/([^/]+)", routes_playlists.edit_playlist),
    _route("DELETE", r"/playlists/([^/]+)", routes_playlists.delete_playlist),
    _route("GET", r"/playlists/([^/]+)/items", routes_playlists.playlist_items),
    _route("PUT", r"/playlists/([^/]+)/items", routes_playlists.add_items),
    _route("DELETE", r"/playlists/([^/]+)/items", routes_playlists.clear_items),
    _route("DELETE", r"/playlists/([^/]+)/items/([^/]+)", routes_playlists.remove_item),
    _route("PUT", r"/playlists/([^/]+)/items/([^/]+)/move", routes_playlists.move_item),
    _route("GET DELETE", r"/__emu/log", routes_admin.request_log),
    _route("GET POST DELETE", r"/__emu/webhooks", routes_admin.webhooks),
    _route("GET PUT", r"/__emu/knobs", routes_admin.knobs),
    _route("GET", r"/__plextv/api/v2/user", routes_admin.plextv_user),
    _route("GET", r"/__plextv/api/users/?", routes_admin.plextv_users),
    _route(
        "GET", r"/__plextv/api/servers/([^/]+)/shared_servers", routes_admin.plextv_shared_servers
    ),
)

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _find_route(method: str, path: str) -> tuple[Route, tuple[str, ...]]:
    allowed = False
    for route in ROUTES:
        match = route.pattern.match(path)
        if match is None:
            continue
        if method in route.methods:
            return route, match.groups()
        allowed = True
    if allowed:
        raise HttpError(405, "Method Not Allowed", f"{method} {path}")
    raise HttpError(404, "Not Found", f"{method} {path} is not emulated")


def _answer(route: Route, ctx: EmulatorContext, request: Request) -> Response:
    """The route's answer; a refusal of the state becomes its HTTP error."""
    try:
        return route.handler(ctx, request)
    except StateError as refused:
        raise http_error_of(refused) from refused


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PlexMediaServer-emulator"
    disable_nagle_algorithm = True  # headers and body go out as two writes
    timeout = 60
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        ctx = self.server.context
        method = "GET" if self.command == "HEAD" else self.command
        split = urlsplit(self.path)
        path = unquote(split.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            params = parse_qsl(split.query, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            params = None
        token = headers.get("x-plex-token") or next(
            (v for k, v in params or () if k == "X-Plex-Token"), None
        )
        account = ctx.state.account_for_token(token)
        log_query = params or []
        account_name = account.name if account else None

        knobs = ctx.knobs
        if knobs.latency_s:
            time.sleep(knobs.latency_s)
        fault = knobs.take_fault(method, path)
        if fault is not None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.drop:
                ctx.log.record(method, path, log_query, list(self.headers.items()), account_name, 0)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        try:
            if fault is not None and fault.status is not None:
                raise HttpError(fault.status, _TITLES.get(fault.status, "Error"), "injected")
            if params is None:
                raise HttpError(400, "Bad Request", "undecodable query string")
            route, groups = _find_route(method, path)
            if route.auth and account is None:
                raise HttpError(401, "Unauthorized")
            request = Request(
                method=method,
                path=path,
                params=tuple(params),
                headers=headers,
                body=body,
                account=account,
                match=groups,
            )
            response = _answer(route, ctx, request)
        except HttpError as exc:
            if exc.status >= 500 or exc.detail:
                log.debug("%s %s -> %s %s", method, path, exc.status, exc.detail)
            response = Response(
                status=exc.status,
                body=html_error(exc.status, exc.title),
                content_type="text/html",
            )
        except Exception:
            log.exception("emulator error on %s %s", method, path)
            response = Response(
                status=500, body=html_error(500, "Internal Server Error"), content_type="text/html"
            )
        ctx.log.record(
            method, path, log_query, list(self.headers.items()), account_name, response.status
        )
        self._send(response, headers)

    def _send(self, response: Response, request_headers: dict[str, str]) -> None:
        payload = response.body
        encoding = None
        if (
            self.server.context.knobs.gzip
            and len(payload) > 1024
            and "gzip" in request_headers.get("accept-encoding", "")
        ):
            payload = gzip.compress(payload, compresslevel=1)
            encoding = "gzip"
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], context: EmulatorContext) -> None:
        self.context = context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request is normal here (timeouts, dropped faults)."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            log.debug("client %s went away: %s", client_address, error)
            return
        log.exception("emulator connection error with %s", client_address)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """A running (or ready to run) emulator: ``with EmulatorServer(state) as emu: emu.url``."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        knobs: Knobs | None = None,
        state_file: StateFile | None = None,
    ) -> None:
        self.state = state
        self.state_file = state_file
        self.knobs = knobs or Knobs()
        self.log = RequestLog()
        self.webhooks = WebhookDispatcher(state, self.knobs)
        self.scans = ScanRunner(state, self.knobs)
        self.context = EmulatorContext(state, self.knobs, self.log, self.webhooks, self.scans)
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the emulator is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def owner_token(self) -> str:
        return self.state.owner.token

    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self._host, self._port), self.context)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="plex-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (the CLI)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.close_connections()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.scans.wait_idle(timeout_s=10)
        self.webhooks.close()
        if self.state_file is not None:
            self.state_file.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
