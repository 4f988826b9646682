"""A loopback HTTP receiver for outgoing webhooks: records JSON posts; can answer any status or
wait before answering (to exercise timeouts)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    content_type: str
    body: dict[str, Any]


class JsonReceiver:
    def __init__(self, *, status: int = 200, delay_s: float = 0.0) -> None:
        self.status = status
        self.delay_s = delay_s
        self.hold = threading.Event()  # cleared: every answer waits until it is set
        self.hold.set()
        self.received: list[ReceivedPost] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                receiver.hold.wait(30)
                with receiver._lock:
                    receiver.received.append(
                        ReceivedPost(
                            path=self.path,
                            content_type=self.headers.get("Content-Type", ""),
                            body=json.loads(raw),
                        )
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/api/webhook/very-secret-id") -> str:
        return f"{self.base_url}{path}"

    def __enter__(self) -> JsonReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def events(self) -> list[str]:
        with self._lock:
            return [str(post.body.get("event")) for post in self.received]

    def bodies(self, event: str) -> list[dict[str, Any]]:
        with self._lock:
            return [post.body for post in self.received if post.body.get("event") == event]
