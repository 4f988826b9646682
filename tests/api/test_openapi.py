"""The OpenAPI document says what the server does: readable stable ids, 401/403 on protected
operations, problem+json errors with the real schemas. (``test_fuzz`` checks the live
responses against it.)"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.openapi import operation_id, route_name
from app.main import create_app
from app.settings import load_settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.mark.parametrize(
    ("path", "name", "expected"),
    [
        ("/api/v1/jobs", "list_jobs", "jobs-list"),
        ("/api/v1/links/{link_id}/run", "run_link", "links-run"),
        ("/api/v1/libraries/{library_id}", "get_library", "libraries-get"),
        ("/api/v1/matches/{match_id}", "decide_match", "matches-decide"),
        ("/api/v1/hooks/plex/{secret}", "plex_hook", "hooks-plex"),
        ("/api/v1/health", "health", "health-get"),
        ("/api/v1/webhooks/{endpoint_id}/rotate", "rotate_secret", "webhooks-rotate-secret"),
    ],
)
def test_operation_ids(path: str, name: str, expected: str) -> None:
    assert operation_id(path, name) == expected


@pytest.mark.parametrize(
    ("generated", "expected"),
    [("list_jobs_api_v1_jobs_get", "list_jobs"), ("chosen-by-the-route", None)],
)
def test_route_name_inside_a_generated_id(generated: str, expected: str | None) -> None:
    assert route_name("/api/v1/jobs", "get", generated) == expected


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document the app serves (built without starting the app: no I/O needed)."""
    data_dir = tmp_path_factory.mktemp("openapi") / "data"
    application = create_app(load_settings(data_dir=data_dir, secret_key="openapi-test-key"))
    found: dict[str, Any] = application.openapi()
    return found


def test_the_served_document_is_the_corrected_one(
    app_client: TestClient, document: dict[str, Any]
) -> None:
    served = app_client.get("/api/v1/openapi.json").json()
    assert served["paths"] == document["paths"]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_ids_are_readable_and_unique(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", op_id) for op_id in ids), ids
    assert {"jobs-list", "jobs-start", "links-run", "conflicts-resolve"} <= set(ids)


def test_protected_operations_document_401_and_403(document: dict[str, Any]) -> None:
    protected = [(m, p, op) for m, p, op in operations(document) if op.get("security")]
    assert len(protected) > 30
    for method, path, operation in protected:
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_errors_are_problem_json_with_the_real_schemas(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "errors" in schemas["ValidationProblem"]["required"]
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            wanted = "ValidationProblem" if status == "422" else "Problem"
            assert content["application/problem+json"]["schema"] == {
                "$ref": f"#/components/schemas/{wanted}"
            }


def test_start_job_documents_an_unknown_link(document: dict[str, Any]) -> None:
    assert "404" in document["paths"]["/api/v1/jobs"]["post"]["responses"]


def test_operations_that_start_jobs_document_an_unreachable_queue(
    document: dict[str, Any],
) -> None:
    starting = [op for _, _, op in operations(document) if "202" in op["responses"]]
    assert len(starting) >= 4
    assert all("503" in op["responses"] for op in starting)


def test_every_422_names_its_errors(app_client: TestClient) -> None:
    invalid_query = app_client.get("/api/v1/jobs?limit=0")
    refused_by_a_service = app_client.post("/api/v1/jobs", json={"kind": "no-such-kind"})
    for response in (invalid_query, refused_by_a_service):
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"], response.text


def test_api_times_are_iso_8601_with_an_offset(app_client: TestClient) -> None:
    started = app_client.post("/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 1}})
    assert started.status_code == 202
    job = started.json()
    for field in ("created_at", "updated_at"):
        assert datetime.fromisoformat(job[field]).utcoffset() is not None, job[field]
