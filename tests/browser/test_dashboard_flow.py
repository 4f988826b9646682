"""The whole dashboard in a real headless Chromium (Debian's package, driven by Playwright):
set up the admin, add a folder and a Plex library (the emulator), fix its paths with the
diagnostic, create a link, preview it, run it and watch the progress end, resolve a conflict
in the inbox, undo the last run. Screenshots of every step go to ``test-artifacts/browser/``.
Every console message is collected: the test fails on any Content-Security-Policy violation,
and ends by visiting every page of the dashboard (and the API docs) to look for more.

Chromium runs as root without a network: ``--no-sandbox`` and the switches that keep it from
phoning home, a fresh profile; Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Dialog, Page, expect, sync_playwright

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.main import create_app
from app.settings import Settings
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser" / "flow"
PLEX_ROOT = "/data/music"
FIRST = "Artist/Album/01 First.flac"
SECOND = "Artist/Album/02 Café & Crema.mp3"
USERNAME = "admin"
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


@dataclass
class Live:
    """The app (uvicorn, in a thread) and the Plex emulator over real tagged files."""

    url: str
    music: Path
    emulator: EmulatorServer
    plex: PlexServerClient

    def key(self, relative: str) -> int:
        section = next(s for s in self.plex.list_sections() if s.is_music)
        wanted = f"{PLEX_ROOT}/{relative}"
        return next(
            t.rating_key
            for t in self.plex.iter_tracks(section.section_id)
            if wanted in t.file_paths
        )

    def file_stars(self, relative: str) -> float | None:
        found = read_file(self.music / relative).resolve(ReadPolicy.for_profile(preset("musicbee")))
        return None if found.rating is None else found.rating.stars


@pytest.fixture
def live(
    settings: Settings, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    music = write_library(tmp_path / "music", tmp_path_factory)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    with running_emulator(music=[Folder(str(music), PLEX_ROOT)]) as emulator:
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.started, "uvicorn did not start"
            with PlexServerClient(emulator.url, emulator.owner_token) as plex:
                yield Live(f"http://127.0.0.1:{port}", music, emulator, plex)
        finally:
            server.should_exit = True
            thread.join(30)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
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
        try:
            new_page = context.new_page()
            CONSOLE[id(new_page)] = console = []
            new_page.on("console", lambda message: console.append(message.text))
            new_page.on("pageerror", lambda error: console.append(f"page error: {error}"))
            yield new_page
        finally:
            CONSOLE.pop(id(new_page), None)
            context.close()


CONSOLE: dict[int, list[str]] = {}
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def csp_violations(page: Page) -> list[str]:
    """Console lines of ``page`` in which Chromium reports a blocked script, style or frame."""
    return [line for line in CONSOLE[id(page)] if any(m in line for m in CSP_MARKERS)]


class Screenshots:
    """Full-page screenshots numbered in the order the steps ran."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


def sign_in(page: Page, url: str) -> None:
    """The setup page on a first visit; the login page if an admin exists already."""
    page.goto(url + "/")
    if page.url.endswith("/setup"):
        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password_confirm]", PASSWORD)
        page.click("form[action='/setup'] button[type=submit]")
    if "/login" in page.url:
        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("main h1")).to_have_text("Overview")


def wait_for_job_end(page: Page) -> None:
    """The job page's progress card, swapped by HTMX every second, until the job ends."""
    expect(page.locator("#job-progress .status")).to_have_text("succeeded")
    expect(page.locator("#job-progress .progress-label")).to_have_text("100%")


