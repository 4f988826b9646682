"""Mirror links as jobs through the API, and ``POST /api/v1/diffs``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

MOVIE = "Das Boot (1981) {imdb-tt0082096}"
VIDEO = f"{MOVIE} {{edition-Director's Cut}}.mkv"
JELLYFIN_MOVIE = "Das Boot (1981) [imdbid-tt0082096]"
JELLYFIN_VIDEO = f"{JELLYFIN_MOVIE} - Director's Cut.mkv"


def wait_for_job(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture
def movies(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "plex"
    (source / MOVIE).mkdir(parents=True)
    (source / MOVIE / VIDEO).write_bytes(b"video bytes")
    (source / MOVIE / f"{MOVIE} {{edition-Director's Cut}}.en.srt").write_text("1\n")
    target = tmp_path / "jellyfin"
    target.mkdir()
    return source, target


def make_link(client: TestClient, source: Path, target: Path, **options: object) -> int:
    ids = []
    for name, root, layout in (("Plex movies", source, "plex"), ("Jellyfin", target, "jellyfin")):
        created = client.post(
            "/api/v1/libraries",
            json={
                "kind": "movie_folder",
                "name": name,
                "config": {"root": str(root), "layout": layout},
            },
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    link = client.post(
        "/api/v1/links",
        json={"kind": "mirror", "library_a_id": ids[0], "library_b_id": ids[1], "options": options},
    )
    assert link.status_code == 201, link.text
    link_id: int = link.json()["id"]
    return link_id


def test_dry_run_then_run_hardlinks_in_jellyfin_names(
    app_client: TestClient, movies: tuple[Path, Path]
) -> None:
    source, target = movies
    link_id = make_link(app_client, source, target)

    preview = app_client.post(f"/api/v1/links/{link_id}/run", json={"dry_run": True})
    assert preview.status_code == 202, preview.text
    job = wait_for_job(app_client, preview.json()["id"])
    assert job["status"] == "succeeded", job
    assert list(target.iterdir()) == []

    run = app_client.post(f"/api/v1/links/{link_id}/run", json={})
    job = wait_for_job(app_client, run.json()["id"])
    assert job["status"] == "succeeded", job
    video = target / JELLYFIN_MOVIE / JELLYFIN_VIDEO
    assert video.stat().st_ino == (source / MOVIE / VIDEO).stat().st_ino
    assert (target / JELLYFIN_MOVIE / f"{JELLYFIN_MOVIE} - Director's Cut.en.srt").exists()
    events = app_client.get(f"/api/v1/jobs/{job['id']}/events", params={"action": "link"}).json()
    assert {Path(e["subject"]).name for e in events["items"]} >= {JELLYFIN_VIDEO}

    rerun = app_client.post(f"/api/v1/links/{link_id}/run", json={})
    again = wait_for_job(app_client, rerun.json()["id"])
    assert again["status"] == "succeeded"
    assert again["counters"].get("files_updated", 0) == 0


def test_diff_by_link_and_by_paths(app_client: TestClient, movies: tuple[Path, Path]) -> None:
    source, target = movies
    link_id = make_link(app_client, source, target)

    by_link = app_client.post("/api/v1/diffs", json={"link": link_id})
    assert by_link.status_code == 200, by_link.text
    document = by_link.json()
    assert document["operation"] == "diff"
    assert document["in_sync"] is False
    assert [m["source_folder"] for m in document["movies_only_in_source"]] == [MOVIE]

    by_paths = app_client.post(
        "/api/v1/diffs",
        json={
            "source": str(source),
            "target": str(target),
            "source_format": "plex",
            "target_format": "jellyfin",
        },
    )
    assert by_paths.status_code == 200, by_paths.text
    assert by_paths.json()["movies_only_in_source"] == document["movies_only_in_source"]


def test_diff_paths_outside_the_roots_are_refused(
    app_client: TestClient, movies: tuple[Path, Path], tmp_path: Path
) -> None:
    source, target = movies
    make_link(app_client, source, target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    response = app_client.post("/api/v1/diffs", json={"source": str(source), "target": "/etc"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    sneaky = app_client.post(
        "/api/v1/diffs", json={"source": str(source / ".." / "elsewhere"), "target": str(target)}
    )
    assert sneaky.status_code == 403


def test_diffs_never_follow_a_symlink_out_of_the_library(
    app_client: TestClient, movies: tuple[Path, Path], tmp_path: Path
) -> None:
    source, target = movies
    outside = tmp_path / "etc"
    (outside / "Passwd (1970)").mkdir(parents=True)
    (outside / "Passwd (1970)" / "Passwd (1970).mkv").write_bytes(b"secret")
    (source / "Etc (1970)").symlink_to(outside / "Passwd (1970)")
    (source / MOVIE / "passwd.mkv").symlink_to(outside / "Passwd (1970)" / "Passwd (1970).mkv")
    link_id = make_link(app_client, source, target)
    outside_reason = "symlink that leads outside the library root, not followed"
    for body in (
        {"link": link_id},
        {"source": str(source), "target": str(target), "source_format": "plex"},
    ):
        response = app_client.post("/api/v1/diffs", json=body)
        assert response.status_code == 200, response.text
        document = response.json()
        assert "Passwd" not in str(document["movies_only_in_source"])
        reasons = {i["path"]: i["reason"] for i in document["ignored"]}
        assert reasons == {
            f"{source}/Etc (1970)": outside_reason,
            f"{source}/{MOVIE}/passwd.mkv": outside_reason,
        }

    run = app_client.post(f"/api/v1/links/{link_id}/run", json={})
    job = wait_for_job(app_client, run.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["problems"] == 2
    assert not any("Passwd" in path.name or "passwd" in path.name for path in target.rglob("*"))
    events = app_client.get(f"/api/v1/jobs/{job['id']}/events", params={"action": "ignored"})
    assert {(e["subject"], e["level"], e["detail"]) for e in events.json()["items"]} == {
        (f"{source}/Etc (1970)", "warning", outside_reason),
        (f"{source}/{MOVIE}/passwd.mkv", "warning", outside_reason),
    }


def test_a_mirror_link_needs_movie_folders(app_client: TestClient, tmp_path: Path) -> None:
    music = app_client.post(
        "/api/v1/libraries",
        json={"kind": "music_folder", "name": "Music", "config": {"root": str(tmp_path)}},
    ).json()
    movies = app_client.post(
        "/api/v1/libraries",
        json={"kind": "movie_folder", "name": "Movies", "config": {"root": str(tmp_path)}},
    ).json()
    response = app_client.post(
        "/api/v1/links",
        json={"kind": "mirror", "library_a_id": music["id"], "library_b_id": movies["id"]},
    )
    assert response.status_code == 422
