"""``POST /api/v1/jobs/{id}/undo``: undo, then redo (the undo of an undo job); what cannot be
undone is a problem document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.adapters.plex import PlexServerClient
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.api.test_ratings_api import FIRST, file_stars, first_key, make_link, wait_for_job
from tests.emulator.support import running_emulator, write_library


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


def test_undo_then_redo_then_a_run_keeps_it(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    link_id = make_link(app_client, emulator, plex, music)
    plex.rate(first_key(plex, music), 8)
    run = wait_for_job(
        app_client, app_client.post("/api/v1/jobs", json={"link": link_id}).json()["id"]
    )
    assert file_stars(music / FIRST) == 4.0

    undo = app_client.post(f"/api/v1/jobs/{run['id']}/undo")
    assert undo.status_code == 202, undo.text
    undone = wait_for_job(app_client, undo.json()["id"])
    assert (undone["kind"], undone["status"]) == ("ratings_undo", "succeeded")
    assert file_stars(music / FIRST) is None
    sticks = app_client.get(f"/api/v1/jobs/{undone['id']}/events", params={"action": "undo_sticks"})
    assert "left as is until a side changes" in sticks.json()["items"][0]["detail"]

    again = wait_for_job(
        app_client, app_client.post("/api/v1/jobs", json={"link": link_id}).json()["id"]
    )
    assert not again["counters"].get("written_b") and file_stars(music / FIRST) is None

    redo = app_client.post(f"/api/v1/jobs/{undone['id']}/undo")
    assert redo.status_code == 202, redo.text
    assert wait_for_job(app_client, redo.json()["id"])["status"] == "succeeded"
    assert file_stars(music / FIRST) == 4.0


def test_a_dry_run_cannot_be_undone(
    app_client: TestClient, emulator: EmulatorServer, plex: PlexServerClient, music: Path
) -> None:
    link_id = make_link(app_client, emulator, plex, music)
    preview = app_client.post(f"/api/v1/links/{link_id}/run", json={"dry_run": True})
    job = wait_for_job(app_client, preview.json()["id"])

    refused = app_client.post(f"/api/v1/jobs/{job['id']}/undo")

    assert refused.status_code == 422
    assert "dry run" in refused.json()["detail"]