def test_dashboard_from_setup_to_undo(live: Live, page: Page) -> None:
    shot = Screenshots(page, ARTIFACTS)
    page.goto(live.url + "/")
    shot("first-visit")
    sign_in(page, live.url)
    shot("overview-empty")
    page.click("text=Sign out")
    expect(page.locator("input[name=password]")).to_be_visible()
    shot("signed-out")
    sign_in(page, live.url)  # now through the login page

    # Libraries: a music folder, then the Plex server after "Test connection".
    page.click("nav >> text=Libraries")
    form = page.locator("#add-music form")
    form.locator("input[name=name]").fill("NAS music")
    form.locator("input[name=root]").fill(str(live.music))
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Library added.")
    page.goto(live.url + "/libraries")
    plex_form = page.locator("#add-plex form")
    plex_form.locator("input[name=name]").fill("Living room Plex")
    plex_form.locator("input[name=base_url]").fill(live.emulator.url)
    plex_form.locator("input[name=token]").fill(live.emulator.owner_token)
    page.click("text=Test connection")
    expect(page.locator("#plex-sections .ok-box")).to_contain_text("Connected.")
    expect(page.locator("#plex-sections input[name=section_ids]").first).to_be_checked()
    assert page.url.endswith("/libraries")  # HTMX swapped the sections in, no reload
    shot("plex-test-connection")
    page.click("text=Add Plex library")
    expect(page.locator(".notice")).to_have_text("Library added.")

    # The diagnostic finds no file, proposes a mapping; one click applies it.
    expect(page.locator("textarea[name=roots]")).to_have_value(str(live.music))
    page.click("text=Run diagnostic")
    expect(page.locator("#diagnostic-result")).to_contain_text("0 of 6")
    expect(page.locator("#diagnostic-result")).to_contain_text("missing files resolve")
    shot("diagnostic-proposal")
    page.click("text=Apply this mapping")
    expect(page.locator(".notice")).to_contain_text("Proposed mapping applied")
    page.click("text=Run diagnostic")
    expect(page.locator("#diagnostic-result")).to_contain_text("6 of 6")
    shot("diagnostic-all-found")

    # A ratings link, Plex (A) and the folder (B), conflicts to the inbox.
    live.plex.rate(live.key(FIRST), 8)
    live.plex.rate(live.key(SECOND), 6)
    page.click("nav >> text=Links")
    create = page.locator("#create-link form")
    create.locator("select[name=library_a_id]").select_option(label="Living room Plex")
    create.locator("select[name=library_b_id]").select_option(label="NAS music")
    create.locator("select[name=policy]").select_option("ask")
    create.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("Link created.")
    shot("link-created")

    # Preview: the planned changes, nothing written.
    page.click("main button:has-text('Preview')")
    expect(page.locator("#preview table.events")).to_be_visible()
    expect(page.locator("#preview .counters")).to_contain_text("2 to write in NAS music")
    assert live.file_stars(FIRST) is None
    page.fill("#preview-q", "café")
    expect(page.locator("#changes tbody tr")).to_have_count(1)
    expect(page.locator("#changes tbody tr")).to_contain_text("Café & Crema")
    shot("preview-filtered")

    # Run for real and watch the live progress end.
    page.click("text=Run it for real")
    wait_for_job_end(page)
    expect(page.locator("#job-events tbody tr")).to_have_count(2)  # refreshed at the end
    expect(page.locator("#job-events")).to_contain_text("write to NAS music")
    expect(page.locator("#job-progress .summary-sentence")).to_contain_text(
        "2 ratings written to NAS music"
    )
    assert live.file_stars(FIRST) == 4.0
    assert live.file_stars(SECOND) == 3.0
    shot("run-succeeded")

    # Both sides change the first track differently: a conflict.
    live.plex.rate(live.key(FIRST), 10)
    write_rating(live.music / FIRST, Rating(2), preset("musicbee"), options=WriteOptions())
    page.goto(page.url.split("/jobs/")[0] + "/links/1")
    page.click("main form button:has-text('Run')")
    wait_for_job_end(page)
    page.click("nav >> text=Conflicts")
    row = page.locator("tr.conflict-row").first
    expect(row).to_contain_text("5★")
    expect(row).to_contain_text("1★")
    shot("conflict-inbox")
    url_before = page.url
    row.locator("button:has-text('Keep B')").click()
    expect(page.locator("tr.conflict-row").first).to_contain_text("kept B")
    expect(page.locator("#conflicts-count")).to_have_text("0 open")  # swapped out of band
    assert page.url == url_before  # the row swapped in place
    assert live.plex.get_track(live.key(FIRST)).user_rating == 2
    shot("conflict-resolved")

    # Undo the last run that wrote: the second file is unrated again; the first one changed
    # since, so it keeps the resolved value.
    page.goto(live.url + "/links/1")
    questions: list[str] = []

    def confirm(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    page.click("text=Undo last run")
    wait_for_job_end(page)
    expect(page.locator("#job-progress h1")).to_contain_text("Undo of a ratings sync")
    expect(page.locator("#job-progress")).not_to_contain_text("Run again")
    assert live.file_stars(SECOND) is None
    assert live.file_stars(FIRST) == 1.0
    assert questions and questions[0].startswith("Undo run ")  # asked first, saying what
    shot("undone")

    page.click("nav >> text=Overview")
    expect(page.locator("main")).to_contain_text("Living room Plex ⇄ NAS music")
    shot("overview-after")
    assert csp_violations(page) == []

    visit_every_page(page, live.url)
    shot("account")
    assert csp_violations(page) == []


EVERY_PAGE = (
    "/",
    "/libraries",
    "/libraries/1",
    "/libraries/2",
    "/links",
    "/links/1",
    "/jobs",
    "/jobs/1",
    "/conflicts",
    "/conflicts?status=resolved",
    "/matches",
    "/playlists",
    "/insights",
    "/homeassistant",
    "/webhooks",
    "/tokens",
    "/account",
)


def visit_every_page(page: Page, url: str) -> None:
    """Every page of the dashboard, the API docs (its own, laxer style policy) and the
    interactive bits that used to be inline: the "tick every conflict" box, a confirm dialog."""
    for path in EVERY_PAGE:
        response = page.goto(url + path)
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("networkidle")
    page.goto(url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Crossfade")
    page.goto(url + "/links/1")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form.danger-zone button[type=submit]")
    expect(page.locator("main h1")).to_be_visible()
    assert page.url.endswith("/links/1")  # dismissed: nothing was deleted
    page.goto(url + "/account")
    expect(page.locator("main h1")).to_have_text("Account")
