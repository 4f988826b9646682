"""Every page of the dashboard, filled with the demo's libraries and links after a few runs, in
a real headless Chromium at a phone's width (390 px) and a laptop's (1280 px):

- no page scrolls sideways (``document.documentElement.scrollWidth`` within the viewport; a
  wide table scrolls inside its card instead);
- axe-core (the npm package; ``scripts/test.d/40-axe.sh`` installs it and exports
  ``CROSSFADE_TEST_AXE``), injected into each page, reports no serious or critical violation;
- a full-page screenshot of each page at both widths lands in
  ``test-artifacts/browser/pages/``, so a reviewer sees the whole app without running it.

Locally the test skips when axe-core or Chromium is missing; under ``CI`` it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, sync_playwright

from app.adapters.db import migrate
from app.bootstrap import Container, build_container
from app.cli.demo import (
    DemoPaths,
    configure,
    ensure_admin,
    rate_in_plex,
    start_emulator,
    write_sample_movies,
    write_sample_music,
)
from app.domain.jobs import JobRecord, JobTrigger
from app.main import create_app
from app.settings import Settings
from tests.browser.test_dashboard_flow import CHROMIUM_ARGS, USERNAME, chromium, free_port
from tests.emulator.support import template_cache

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser" / "pages"
WIDTHS = (390, 1280)
SERIOUS = ("serious", "critical")
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(result =>
  result.violations.filter(v => ["serious", "critical"].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))})))"""


def axe_source() -> str:
    path = os.environ.get("CROSSFADE_TEST_AXE")
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8")
    if os.environ.get("CI") == "true":
        pytest.fail("CROSSFADE_TEST_AXE is not set (scripts/test.d/40-axe.sh installs axe-core)")
    pytest.skip("axe-core is not installed (set CROSSFADE_TEST_AXE, see scripts/test.d/40-axe.sh)")


@dataclass
class Demo:
    url: str
    password: str
    pages: list[str]


def wait_finished(container: Container, job: JobRecord) -> JobRecord:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = container.jobs.get(job.id)
        if not current.status.is_active:
            return current
        time.sleep(0.05)
    raise AssertionError(f"job {job.id} did not finish")


def prepare(settings: Settings, paths: DemoPaths, url: str, cache: Path) -> tuple[str, list[str]]:
    """The demo's libraries and links, with a ratings run (a conflict waits), its undo, and a
    preview of the playlists and the mirror link; the admin's password and the pages to see."""
    paths.root.mkdir(parents=True, exist_ok=True)
    write_sample_music(paths, cache_dir=cache)
    write_sample_movies(paths)
    emulator, _ = start_emulator(paths, port=0)
    try:
        rate_in_plex(emulator)
        container = build_container(settings)
        try:
            migrate.upgrade(container.engine, secret_box=container.secret_box)
            configured = configure(container, paths, emulator)
            password = ensure_admin(container, paths, settings) or ""
            tested = add_servers(container)
            container.startup()
            runs = container.link_runs
            ui = JobTrigger.UI
            ratings = wait_finished(container, runs.run(configured.ratings_link, trigger=ui))
            assert ratings.counters.get("conflicts") == 1, ratings
            undo = wait_finished(container, runs.undo(ratings.id, trigger=ui))
            pages = [f"/jobs/{ratings.id}", f"/jobs/{undo.id}"]
            assert configured.playlists_link is not None
            playlists = runs.run(configured.playlists_link, dry_run=True, trigger=ui)
            wait_finished(container, playlists)
            pages.append(f"/playlists/jobs/{playlists.id}")
            link_ids = [configured.ratings_link, configured.playlists_link]
            if configured.mirror_link is not None:
                mirror = runs.run(configured.mirror_link, dry_run=True, trigger=ui)
                wait_finished(container, mirror)
                pages.append(f"/links/{configured.mirror_link}/preview/{mirror.id}")
                link_ids.append(configured.mirror_link)
            # a library's page, once per kind (the demo has two movie folders)
            by_kind = {lib.kind: lib.id for lib in container.domains.libraries.libraries()}
            library_ids = sorted(by_kind.values())
        finally:
            container.close()
    finally:
        emulator.stop()
    pages += [f"/links/{link_id}" for link_id in link_ids]
    pages += [f"/libraries/{library_id}" for library_id in library_ids]
    pages.append(f"/libraries/{tested}/connection")  # a failed "Test connection", in words
    return password, pages


def add_servers(container: Container) -> int:
    """A Subsonic and a Jellyfin library at an address where nothing answers (their pages
    offer "Test connection"); the Jellyfin one's id."""
    catalog = container.domains.libraries
    away = f"http://127.0.0.1:{free_port()}"
    catalog.add_library(kind="subsonic", name="Navidrome", config={"base_url": away,
                        "user": "demo"}, secret="unused")  # fmt: skip
    jellyfin = catalog.add_library(
        kind="jellyfin", name="Jellyfin server", config={"base_url": away}, secret="unused"
    )
    return jellyfin.id


@pytest.fixture
def demo(
    settings: Settings, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    password, pages = prepare(
        settings, DemoPaths(tmp_path / "demo"), "", template_cache(tmp_path_factory)
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield Demo(f"http://127.0.0.1:{port}", password, pages)
    finally:
        server.should_exit = True
        thread.join(30)


PAGES = (
    "/",
    "/libraries",
    "/links",
    "/jobs",
    "/conflicts",
    "/conflicts?status=resolved",
    "/matches",
    "/playlists",
    "/playlists/conflicts",
    "/insights",
    "/homeassistant",
    "/webhooks",
    "/tokens",
    "/account",
)


def sign_in(page: Page, url: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(url + "/")


def check(page: Page, axe: str, width: int, name: str) -> list[str]:
    """What is wrong with the page shown: sideways scrolling, serious axe findings."""
    page.wait_for_load_state("load")
    page.screenshot(path=str(ARTIFACTS / f"{width}-{name}.png"), full_page=True)
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{name} at {width} px: scrollWidth {scroll_width}")
    page.evaluate(axe)
    for violation in page.evaluate(AXE_RUN):
        problems.append(f"{name} at {width} px: axe {json.dumps(violation, ensure_ascii=False)}")
    return problems


def test_every_page_fits_a_phone_and_passes_axe(demo: Demo, tmp_path: Path) -> None:
    axe = axe_source()
    executable = chromium()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    problems: list[str] = []
    seen = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(demo.url + "/login")
                problems += check(page, axe, width, "login")
                sign_in(page, demo.url, demo.password)
                for path in (*PAGES, *demo.pages):
                    response = page.goto(demo.url + path)
                    assert response is not None and response.status == 200, path
                    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "overview"
                    problems += check(page, axe, width, name)
                    seen += 1
                if width < 720:  # the navigation collapses behind its button, and opens
                    page.goto(demo.url + "/")
                    assert not page.locator("#main-nav").is_visible()
                    page.click("button.nav-button")
                    assert page.locator("#main-nav").is_visible()
                    problems += check(page, axe, width, "navigation-open")
                page.close()
        finally:
            browser.close()
    assert seen == 2 * (len(PAGES) + len(demo.pages))
    assert problems == [], "\n".join(problems)
