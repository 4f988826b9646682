"""``GET /api/v1/status`` for Home Assistant: idle, running with progress, failed, counts."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.domain.ratings.records import NewTrackLink
from tests.auth_support import bearer

Waiter = Callable[..., None]

SCALARS = {
    "state",
    "version",
    "progress",
    "phase",
    "last_run_status",
    "last_run_problems",
    "last_run_at",
    "pending_conflicts",
    "matches_to_review",
    "jobs_running",
    "jobs_queued",
    "jobs_failed",
    "libraries",
    "links",
}


def status(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_idle_installation(app_client: TestClient) -> None:
    body = status(app_client)
    assert body["state"] == "idle"
    assert body["current_job"] is None
    assert body["last_run"] is None
    assert body["progress"] is None
    assert body["pending_conflicts"] == 0
    assert (body["libraries"], body["links"]) == (0, 0)
    for name in SCALARS:
        assert not isinstance(body[name], dict | list), name
    assert set(body) == SCALARS | {"current_job", "last_run"}


def test_running_then_succeeded(app_client: TestClient, wait: Waiter) -> None:
    job = app_client.post(
        "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 400, "step_s": 0.01}}
    ).json()
    wait(lambda: (status(app_client)["progress"] or 0) > 0, what="progress above 0")
    running = status(app_client)
    assert running["state"] == "running"
    assert running["jobs_running"] == 1
    assert running["current_job"]["id"] == job["id"]
    assert running["current_job"]["kind"] == "selftest"
    assert running["phase"] == "stepping"
    assert 0 < running["progress"] <= 100
    wait(lambda: status(app_client)["state"] == "idle", what="the job to end")
    done = status(app_client)
    assert done["last_run_status"] == "succeeded"
    assert done["last_run"]["id"] == job["id"]
    assert done["last_run"]["errors"] == 0
    assert done["last_run"]["duration_s"] >= 0
    assert done["last_run_at"] == done["last_run"]["finished_at"]


def test_a_run_with_problems_is_told_from_a_clean_one(app_client: TestClient, wait: Waiter) -> None:
    # The self-test warns at every fifth step: 4 steps are clean, 10 have 2 problems.
    for steps, problems in ((4, 0), (10, 2)):
        job = app_client.post(
            "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": steps, "step_s": 0}}
        ).json()
        wait(lambda: status(app_client)["state"] == "idle", what="the job to end")
        body = status(app_client)
        assert body["last_run"]["id"] == job["id"]
        assert body["last_run_status"] == "succeeded"
        assert body["last_run_problems"] == body["last_run"]["problems"] == problems
        assert app_client.get(f"/api/v1/jobs/{job['id']}").json()["problems"] == problems


def test_a_failed_last_run_is_failed_until_a_later_one_succeeds(
    app_client: TestClient, wait: Waiter
) -> None:
    failing = {"kind": "selftest", "params": {"steps": 3, "step_s": 0, "fail_at": 2}}
    app_client.post("/api/v1/jobs", json=failing)
    wait(lambda: status(app_client)["state"] == "failed", what="the job to fail")
    body = status(app_client)
    assert body["jobs_failed"] == 1
    assert body["last_run"]["status"] == "failed"
    assert body["last_run"]["error"]
    app_client.post("/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 1, "step_s": 0}})
    wait(lambda: status(app_client)["state"] == "idle", what="the next job to succeed")
    assert status(app_client)["jobs_failed"] == 1


def test_counts_libraries_links_conflicts_and_matches(
    app_client: TestClient, tmp_path: Any
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        created = app_client.post(
            "/api/v1/libraries",
            json={"kind": "music_folder", "name": name, "config": {"root": str(tmp_path / name)}},
        )
        assert created.status_code == 201, created.text
    ids = [item["id"] for item in app_client.get("/api/v1/libraries").json()["items"]]
    link = app_client.post(
        "/api/v1/links",
        json={"kind": "ratings", "library_a_id": ids[0], "library_b_id": ids[1], "policy": "ask"},
    )
    assert link.status_code == 201, link.text
    link_id = link.json()["id"]
    sync = app_client.app.state.container.domains.sync_repository
    pairs = [
        NewTrackLink(a_key=f"a{n}", b_key=f"b{n}", method="fuzzy", score=0.8, status=state)
        for n, state in enumerate(["auto", "review", "review"])
    ]
    first, *_ = sync.add_track_links(link_id, pairs)
    sync.record_conflict(
        link_id=link_id,
        track_link_id=first,
        job_id=None,
        value_a=100,
        value_b=20,
        baseline_known=False,
        baseline_rating=None,
        evidence={},
    )
    body = status(app_client)
    assert (body["libraries"], body["links"]) == (2, 1)
    assert body["pending_conflicts"] == 1
    assert body["matches_to_review"] == 2


def test_a_read_token_is_enough(app_client: TestClient) -> None:
    token = app_client.post("/api/v1/tokens", json={"name": "ha", "scopes": ["read"]}).json()
    response = TestClient(app_client.app).get("/api/v1/status", headers=bearer(token["token"]))
    assert response.status_code == 200
    assert response.json()["state"] == "idle"
