"""Support for webhook tests: a loopback HTTP receiver for outgoing webhooks (records JSON
posts; can answer any status, or wait), fake job kinds behind the registry, and a real
container with the libraries, links and payloads the webhook tests use."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from app.bootstrap import Container, HookTiming, build_container
from app.domain.errors import InvalidInput
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobKind, JobKindRegistry
from app.services.ratings.jobs import RATINGS_SYNC
from app.settings import Settings
from tests.conftest import FAST_TIMING
from tests.emulator.support import OWNER_TOKEN


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    content_type: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)  # names lower case
    raw: bytes = b""


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
                            headers={k.lower(): v for k, v in self.headers.items()},
                            raw=raw,
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


def _params(raw: Mapping[str, Any]) -> dict[str, Any]:
    return dict(raw)


class FakeKinds:
    """ratings_sync (and optionally mirror) kinds that record their jobs; ``hold`` keeps them
    running, ``fail`` makes them fail, ``conflicts`` makes a sync report conflicts."""

    def __init__(self, *, mirror: bool) -> None:
        self.mirror = mirror
        self.ran: list[tuple[str, int]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.fail = False
        self.conflicts = 0
        self.lock = threading.Lock()

    def handler(self, ctx: JobContext) -> None:
        with self.lock:
            self.ran.append((ctx.kind, ctx.job_id))
        while not self.hold.wait(0.01):
            ctx.check_cancelled()
        if self.conflicts:
            ctx.counter("conflicts", self.conflicts)
        if self.fail:
            raise InvalidInput("the fake sync was told to fail")

    def runs(self, kind: str = RATINGS_SYNC) -> list[int]:
        with self.lock:
            return [job_id for ran_kind, job_id in self.ran if ran_kind == kind]

    def registry(self) -> JobKindRegistry:
        registry = JobKindRegistry()
        names = [RATINGS_SYNC, "mirror"] if self.mirror else [RATINGS_SYNC]
        for name in names:
            registry.register(
                JobKind(
                    name=name,
                    title=name,
                    handler=self.handler,
                    lock_key=name,
                    parse_params=_params,
                )
            )
        return registry


# -- a container with webhooks, and the libraries and links they start -----------------------


def make_container(settings: Settings, kinds: FakeKinds, *, debounce_s: float = 0.1) -> Container:
    container = build_container(
        settings,
        job_kinds=kinds.registry(),
        timing=FAST_TIMING,
        hook_timing=HookTiming(debounce_s=debounce_s, post_timeout_s=2.0),
    )
    container.startup()
    container.scheduler.stop()
    return container


def folder(container: Container, tmp_path: Path, name: str, kind: str = "music_folder") -> int:
    root = tmp_path / name
    root.mkdir()
    library = container.domains.libraries.add_library(
        kind=kind, name=name, config={"root": str(root)}
    )
    return library.id


def plex_library(container: Container, url: str, name: str, section_id: int) -> int:
    library = container.domains.libraries.add_library(
        kind="plex_music",
        name=name,
        config={"base_url": url, "section_ids": [section_id]},
        secret=OWNER_TOKEN,
    )
    return library.id


def ratings_link(container: Container, a: int, b: int) -> int:
    return container.domains.libraries.add_link(kind="ratings", library_a_id=a, library_b_id=b).id


def plex_payload(server_uuid: str, section_id: int, event: str = "media.rate") -> str:
    return json.dumps(
        {
            "event": event,
            "rating": "8",
            "Account": {"id": 1},
            "Server": {"uuid": server_uuid},
            "Metadata": {"librarySectionID": section_id, "ratingKey": "1003", "title": "T"},
        }
    )


def radarr(event: str, folder_path: str) -> bytes:
    return json.dumps(
        {"eventType": event, "movie": {"title": "Heat", "folderPath": folder_path}}
    ).encode()


def mirror_world(container: Container, tmp_path: Path) -> tuple[int, Path]:
    source = folder(container, tmp_path, "plex-movies", kind="movie_folder")
    target = folder(container, tmp_path, "jellyfin-movies", kind="movie_folder")
    link = container.domains.libraries.add_link(
        kind="mirror", library_a_id=source, library_b_id=target
    )
    return link.id, tmp_path / "plex-movies"
