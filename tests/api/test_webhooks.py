"""Managing webhooks over the API: the secret URL shown once, admin only, outgoing URLs masked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.auth_support import bearer
from tests.conftest import wait_until
from tests.services.hook_support import JsonReceiver


def make_token(client: TestClient, scope: str) -> str:
    response = client.post("/api/v1/tokens", json={"name": scope, "scopes": [scope]})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def test_an_endpoint_shows_its_secret_url_once(app_client: TestClient) -> None:
    created = app_client.post(
        "/api/v1/webhooks",
        json={"name": "Plex", "source": "plex", "options": {"on_library_new": True}},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["secret"]
    assert body["url"] == f"http://testserver/api/v1/hooks/plex/{secret}"
    assert body["url_template"] == "http://testserver/api/v1/hooks/plex/{secret}"
    assert created.headers["location"] == f"/api/v1/webhooks/{body['id']}"
    assert body["options"] == {"on_library_new": True} and body["link_ids"] == []

    for path in ("/api/v1/webhooks", f"/api/v1/webhooks/{body['id']}"):
        shown = app_client.get(path)
        assert shown.status_code == 200 and secret not in shown.text

    rotated = app_client.post(f"/api/v1/webhooks/{body['id']}/rotate")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != secret and rotated.json()["url"].endswith(new_secret)
    assert app_client.post(f"/api/v1/hooks/plex/{secret}").status_code == 404
    assert app_client.post(f"/api/v1/hooks/plex/{new_secret}").status_code == 422  # no payload

    changed = app_client.patch(
        f"/api/v1/webhooks/{body['id']}", json={"name": "Plex 2", "enabled": False}
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["enabled"]) == ("Plex 2", False)
    assert app_client.post(f"/api/v1/hooks/plex/{new_secret}").status_code == 404

    deliveries = app_client.get(f"/api/v1/webhooks/{body['id']}/deliveries")
    assert [d["outcome"] for d in deliveries.json()["items"]] == ["refused"]
    assert app_client.delete(f"/api/v1/webhooks/{body['id']}").status_code == 204
    assert app_client.get(f"/api/v1/webhooks/{body['id']}").status_code == 404
    assert app_client.delete(f"/api/v1/webhooks/{body['id']}").status_code == 404


def test_endpoint_problems(app_client: TestClient) -> None:
    assert app_client.post("/api/v1/webhooks", json={"name": "x", "source": "x"}).status_code == 422
    unknown_link = app_client.post(
        "/api/v1/webhooks", json={"name": "x", "source": "plex", "link_ids": [42]}
    )
    assert unknown_link.status_code == 422 and "link 42" in unknown_link.json()["detail"]
    bad_option = app_client.post(
        "/api/v1/webhooks", json={"name": "x", "source": "generic", "options": {"a": 1}}
    )
    assert bad_option.status_code == 422
    assert (
        app_client.post("/api/v1/webhooks", json={"name": "x", "source": "plex"}).status_code == 201
    )
    again = app_client.post("/api/v1/webhooks", json={"name": "x", "source": "radarr"})
    assert again.status_code == 409
    assert app_client.patch("/api/v1/webhooks/999", json={"enabled": True}).status_code == 404
    assert app_client.post("/api/v1/webhooks/999/rotate").status_code == 404
    assert app_client.get("/api/v1/webhooks/999/deliveries").status_code == 404
    huge = 2**40  # beyond any id the database holds: refused before it gets there
    assert app_client.get(f"/api/v1/webhooks/{huge}").status_code == 422
    assert app_client.get(f"/api/v1/webhooks/outgoing/{huge}").status_code == 422
    too_big = app_client.post(
        "/api/v1/webhooks", json={"name": "y", "source": "plex", "link_ids": [huge]}
    )
    assert too_big.status_code == 422


def test_managing_webhooks_is_for_admins(app_client: TestClient) -> None:
    read = make_token(app_client, "read")
    trigger = make_token(app_client, "trigger")
    admin = make_token(app_client, "admin")
    anonymous = TestClient(app_client.app)
    calls = [
        ("GET", "/api/v1/webhooks", None),
        ("POST", "/api/v1/webhooks", {"name": "n", "source": "plex"}),
        ("GET", "/api/v1/webhooks/1", None),
        ("GET", "/api/v1/webhooks/1/deliveries", None),
        ("GET", "/api/v1/webhooks/outgoing", None),
        ("GET", "/api/v1/webhooks/outgoing/1", None),
        ("POST", "/api/v1/webhooks/outgoing/1/test", None),
        ("DELETE", "/api/v1/webhooks/1", None),
    ]
    for method, path, body in calls:
        assert anonymous.request(method, path, json=body).status_code == 401, path
        for token in (read, trigger):
            response = anonymous.request(method, path, json=body, headers=bearer(token))
            assert response.status_code == 403, (method, path)
        allowed = anonymous.request(method, path, json=body, headers=bearer(admin))
        assert allowed.status_code in (200, 201, 204, 404), (method, path, allowed.text)


def test_outgoing_webhooks(app_client: TestClient) -> None:
    with JsonReceiver() as receiver:
        url = receiver.url("/api/webhook/ha-secret-id")
        created = app_client.post(
            "/api/v1/webhooks/outgoing",
            json={"name": "HA", "url": url, "events": ["job_failed", "job_finished"]},
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        assert hook["url"] == f"{receiver.base_url}/…"
        assert hook["events"] == ["job_finished", "job_failed"]
        assert "ha-secret-id" not in app_client.get("/api/v1/webhooks/outgoing").text

        tested = app_client.post(f"/api/v1/webhooks/outgoing/{hook['id']}/test")
        assert tested.json() == {"ok": True, "status": 200, "error": None}
        assert receiver.events() == ["test"]
        assert receiver.received[0].path == "/api/webhook/ha-secret-id"

        job = app_client.post("/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 1}})
        assert job.status_code == 202

        wait_until(lambda: "job_finished" in receiver.events(), what="job_finished")
        [body] = receiver.bodies("job_finished")
        assert (body["job_id"], body["kind"], body["status"]) == (
            job.json()["id"],
            "selftest",
            "succeeded",
        )

    changed = app_client.patch(
        f"/api/v1/webhooks/outgoing/{hook['id']}", json={"enabled": False, "events": ["job_failed"]}
    )
    assert changed.status_code == 200
    assert (changed.json()["enabled"], changed.json()["events"]) == (False, ["job_failed"])
    shown = app_client.get(f"/api/v1/webhooks/outgoing/{hook['id']}").json()
    assert shown["last_status"] == 200 and shown["last_error"] is None
    bad = app_client.post(
        "/api/v1/webhooks/outgoing",
        json={"name": "x", "url": "ftp://x/y", "events": ["job_failed"]},
    )
    assert bad.status_code == 422
    no_events = app_client.post(
        "/api/v1/webhooks/outgoing", json={"name": "x", "url": "http://x/y", "events": []}
    )
    assert no_events.status_code == 422
    assert app_client.delete(f"/api/v1/webhooks/outgoing/{hook['id']}").status_code == 204
    assert app_client.get(f"/api/v1/webhooks/outgoing/{hook['id']}").status_code == 404
