"""A recorded-contract fake of the Jellyfin calls Crossfade makes, as an ``httpx`` transport.

It answers like Jellyfin 10.9 (the answers below are recorded from its API documentation) and
refuses what a real server would refuse: an unknown route (404), a missing or wrong API key in
either header (401: ``X-Emby-Token`` and ``Authorization: MediaBrowser ..., Token="..."``,
whose parameters must all be quoted), a ``/Library/Media/Updated`` body that is not
``{"Updates": [{"Path": <absolute>, "UpdateType": Created|Modified|Deleted}, ...]}`` sent as
JSON (400). Every accepted call is recorded. :func:`serving` puts it on a loopback server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

SYSTEM_INFO = {
    "LocalAddress": "http://172.17.0.2:8096",
    "ServerName": "living-room",
    "Version": "10.9.11",
    "ProductName": "Jellyfin Server",
    "OperatingSystem": "Linux",
    "Id": "0f3a5c41b7d44b8e9e0a7c2a1d5e6f70",
    "StartupWizardCompleted": True,
}
UPDATE_TYPES = {"Created", "Modified", "Deleted"}
_PARAM = re.compile(r'\s*(\w+)="([^"]*)"\s*(?:,|$)')


@dataclass
class Call:
    method: str
    path: str
    body: Any = None


@dataclass
class FakeJellyfin:
    api_key: str
    calls: list[Call] = field(default_factory=list)
    fail_with: int | None = None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def _authorised(self, request: httpx.Request) -> bool:
        if request.headers.get("X-Emby-Token") != self.api_key:
            return False
        scheme, _, params = request.headers.get("Authorization", "").partition(" ")
        if scheme != "MediaBrowser":
            return False
        parsed: dict[str, str] = {}
        rest = params
        while rest.strip():
            match = _PARAM.match(rest)
            if match is None:
                return False
            parsed[match[1]] = match[2]
            rest = rest[match.end() :]
        return parsed.get("Token") == self.api_key and bool(parsed.get("Client"))

    def handle(self, request: httpx.Request) -> httpx.Response:
        route = (request.method, request.url.path)
        if route not in {
            ("GET", "/System/Info"),
            ("POST", "/Library/Media/Updated"),
            ("POST", "/Library/Refresh"),
        }:
            return httpx.Response(404)
        if not self._authorised(request):
            return httpx.Response(401)
        if self.fail_with is not None:
            return httpx.Response(self.fail_with)
        if route == ("GET", "/System/Info"):
            self.calls.append(Call(*route))
            return httpx.Response(200, json=SYSTEM_INFO)
        body = None
        if route == ("POST", "/Library/Media/Updated"):
            body = self._updates(request)
            if body is None:
                return httpx.Response(400, json={"title": "One or more validation errors"})
        self.calls.append(Call(*route, body))
        return httpx.Response(204)

    @staticmethod
    def _updates(request: httpx.Request) -> Any:
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            return None
        try:
            body = json.loads(request.content)
        except ValueError:
            return None
        updates = body.get("Updates") if isinstance(body, dict) else None
        if not isinstance(updates, list) or not updates:
            return None
        for update in updates:
            path = update.get("Path") if isinstance(update, dict) else None
            if not isinstance(path, str) or (
                not path.startswith(("/", "\\\\")) and path[1:3] != ":\\"
            ):
                return None
            if update.get("UpdateType") not in UPDATE_TYPES:
                return None
        return body


@contextmanager
def serving(fake: FakeJellyfin) -> Iterator[str]:
    """``fake`` on a loopback HTTP server (for code that builds its own client); yields its
    base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(
                self.command,
                f"http://127.0.0.1{self.path}",
                headers=dict(self.headers.items()),
                content=self.rfile.read(length),
            )
            response = fake.handle(request)
            self.send_response(response.status_code)
            body = response.content
            self.send_header("Content-Length", str(len(body)))
            if body:
                self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
