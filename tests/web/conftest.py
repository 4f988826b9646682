"""A world for dashboard tests: real tagged files, the Plex emulator showing them under another
path (``/data/music``), and the signed-in app client that adds libraries and links through the
pages' own forms."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import Container
from app.domain.jobs import JobRecord
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library

PLEX_ROOT = "/data/music"
FIRST = "Artist/Album/01 First.flac"
SECOND = "Artist/Album/02 Café & Crema.mp3"
HTMX = {"HX-Request": "true"}


def location_id(response: object, pattern: str) -> int:
    """The id in a 303's Location matching ``pattern`` (one group)."""
    location = getattr(response, "headers", {}).get("location", "")
    match = re.search(pattern, location)
    assert match is not None, f"{pattern!r} not in {location!r}"
    return int(match.group(1))


@dataclass
class DashboardWorld:
    client: TestClient
    music: Path
    emulator: EmulatorServer
    plex: PlexServerClient

    @property
    def container(self) -> Container:
        container: Container = self.client.app.state.container
        return container

    @property
    def section_id(self) -> int:
        return next(s.section_id for s in self.plex.list_sections() if s.is_music)

    def key(self, relative: str) -> int:
        wanted = f"{PLEX_ROOT}/{relative}"
        return next(
            track.rating_key
            for track in self.plex.iter_tracks(self.section_id)
            if wanted in track.file_paths
        )

    def file_stars(self, relative: str) -> float | None:
        found = read_file(self.music / relative).resolve(ReadPolicy.for_profile(preset("musicbee")))
        return None if found.rating is None else found.rating.stars

    def rate_file(self, relative: str, half_stars: int) -> None:
        write_rating(
            self.music / relative, Rating(half_stars), preset("musicbee"), options=WriteOptions()
        )

    def add_plex(self, *, mapped: bool = True, name: str = "Plex") -> int:
        response = self.client.post(
            "/libraries",
            data={
                "kind": "plex_music",
                "name": name,
                "base_url": self.emulator.url,
                "token": self.emulator.owner_token,
                "section_ids": str(self.section_id),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        library_id = location_id(response, r"/libraries/(\d+)")
        if mapped:
            added = self.client.post(
                f"/libraries/{library_id}/mappings",
                data={"plex_prefix": PLEX_ROOT, "local_prefix": str(self.music)},
                follow_redirects=False,
            )
            assert added.status_code == 303, added.text
        return library_id

    def add_folder(self, *, name: str = "Files") -> int:
        response = self.client.post(
            "/libraries",
            data={"kind": "music_folder", "name": name, "root": str(self.music)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return location_id(response, r"/libraries/(\d+)")

    def add_link(self, library_a_id: int, library_b_id: int, **fields: str) -> int:
        data = {"library_a_id": str(library_a_id), "library_b_id": str(library_b_id), **fields}
        response = self.client.post("/links", data=data, follow_redirects=False)
        assert response.status_code == 303, response.text
        return location_id(response, r"/links/(\d+)")

    def linked(self) -> int:
        """A Plex library (mapped), a folder and an ``ask`` ratings link between them."""
        return self.add_link(self.add_plex(), self.add_folder(), policy="ask")

    def wait_job(self, job_id: int, timeout_s: float = 30.0) -> JobRecord:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = self.container.jobs.get(job_id)
            if not job.status.is_active:
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish")

    def preview(self, link_id: int) -> JobRecord:
        response = self.client.post(f"/links/{link_id}/preview", follow_redirects=False)
        assert response.status_code == 303, response.text
        return self.wait_job(location_id(response, rf"/links/{link_id}/preview/(\d+)"))

    def run(self, link_id: int) -> JobRecord:
        response = self.client.post(f"/links/{link_id}/run", follow_redirects=False)
        assert response.status_code == 303, response.text
        return self.wait_job(location_id(response, r"/jobs/(\d+)"))

    def make_conflicts(self, link_id: int) -> None:
        """First run agrees on Plex's ratings; then both sides change them differently."""
        self.plex.rate(self.key(FIRST), 8)
        self.plex.rate(self.key(SECOND), 6)
        assert self.run(link_id).status.value == "succeeded"
        self.plex.rate(self.key(FIRST), 10)
        self.plex.rate(self.key(SECOND), 3)
        self.rate_file(FIRST, 2)
        self.rate_file(SECOND, 9)
        assert self.run(link_id).counters.get("conflicts") == 2


@pytest.fixture
def music_dir(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def plex_emulator(music_dir: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music_dir), PLEX_ROOT)]) as server:
        yield server


@pytest.fixture
def world(
    app_client: TestClient, music_dir: Path, plex_emulator: EmulatorServer
) -> Iterator[DashboardWorld]:
    with PlexServerClient(plex_emulator.url, plex_emulator.owner_token) as plex:
        yield DashboardWorld(app_client, music_dir, plex_emulator, plex)
