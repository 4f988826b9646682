"""API authentication end to end: setup state, bearer tokens and scopes, sessions and CSRF."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.bootstrap import build_container
from app.domain.errors import SetupError
from app.main import create_app
from app.settings import Settings
from tests.auth_support import ADMIN_PASSWORD, CSRF_HEADER, bearer, sign_in
from tests.conftest import FAST_TIMING

SELFTEST = {"kind": "selftest", "params": {"steps": 1, "step_s": 0}}
FOLDER_LIBRARY = {"kind": "music_folder", "name": "Music", "config": {"root": "/srv/music"}}


def make_token(client: TestClient, scope: str, name: str | None = None) -> str:
    response = client.post("/api/v1/tokens", json={"name": name or scope, "scopes": [scope]})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def outsider(client: TestClient) -> TestClient:
    """Another client on the same running app: no cookie, no CSRF header."""
    return TestClient(client.app)


def test_before_setup_the_api_says_setup_is_needed(anonymous_client: TestClient) -> None:
    response = anonymous_client.get("/api/v1/jobs")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "setup_required"
    assert "/setup" in body["detail"]
    assert anonymous_client.get("/api/v1/health").status_code == 200


def test_after_setup_the_api_asks_for_credentials(app_client: TestClient) -> None:
    response = outsider(app_client).get("/api/v1/jobs")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert "Bearer" in response.json()["detail"]
    assert app_client.get("/api/v1/jobs").status_code == 200


CALLS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("GET", "/api/v1/jobs", None, "read"),
    ("GET", "/api/v1/status", None, "read"),
    ("GET", "/api/v1/libraries", None, "read"),
    ("POST", "/api/v1/jobs", SELFTEST, "trigger"),
    ("POST", "/api/v1/libraries", FOLDER_LIBRARY, "admin"),
    ("GET", "/api/v1/tokens", None, "admin"),
    ("POST", "/api/v1/tokens", {"name": "x", "scopes": ["read"]}, "admin"),
]
RANK = {"read": 0, "trigger": 1, "admin": 2}


@pytest.mark.parametrize("scope", ["read", "trigger", "admin"])
def test_each_scope_allows_what_it_should(app_client: TestClient, scope: str) -> None:
    token = make_token(app_client, scope)
    client = outsider(app_client)
    for method, path, body, needed in CALLS:
        response = client.request(method, path, json=body, headers=bearer(token))
        if RANK[scope] >= RANK[needed]:
            assert response.status_code < 400, (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path, response.text)
            problem = response.json()
            assert problem["code"] == "forbidden"
            assert f"needs {needed}" in problem["detail"]


def test_trigger_can_cancel_but_not_delete(app_client: TestClient) -> None:
    token = make_token(app_client, "trigger")
    client = outsider(app_client)
    job = client.post(
        "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 500}}, headers=bearer(token)
    )
    assert job.status_code == 202
    job_id = job.json()["id"]
    cancel = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(token))
    assert cancel.status_code == 202
    library = app_client.post("/api/v1/libraries", json=FOLDER_LIBRARY).json()
    refused = client.delete(f"/api/v1/libraries/{library['id']}", headers=bearer(token))
    assert refused.status_code == 403


def test_revoked_and_unknown_tokens_are_refused(app_client: TestClient) -> None:
    token = make_token(app_client, "admin")
    client = outsider(app_client)
    assert client.get("/api/v1/jobs", headers=bearer(token)).status_code == 200
    listed = app_client.get("/api/v1/tokens").json()["items"]
    token_id = next(item["id"] for item in listed if token.startswith(item["prefix"]))
    assert app_client.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    revoked = client.get("/api/v1/jobs", headers=bearer(token))
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]
    for header in (bearer("cf_" + "A" * 43), bearer("nonsense"), {"Authorization": "Bearer"}):
        refused = client.get("/api/v1/jobs", headers=header)
        assert refused.status_code == 401, header


def test_a_bad_token_is_not_rescued_by_a_session(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/jobs", headers=bearer("cf_" + "B" * 43))
    assert response.status_code == 401


def test_bearer_requests_need_no_csrf(app_client: TestClient) -> None:
    token = make_token(app_client, "trigger")
    response = outsider(app_client).post("/api/v1/jobs", json=SELFTEST, headers=bearer(token))
    assert response.status_code == 202


def test_session_requests_that_change_state_need_the_csrf_token(app_client: TestClient) -> None:
    csrf = app_client.headers.pop(CSRF_HEADER)
    missing = app_client.post("/api/v1/jobs", json=SELFTEST)
    assert missing.status_code == 403
    assert missing.json()["code"] == "csrf_failed"
    wrong = app_client.post("/api/v1/jobs", json=SELFTEST, headers={CSRF_HEADER: csrf + "x"})
    assert wrong.status_code == 403
    assert app_client.delete("/api/v1/tokens/1").status_code == 403
    assert app_client.get("/api/v1/jobs").status_code == 200
    right = app_client.post("/api/v1/jobs", json=SELFTEST, headers={CSRF_HEADER: csrf})
    assert right.status_code == 202


def test_the_csrf_token_of_another_session_does_not_work(app_client: TestClient) -> None:
    other = outsider(app_client)
    other_csrf = sign_in(other)
    assert other_csrf != app_client.headers[CSRF_HEADER]
    response = app_client.post("/api/v1/jobs", json=SELFTEST, headers={CSRF_HEADER: other_csrf})
    assert response.status_code == 403


def test_openapi_and_docs_need_credentials(app_client: TestClient) -> None:
    client = outsider(app_client)
    assert client.get("/api/v1/openapi.json").status_code == 401
    docs = client.get("/docs", follow_redirects=False)
    assert docs.status_code == 303
    assert docs.headers["location"] == "/login?next=%2Fdocs"
    schema = app_client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["token"]["description"],
    }
    assert {"token": []} in schema["paths"]["/api/v1/jobs"]["get"]["security"]
    assert "security" not in schema["paths"]["/api/v1/health"]["get"]
    token = make_token(app_client, "read")
    assert client.get("/api/v1/openapi.json", headers=bearer(token)).status_code == 200
    assert app_client.get("/docs").status_code == 200


def headless_app(settings: Settings, password: str) -> TestClient:
    configured = settings.model_copy(update={"admin_password": SecretStr(password)})
    return TestClient(
        create_app(configured, container_factory=lambda s: build_container(s, timing=FAST_TIMING))
    )


@pytest.fixture
def headless_client(settings: Settings) -> Iterator[TestClient]:
    with headless_app(settings, ADMIN_PASSWORD) as client:
        yield client


def test_headless_setup_from_the_environment(headless_client: TestClient) -> None:
    response = headless_client.get("/api/v1/jobs")
    assert response.json()["code"] == "unauthorized"
    assert headless_client.get("/setup", follow_redirects=False).headers["location"] == "/login"
    sign_in(headless_client)
    assert headless_client.get("/api/v1/jobs").status_code == 200


def test_a_weak_environment_password_stops_the_start(settings: Settings) -> None:
    with (
        pytest.raises(SetupError, match="CROSSFADE_ADMIN_PASSWORD"),
        headless_app(settings, "short"),
    ):
        pass


def test_secrets_never_appear_in_responses_or_logs(
    app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = app_client.post("/api/v1/tokens", json={"name": "ha", "scopes": ["trigger"]})
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    token = created.json()["token"]
    assert created.headers["location"] == f"/api/v1/tokens/{created.json()['id']}"
    client = outsider(app_client)
    client.get("/api/v1/status", headers=bearer(token))
    client.post("/api/v1/jobs", json=SELFTEST, headers=bearer(token))
    seen = [
        app_client.get("/api/v1/tokens").text,
        app_client.get(f"/api/v1/tokens/{created.json()['id']}").text,
        app_client.get("/tokens").text,
        app_client.get("/api/v1/status").text,
    ]
    for text in seen:
        assert token not in text
        assert token[11:] not in text
    assert created.json()["prefix"] in seen[0]
    assert token not in caplog.text
    assert ADMIN_PASSWORD not in caplog.text
