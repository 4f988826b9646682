"""The log test: a full ``crossfade demo`` at DEBUG, with an outgoing webhook (to a loopback
server here) and the Plex hook firing; no log line holds any secret (the Plex token, the
webhook secrets, the outgoing URL's id, the admin password, the secret key, an API token)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from tests.cli.test_demo import Demo, signed_in, wait_for_jobs
from tests.conftest import Waiter

OUTGOING_ID = "ha-webhook-id-Lm3x9QpZ"


class Receiver(BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class DebugDemo(Demo):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.env["CROSSFADE_LOG_LEVEL"] = "DEBUG"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DebugDemo]:
    running = DebugDemo(tmp_path / "data")
    try:
        yield running
    finally:
        if running.process is not None:
            running.stop()


def log_lines(lines: list[str]) -> list[str]:
    """Every line but the welcome block, which shows the generated password on purpose."""
    shown: list[str] = []
    in_welcome = False
    for line in lines:
        if line.startswith("Crossfade demo: open"):
            in_welcome = True
        elif in_welcome and line == "":
            in_welcome = False
        elif not in_welcome:
            shown.append(line)
    return shown


@pytest.mark.slow
def test_no_secret_in_any_log_line(demo: DebugDemo, receiver: str, wait: Waiter) -> None:
    demo.start(wait)
    password = demo.printed(r"password:\s+(\S+)")
    plex_url = demo.printed(r"Plex emulator: (\S+)")
    plex_token = (demo.data_dir / "plex-token").read_text().strip()
    secret_key = (demo.data_dir / "secret_key").read_text().strip()
    with signed_in(demo) as client:
        outgoing = client.post(
            "/api/v1/webhooks/outgoing",
            json={
                "name": "Home Assistant",
                "url": f"{receiver}/api/webhook/{OUTGOING_ID}",
                "events": ["job_started", "job_finished", "conflicts_pending"],
            },
        )
        assert outgoing.status_code == 201, outgoing.text
        created = client.post("/api/v1/tokens", json={"name": "logs", "scopes": ["read"]})
        assert created.status_code == 201, created.text
        api_token = created.json()["token"]
        endpoint = client.post("/api/v1/webhooks", json={"name": "second plex", "source": "plex"})
        assert endpoint.status_code == 201, endpoint.text
        hook_secret = endpoint.json()["secret"]
        # the Plex webhook of the demo fires: a sync runs, the outgoing webhook hears of it
        rated = httpx.put(
            f"{plex_url}/:/rate",
            params={"key": "1001", "identifier": "com.plexapp.plugins.library", "rating": "4"},
            headers={"X-Plex-Token": plex_token},
        )
        assert rated.status_code == 200
        wait_for_jobs(client, wait, 1)
        wait(lambda: len(Receiver.paths) >= 2, timeout_s=30, what="outgoing webhook posts")
    # our own endpoint, called as Plex would (its answer does not matter here)
    httpx.post(f"{demo.base}/api/v1/hooks/plex/{hook_secret}", data={"payload": "{}"})
    listed = httpx.get(f"{demo.base}/api/v1/jobs", headers={"Authorization": f"Bearer {api_token}"})
    assert listed.status_code == 200
    assert demo.stop() == 0

    assert Receiver.paths[0] == f"/api/webhook/{OUTGOING_ID}"
    lines = log_lines(demo.lines)
    assert sum(" DEBUG " in line for line in lines) > 20, "DEBUG logging ran"
    assert any("/hooks/plex/***" in line for line in lines), "the hook calls were logged"
    secrets = {
        "Plex token": plex_token,
        "demo hook secret or second hook secret": hook_secret,
        "outgoing webhook id": OUTGOING_ID,
        "admin password": password,
        "secret key": secret_key,
        "API token": api_token,
    }
    leaks = [
        f"{name}: {line}" for name, secret in secrets.items() for line in lines if secret in line
    ]
    assert leaks == []
    # the demo's own Plex hook secret is not printed anywhere: every hook path is masked
    unmasked = [line for line in lines if re.search(r"/hooks/[a-z]+/(?!\*\*\*)[^\s\"/?]", line)]
    assert unmasked == []
