"""The ratings sync through the REST API: libraries, a link, dry run, run, conflict, undo."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library

FIRST = "Artist/Album/01 First.flac"


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music))]) as server:
        yield server


@pytest.fixture
def plex(emulator: EmulatorServer) -> Iterator[PlexServerClient]:
    with PlexServerClient(emulator.url, emulator.owner_token) as client:
        yield client


def wait_for_job(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def file_stars(path: Path) -> float | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.stars


def first_key(plex: PlexServerClient, music: Path) -> int:
    section = next(s for s in plex.list_sections() if s.is_music)
    return next(
        t.rating_key
        for t in plex.iter_tracks(section.section_id)
        if str(music / FIRST) in t.file_paths
    )


def make_link(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> int:
    section = next(s for s in plex.list_sections() if s.is_music)
    created = app_client.post(
        "/api/v1/libraries",
        json={
            "kind": "plex_music",
            "name": "Emulated Plex",
            "config": {"base_url": emulator.url, "section_ids": [section.section_id]},
            "token": emulator.owner_token,
        },
    )
    assert created.status_code == 201, created.text
    plex_library = created.json()
    assert plex_library["has_token"] is True
    assert emulator.owner_token not in created.text
    folder = app_client.post(
        "/api/v1/libraries",
        json={"kind": "music_folder", "name": "Files", "config": {"root": str(music)}},
    )
    assert folder.status_code == 201, folder.text
    link = app_client.post(
        "/api/v1/links",
        json={
            "kind": "ratings",
            "library_a_id": plex_library["id"],
            "library_b_id": folder.json()["id"],
            "policy": "ask",
        },
    )
    assert link.status_code == 201, link.text
    link_id: int = link.json()["id"]
    return link_id


def test_library_secrets_are_never_returned(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    make_link(app_client, emulator, plex, music)
    for path in ("/api/v1/libraries", "/api/v1/libraries/1", "/api/v1/links", "/api/v1/jobs"):
        response = app_client.get(path)
        assert response.status_code == 200
        assert emulator.owner_token not in response.text


def test_invalid_library_config_is_a_problem(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/libraries",
        json={"kind": "music_folder", "name": "Relative", "config": {"root": "music"}},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "absolute" in response.json()["detail"]


def test_dry_run_then_run_then_undo(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    link_id = make_link(app_client, emulator, plex, music)
    plex.rate(first_key(plex, music), 8)
    digest = (music / FIRST).read_bytes()

    preview = app_client.post(f"/api/v1/links/{link_id}/run", json={"dry_run": True})
    assert preview.status_code == 202, preview.text
    job = wait_for_job(app_client, preview.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["dry_run"] is True
    events = app_client.get(f"/api/v1/jobs/{job['id']}/events", params={"action": "write_b"})
    assert [e["after"] for e in events.json()["items"]] == ["4★"]
    assert (music / FIRST).read_bytes() == digest

    run = app_client.post("/api/v1/jobs", json={"link": link_id, "mode": "sync"})
    assert run.status_code == 202, run.text
    sync_job = wait_for_job(app_client, run.json()["id"])
    assert sync_job["status"] == "succeeded", sync_job
    assert sync_job["counters"]["written_b"] == 1
    assert file_stars(music / FIRST) == 4.0

    undo = app_client.post(f"/api/v1/jobs/{sync_job['id']}/undo")
    assert undo.status_code == 202, undo.text
    assert wait_for_job(app_client, undo.json()["id"])["status"] == "succeeded"
    assert file_stars(music / FIRST) is None

    assert plex.get_track(first_key(plex, music)).user_rating == 8


def test_conflict_resolved_through_the_api(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    link_id = make_link(app_client, emulator, plex, music)
    plex.rate(first_key(plex, music), 6)
    wait_for_job(app_client, app_client.post("/api/v1/jobs", json={"link": link_id}).json()["id"])
    plex.rate(first_key(plex, music), 10)
    write_rating(music / FIRST, Rating(2), preset("musicbee"), options=WriteOptions())
    wait_for_job(app_client, app_client.post("/api/v1/jobs", json={"link": link_id}).json()["id"])

    conflicts = app_client.get("/api/v1/conflicts").json()
    assert conflicts["total"] == 1
    conflict = conflicts["items"][0]
    assert (conflict["stars_a"], conflict["stars_b"], conflict["baseline_stars"]) == (5, 1, 3)

    resolved = app_client.post(
        f"/api/v1/conflicts/{conflict['id']}/resolve", json={"choice": "keep_b"}
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert file_stars(music / FIRST) == 1.0
    assert plex.get_track(first_key(plex, music)).user_rating == 2
    again = app_client.post(
        f"/api/v1/conflicts/{conflict['id']}/resolve", json={"choice": "keep_a"}
    )
    assert again.status_code == 422


def test_second_run_of_a_busy_link_is_409(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    link_id = make_link(app_client, emulator, plex, music)
    emulator.knobs.latency_s = 0.3
    first = app_client.post("/api/v1/jobs", json={"link": link_id})
    second = app_client.post("/api/v1/jobs", json={"link": link_id})
    emulator.knobs.latency_s = 0.0
    assert second.status_code == 409
    assert second.json()["job_id"] == first.json()["id"]
    wait_for_job(app_client, first.json()["id"])


def test_tag_writing_choices_and_the_file_cache_through_the_api(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    link_id = make_link(app_client, emulator, plex, music)
    folder_id = app_client.get(f"/api/v1/links/{link_id}").json()["library_b_id"]
    bad = app_client.patch(
        f"/api/v1/libraries/{folder_id}", json={"config": {"read_priority": "musicbee, bogus"}}
    )
    assert bad.status_code == 422
    assert "unknown tag 'bogus'" in bad.json()["detail"]
    changed = app_client.patch(
        f"/api/v1/libraries/{folder_id}",
        json={
            "config": {
                "write_profile": "pmrs",
                "write_mode": "replace_all",
                "popm_email": "rating@winamp.com",
                "read_priority": "WINAMP,TEXT",
            }
        },
    )
    assert changed.status_code == 200, changed.text
    config = changed.json()["config"]
    assert config["popm_email"] == "rating@winamp.com"
    assert config["read_priority"] == "popm:winamp, txxx:rating"

    bad_cache = app_client.post(f"/api/v1/links/{link_id}/run", json={"file_cache": "off"})
    assert bad_cache.status_code == 422
    run = app_client.post(f"/api/v1/links/{link_id}/run", json={"file_cache": "clear"})
    assert run.status_code == 202, run.text
    job = wait_for_job(app_client, run.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["params"]["file_cache"] == "clear"
    assert job["counters"]["files_read"] == 6
