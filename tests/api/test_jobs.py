from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

Waiter = Callable[..., None]
PROBLEM = "application/problem+json"


def start(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/jobs", json={"kind": "selftest", **body})
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
    result: dict[str, Any] = response.json()
    return result


def finished(client: TestClient, job_id: int, wait: Waiter) -> dict[str, Any]:
    def done() -> bool:
        return client.get(f"/api/v1/jobs/{job_id}").json()["status"] not in ("queued", "running")

    wait(done, what=f"job {job_id} to end")
    result: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
    return result


def test_start_and_follow_a_selftest(app_client: TestClient, wait: Waiter) -> None:
    job = start(app_client, params={"steps": 10, "step_s": 0.01}, dry_run=True)
    assert job["status"] in ("queued", "running")
    assert job["trigger"] == "api"
    assert job["dry_run"] is True
    assert "secret" not in job
    end = finished(app_client, job["id"], wait)
    assert end["status"] == "succeeded"
    assert (end["done"], end["total"], end["percent"]) == (10, 10, 100.0)
    assert end["counters"] == {"steps": 10, "checkpoints": 2}
    events = app_client.get(f"/api/v1/jobs/{job['id']}/events").json()
    assert events["total"] == 12
    assert events["items"][0]["detail"] == "dry run: nothing changed"


def test_events_paginate_and_filter(app_client: TestClient, wait: Waiter) -> None:
    job_id = start(app_client, params={"steps": 15, "step_s": 0})["id"]
    finished(app_client, job_id, wait)
    url = f"/api/v1/jobs/{job_id}/events"
    page = app_client.get(url, params={"limit": 5, "offset": 5}).json()
    assert [e["seq"] for e in page["items"]] == [6, 7, 8, 9, 10]
    assert (page["total"], page["limit"], page["offset"]) == (18, 5, 5)
    warnings = app_client.get(url, params={"level": "warning"}).json()
    assert warnings["total"] == 3
    assert {e["action"] for e in warnings["items"]} == {"checkpoint"}
    steps = app_client.get(url, params={"action": "step", "limit": 100}).json()
    assert steps["total"] == 15
    both = app_client.get(url, params=[("level", "warning"), ("level", "info")]).json()
    assert both["total"] == 18
    none = app_client.get(url, params={"action": "checkpoint", "level": "error"}).json()
    assert none["total"] == 0


def test_jobs_list_paginates_and_filters(app_client: TestClient, wait: Waiter) -> None:
    ids = []
    for _ in range(3):
        job_id = start(app_client, params={"steps": 1, "step_s": 0})["id"]
        finished(app_client, job_id, wait)
        ids.append(job_id)
    page = app_client.get("/api/v1/jobs", params={"limit": 2}).json()
    assert [j["id"] for j in page["items"]] == [ids[2], ids[1]]
    assert page["total"] == 3
    rest = app_client.get("/api/v1/jobs", params={"limit": 2, "offset": 2}).json()
    assert [j["id"] for j in rest["items"]] == [ids[0]]
    assert app_client.get("/api/v1/jobs", params={"status": "failed"}).json()["total"] == 0
    assert app_client.get("/api/v1/jobs", params={"kind": "selftest"}).json()["total"] == 3


def test_second_run_is_409_naming_the_running_job(app_client: TestClient, wait: Waiter) -> None:
    first = start(app_client, params={"steps": 500, "step_s": 0.02})
    response = app_client.post("/api/v1/jobs", json={"kind": "selftest"})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["job_id"] == first["id"]
    assert body["code"] == "already_running"
    assert body["title"] == "Conflict"
    assert str(first["id"]) in body["detail"]
    cancel = app_client.post(f"/api/v1/jobs/{first['id']}/cancel")
    assert cancel.status_code == 202
    end = finished(app_client, first["id"], wait)
    assert end["status"] == "cancelled"
    assert end["done"] < 500
    again = app_client.post(f"/api/v1/jobs/{first['id']}/cancel")
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM


def test_rerun(app_client: TestClient, wait: Waiter) -> None:
    job = start(app_client, params={"steps": 2, "step_s": 0})
    finished(app_client, job["id"], wait)
    response = app_client.post(f"/api/v1/jobs/{job['id']}/rerun")
    assert response.status_code == 202
    assert response.json()["id"] != job["id"]
    assert response.json()["params"] == job["params"]
    finished(app_client, response.json()["id"], wait)


@pytest.mark.parametrize(
    "path", ["/api/v1/jobs/9999", "/api/v1/jobs/9999/events", "/api/v1/nothing-here"]
)
def test_404_is_problem_json(app_client: TestClient, path: str) -> None:
    response = app_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["title"]) == (404, "Not Found")
    assert body["instance"] == path


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"kind": "nope"}, "unknown job kind"),
        ({"kind": "selftest", "params": {"steps": -1}}, "steps"),
        ({"kind": "selftest", "surprise": 1}, "surprise"),
        ({"params": {}}, "kind"),
        ([1, 2], "body"),
    ],
)
def test_422_is_problem_json(app_client: TestClient, body: object, fragment: str) -> None:
    response = app_client.post("/api/v1/jobs", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"status": "sleeping"}]
)
def test_bad_query_is_422(app_client: TestClient, query: dict[str, object]) -> None:
    response = app_client.get("/api/v1/jobs", params=query)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["errors"]


def test_malformed_json_is_422(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/jobs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_openapi_lists_the_endpoints(app_client: TestClient) -> None:
    paths = app_client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/health",
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/events",
        "/api/v1/jobs/{job_id}/cancel",
    } <= set(paths)
    docs = app_client.get("/docs")
    assert docs.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text
