"""In a real headless Chromium, HTMX swaps the progress card until the job ends."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
import uvicorn
from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.bootstrap import Container, build_container, build_job_kinds
from app.main import create_app
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobKind
from app.settings import Settings
from tests.auth_support import set_up_admin

pytestmark = [pytest.mark.browser, pytest.mark.slow]

Waiter = Callable[..., None]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing (scripts/test installs Debian's package)")
    pytest.skip("chromium is not installed")


class Gate:
    def __init__(self) -> None:
        self.opened = threading.Event()

    def __call__(self, ctx: JobContext) -> None:
        step = 0
        while not self.opened.wait(0.02):
            ctx.check_cancelled()
            step += 1
            ctx.progress("waiting", min(step, 9), 10)
        ctx.progress("waiting", 10, 10)


class SignedInBrowser:
    """Adds the admin's session cookie to requests that carry none: Chromium's --dump-dom
    cannot fill in the login form itself, so the test signs in for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cookie: bytes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope.get("headers", [])
        if scope["type"] == "http" and self.cookie and all(k != b"cookie" for k, _ in headers):
            scope = {**scope, "headers": [*headers, (b"cookie", self.cookie)]}
        await self.app(scope, receive, send)


class LiveServer:
    def __init__(self, settings: Settings, gate: Gate) -> None:
        def factory(s: Settings) -> Container:
            kinds = build_job_kinds()
            kinds.register(JobKind(name="gate", title="Gate", handler=gate, lock_key="gate"))
            return build_container(s, job_kinds=kinds)

        self.app = create_app(settings, container_factory=factory)
        self.polled = threading.Event()

        @self.app.middleware("http")
        async def notice_polls(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            if request.url.path.endswith("/partials/progress"):
                self.polled.set()
            return await call_next(request)

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.browser = SignedInBrowser(self.app)
        config = uvicorn.Config(self.browser, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run)

    @property
    def container(self) -> Container:
        container: Container = self.app.state.container
        return container


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def live(settings: Settings, gate: Gate, wait: Waiter) -> Iterator[LiveServer]:
    server = LiveServer(settings, gate)
    server.thread.start()
    try:
        wait(lambda: server.server.started, what="uvicorn to start")
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}") as client:
            set_up_admin(client)
            cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        server.browser.cookie = cookie.encode()
        yield server
    finally:
        gate.opened.set()
        server.server.should_exit = True
        server.thread.join(30)


def test_progress_card_updates_without_reload(live: LiveServer, gate: Gate) -> None:
    browser = chromium()
    job = live.container.jobs.start("gate")
    opener = threading.Thread(target=lambda: live.polled.wait(60) and gate.opened.set())
    opener.start()
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=600000",
                "--dump-dom",
                f"http://127.0.0.1:{live.port}/jobs/{job.id}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    opener.join(60)
    dom = result.stdout
    assert live.polled.is_set(), result.stderr[-2000:]
    assert 'class="status status-succeeded"' in dom, dom[-3000:]
    assert "Run again" in dom
    assert "100%" in dom
