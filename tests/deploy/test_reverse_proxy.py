"""Crossfade under ``/crossfade/`` behind a real nginx (Debian's package, on loopback), driven
by headless Chromium: first-run setup, a folder library and a Plex library (the emulator), a
ratings link, preview, a run watched live (HTMX polling and an EventSource on the job's
server-sent events), a conflict resolved in the inbox, the API docs. Every request the browser
makes is recorded: none may leave the prefix. nginx's ``location`` block is read from the
README, so the documented configuration is the tested one.

``CROSSFADE_TEST_NGINX`` (exported by ``scripts/test.d/20-nginx.sh``) names the nginx binary;
without it the test skips, or fails under ``CI``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, Request, expect, sync_playwright

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, write_rating
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from app.main import create_app
from app.settings import Settings
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/crossfade"
UPSTREAM_IN_README = "http://crossfade:8080/"
FIRST = "Artist/Album/01 First.flac"
PASSWORD = "a long enough browser password"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000


def required(env_name: str, what: str) -> str:
    value = os.environ.get(env_name)
    if value:
        return value
    if os.environ.get("CI") == "true":
        pytest.fail(f"{env_name} is not set ({what})")
    pytest.skip(f"{env_name} is not set ({what})")


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing (scripts/test installs Debian's package)")
    pytest.skip("chromium is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def readme_nginx_location() -> str:
    """The ```nginx block of README's "Behind a reverse proxy"."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"```nginx\n(location /crossfade/ \{.*?\n\})\n```", readme, re.DOTALL)
    assert found, "README has no nginx location block for /crossfade/"
    return found.group(1)


def nginx_conf(folder: Path, listen_port: int, app_port: int) -> str:
    location = readme_nginx_location().replace(UPSTREAM_IN_README, f"http://127.0.0.1:{app_port}/")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"  {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
  access_log {folder / "access.log"};
{temp}
  server {{
    listen 127.0.0.1:{listen_port};
    {location}
    location / {{ return 404; }}
  }}
}}
"""


@dataclass
class Proxied:
    """nginx on loopback in front of the app (a real uvicorn in a thread) and the emulator."""

    url: str  # the prefix's URL through nginx
    music: Path
    emulator: EmulatorServer
    plex: PlexServerClient
    access_log: Path

    def key(self, relative: str) -> int:
        section = next(s for s in self.plex.list_sections() if s.is_music)
        wanted = str(self.music / relative)
        return next(
            t.rating_key
            for t in self.plex.iter_tracks(section.section_id)
            if wanted in t.file_paths
        )


def started_uvicorn(settings: Settings, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            proxy_headers=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    return server, thread


def wait_for_http(url: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def proxied(
    settings: Settings, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxied]:
    nginx = required("CROSSFADE_TEST_NGINX", "scripts/test.d/20-nginx.sh sets it")
    music = write_library(tmp_path / "music", tmp_path_factory)
    app_port, nginx_port = free_port(), free_port()
    folder = tmp_path / "nginx"
    folder.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, nginx_port, app_port))
    behind = settings.model_copy(update={"root_path": PREFIX, "trusted_proxies": "127.0.0.1"})
    # The emulator reports the files at their real paths: no path mapping needed.
    with running_emulator(music=[Folder(str(music), str(music))]) as emulator:
        server, thread = started_uvicorn(behind, app_port)
        process = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf)])
        try:
            url = f"http://127.0.0.1:{nginx_port}{PREFIX}"
            wait_for_http(url + "/api/v1/health")
            with PlexServerClient(emulator.url, emulator.owner_token) as plex:
                yield Proxied(url, music, emulator, plex, folder / "access.log")
        finally:
            process.terminate()
            process.wait(20)
            server.should_exit = True
            thread.join(30)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[tuple[Page, list[str]]]:
    executable = chromium()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        requested: list[str] = []
        context.on("request", lambda request: requested.append(_url(request)))
        try:
            yield context.new_page(), requested
        finally:
            context.close()


def _url(request: Request) -> str:
    return request.url


def wait_for_job_end(page: Page) -> None:
    expect(page.locator("#job-progress .status")).to_have_text("succeeded")


SSE_SCRIPT = """async (url) => await new Promise((resolve, reject) => {
  const seen = [];
  const source = new EventSource(url);
  source.addEventListener("progress", (e) => seen.push(JSON.parse(e.data).status));
  source.addEventListener("end", (e) => {
    source.close();
    resolve({seen: seen, end: JSON.parse(e.data).status});
  });
  source.onerror = () => { source.close(); reject(new Error("event stream failed")); };
})"""


def test_the_dashboard_under_a_prefix_behind_nginx(
    proxied: Proxied, page: tuple[Page, list[str]]
) -> None:
    browser, requested = page
    url = proxied.url

    # First visit: the setup page, under the prefix.
    browser.goto(url + "/")
    assert browser.url == url + "/setup"
    browser.fill("input[name=username]", "admin")
    browser.fill("input[name=password]", PASSWORD)
    browser.fill("input[name=password_confirm]", PASSWORD)
    browser.click("main form button[type=submit]")
    expect(browser.locator("main h1")).to_have_text("Overview")
    browser.click("text=Sign out")
    expect(browser.locator("input[name=password]")).to_be_visible()
    assert browser.url.startswith(url + "/login")
    browser.fill("input[name=username]", "admin")
    browser.fill("input[name=password]", PASSWORD)
    browser.click("main form button[type=submit]")
    expect(browser.locator("main h1")).to_have_text("Overview")

    # Libraries: the folder, then the Plex server found through "Test connection" (HTMX).
    browser.click("nav >> text=Libraries")
    form = browser.locator("#add-music form")
    form.locator("input[name=name]").fill("NAS music")
    form.locator("input[name=root]").fill(str(proxied.music))
    form.locator("button[type=submit]").click()
    expect(browser.locator(".notice")).to_have_text("Library added.")
    browser.goto(url + "/libraries")
    plex_form = browser.locator("#add-plex form")
    plex_form.locator("input[name=name]").fill("Living room Plex")
    plex_form.locator("input[name=base_url]").fill(proxied.emulator.url)
    plex_form.locator("input[name=token]").fill(proxied.emulator.owner_token)
    browser.click("text=Test connection")
    expect(browser.locator("#plex-sections .ok-box")).to_contain_text("Connected.")
    browser.click("text=Add Plex library")
    expect(browser.locator(".notice")).to_have_text("Library added.")

    # A ratings link, preview, run; progress through HTMX and through the event stream.
    proxied.plex.rate(proxied.key(FIRST), 8)
    browser.click("nav >> text=Links")
    create = browser.locator("#create-link form")
    create.locator("select[name=library_a_id]").select_option(label="Living room Plex")
    create.locator("select[name=library_b_id]").select_option(label="NAS music")
    create.locator("select[name=policy]").select_option("ask")
    create.locator("button[type=submit]").click()
    expect(browser.locator(".notice")).to_contain_text("Link created.")
    browser.click("main button:has-text('Preview')")
    expect(browser.locator("#preview .counters")).to_contain_text("to write in NAS music")
    browser.click("text=Run it for real")
    wait_for_job_end(browser)
    job_path = browser.url.split(url, 1)[1].split("?", 1)[0]
    assert re.fullmatch(r"/jobs/\d+", job_path), browser.url
    streamed = browser.evaluate(SSE_SCRIPT, f"{url}/api/v1{job_path}/stream")
    assert streamed["end"] == "succeeded" and "succeeded" in streamed["seen"]

    # Both sides change the track: a conflict, resolved in the inbox.
    proxied.plex.rate(proxied.key(FIRST), 10)
    write_rating(proxied.music / FIRST, Rating(2), preset("musicbee"), options=WriteOptions())
    browser.goto(url + "/links/1")
    browser.click("main form button:has-text('Run')")
    wait_for_job_end(browser)
    browser.click("nav >> text=Conflicts")
    row = browser.locator("tr.conflict-row").first
    row.locator("button:has-text('Keep B')").click()
    expect(browser.locator("tr.conflict-row").first).to_contain_text("kept B")
    assert proxied.plex.get_track(proxied.key(FIRST)).user_rating == 2

    # The API docs load their script, style and schema under the prefix too.
    browser.goto(url + "/docs")
    expect(browser.locator(".swagger-ui .info .title")).to_contain_text("Crossfade")
    browser.wait_for_load_state("networkidle")

    escaped = [r for r in requested if not r.startswith(url + "/")]
    assert escaped == [], escaped
    lines = proxied.access_log.read_text().splitlines()
    logged = [line.split('"')[1].split(" ")[1] for line in lines]
    assert logged and all(path.startswith(PREFIX + "/") for path in logged), logged
