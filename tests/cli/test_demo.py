"""``crossfade demo`` in a subprocess: it prints the URL and the login, serves the app with the
sample libraries and links configured, its Plex emulator's webhook starts a sync, it stops on
SIGTERM; a second start (in-process here) picks up where the first left off."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.adapters.db import migrate
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.tags import read_file
from app.bootstrap import Container, build_container
from app.cli.demo import (
    FILE_RATINGS,
    DemoPaths,
    configure,
    ensure_admin,
    rate_in_plex,
    start_emulator,
    write_sample_movies,
    write_sample_music,
)
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.settings import Settings
from tests.auth_support import sign_in
from tests.conftest import Waiter

PYTHON_CLI = (sys.executable, "-c", "from app.cli.main import main; main()")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Demo:
    """``crossfade demo`` running in a subprocess; its output collected line by line."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("CROSSFADE_")
        }
        self.data_dir = data_dir
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def start(self, wait: Waiter) -> None:
        self.lines.clear()
        self.process = subprocess.Popen(
            [*PYTHON_CLI, "demo", *self.options()],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self.reader.start()
        wait(self.healthy, timeout_s=90, what="the demo to answer")

    def options(self) -> list[str]:
        return [
            *("--data-dir", str(self.data_dir)),
            *("--port", str(self.port)),
            *("--webhook-delay", "0.5"),
        ]

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def printed(self, pattern: str) -> str:
        match = re.search(pattern, self.output())
        assert match is not None, f"{pattern!r} not in the demo's output:\n{self.output()}"
        return match.group(1)

    def healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"the demo exited with {self.process.returncode}:\n{self.output()}")
        try:
            return httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return code


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path / "data")
    try:
        yield running
    finally:
        if running.process is not None:
            running.stop(signal.SIGKILL)


@contextmanager
def signed_in(demo: Demo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo.base, timeout=10) as client:
        sign_in(client, password=demo.printed(r"password:\s+(\S+)"))
        yield client


def wait_for_jobs(client: httpx.Client, wait: Waiter, count: int) -> list[dict[str, object]]:
    def settled() -> bool:
        jobs = client.get("/api/v1/jobs").json()["items"]
        return len(jobs) >= count and all(j["status"] not in ("queued", "running") for j in jobs)

    wait(settled, timeout_s=60, what=f"{count} finished jobs")
    items: list[dict[str, object]] = client.get("/api/v1/jobs").json()["items"]
    return items


@pytest.mark.slow
def test_the_demo_is_ready_to_explore(demo: Demo, wait: Waiter) -> None:
    demo.start(wait)
    assert demo.printed(r"Crossfade demo: open (\S+)") == f"{demo.base}/"
    assert demo.printed(r"sign in as:\s+(\S+)") == "admin"
    assert len(demo.printed(r"password:\s+(\S+)")) >= 20
    plex_url = demo.printed(r"Plex emulator: (\S+)")

    with signed_in(demo) as client:
        libraries = {item["name"]: item for item in client.get("/api/v1/libraries").json()["items"]}
        assert {name: item["kind"] for name, item in libraries.items()} == {
            "Demo Plex (emulated)": "plex_music",
            "Demo music files": "music_folder",
            "Demo movies (Plex layout)": "movie_folder",
            "Demo movies (Jellyfin layout)": "movie_folder",
        }
        plex = libraries["Demo Plex (emulated)"]
        assert plex["config"]["base_url"] == plex_url and plex["has_token"]
        music_root = libraries["Demo music files"]["config"]["root"]
        assert [m["local_prefix"] for m in plex["path_mappings"]] == [music_root]
        movies = Path(libraries["Demo movies (Plex layout)"]["config"]["root"])
        assert (movies / "Heat (1995) {imdb-tt0113277}").is_dir()
        assert len(list(Path(music_root).rglob("*.*"))) >= 8

        links = client.get("/api/v1/links").json()["items"]
        ratings = next(link for link in links if link["kind"] == "ratings")
        assert ratings["schedule"] == "0 3 * * *" and ratings["policy"] == "ask"
        kinds = {link["kind"] for link in links}
        assert kinds == {"ratings", "playlists", "mirror"} or (
            kinds == {"ratings", "playlists"} and "no mirror link" in demo.output()
        )
        # the media directly in the data directory, a sample playlist beside the music
        assert Path(music_root) == demo.data_dir.resolve() / "music"
        playlists = libraries["Demo music files"]["config"]["playlist_dir"]
        assert (Path(playlists) / "Demo favourites.m3u").read_text().startswith("#EXTM3U")
        [webhook] = client.get("/api/v1/webhooks").json()["items"]
        assert webhook["source"] == "plex" and webhook["link_ids"] == [ratings["id"]]

        # a rating in the emulator reaches the demo through its webhook: a sync runs
        token = (demo.data_dir / "plex-token").read_text().strip()
        rated = httpx.put(
            f"{plex_url}/:/rate",
            params={"key": "1001", "identifier": "com.plexapp.plugins.library", "rating": "2"},
            headers={"X-Plex-Token": token},
        )
        assert rated.status_code == 200
        jobs = wait_for_jobs(client, wait, 1)
        first = jobs[-1]
        assert (first["kind"], first["trigger"], first["status"]) == (
            "ratings_sync",
            "webhook",
            "succeeded",
        )
        counters = first["counters"]
        assert isinstance(counters, dict)
        assert counters["written_a"] >= 1 and counters["written_b"] >= 1
        assert counters["conflicts"] == 1
    assert demo.stop() == 0
    assert demo.lines[-1] == "stopped"


def repository(container: Container) -> LibraryRepository:
    return container.domains.libraries.repository


def test_a_second_start_picks_up_where_the_first_left_off(
    tmp_path: Path, settings: Settings
) -> None:
    paths = DemoPaths(tmp_path / "demo")
    paths.root.mkdir()
    assert write_sample_music(paths) and write_sample_movies(paths)
    assert not write_sample_music(paths) and not write_sample_movies(paths)
    policy = ReadPolicy.for_profile(preset("musicbee"))
    rated = {
        relative: read_file(paths.music / relative).resolve(policy).rating
        for relative in FILE_RATINGS
    }
    assert {k: v.half_stars if v else None for k, v in rated.items()} == FILE_RATINGS

    runs = []
    for _ in range(2):
        emulator, first_run = start_emulator(paths, port=0)
        try:
            if first_run:
                rate_in_plex(emulator)
            container = build_container(settings)
            try:
                migrate.upgrade(container.engine)
                runs.append(
                    (
                        configure(container, paths, emulator),
                        ensure_admin(container, paths, settings),
                        [
                            (lib.name, lib.config)
                            for lib in container.domains.libraries.repository.libraries()
                        ],
                        emulator.url,
                    )
                )
            finally:
                container.close()
        finally:
            emulator.stop()
    (first, first_password, first_libraries, _), (second, second_password, libraries, url) = runs
    assert first.ratings_link == second.ratings_link and first.mirror_link == second.mirror_link
    assert first.playlists_link is not None and first.playlists_link == second.playlists_link
    assert first.webhook_secret != second.webhook_secret  # shown once: a fresh one each start
    assert first_password is not None and first_password == second_password
    assert [name for name, _ in libraries] == [name for name, _ in first_libraries]
    plex_config = dict(libraries)["Demo Plex (emulated)"]
    assert plex_config["base_url"] == url  # the emulator's new port
