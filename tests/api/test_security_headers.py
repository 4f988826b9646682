"""Security headers on every response, and templates the Content-Security-Policy allows."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from fastapi.testclient import TestClient

from app.adapters.assets import asset_dir
from app.api.security_headers import DASHBOARD_CSP, DOCS_CSP, policy_for

FIXED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def assert_secured(headers: Mapping[str, str], policy: str = DASHBOARD_CSP) -> None:
    for name, value in FIXED.items():
        assert headers.get(name) == value, name
    assert headers.get("content-security-policy") == policy


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/jobs", 200),
        ("GET", "/account", 200),
        ("GET", "/api/v1/health", 200),
        ("GET", "/api/v1/jobs", 200),
        ("GET", "/static/crossfade.css", 200),
        ("GET", "/nowhere", 404),
        ("GET", "/api/v1/jobs/999999", 404),
        ("POST", "/api/v1/hooks/plex/wrong-secret", 404),
    ],
)
def test_every_response_carries_the_headers(
    app_client: TestClient, method: str, path: str, status: int
) -> None:
    response = app_client.request(method, path)
    assert response.status_code == status
    assert_secured(response.headers)


def test_refusals_redirects_and_413_carry_them_too(app_client: TestClient) -> None:
    anonymous = TestClient(app_client.app)
    redirect = anonymous.get("/jobs", follow_redirects=False)
    assert redirect.status_code == 303
    assert_secured(redirect.headers)
    refused = anonymous.get("/api/v1/jobs")
    assert refused.status_code == 401
    assert_secured(refused.headers)
    too_large = anonymous.post("/login", content=b"x" * (2 * 1024 * 1024))
    assert too_large.status_code == 413
    assert_secured(too_large.headers)


def test_the_dashboard_policy_allows_no_inline_script_and_no_framing() -> None:
    directives = dict(part.strip().split(" ", 1) for part in DASHBOARD_CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in DASHBOARD_CSP


def test_only_the_api_docs_relax_styles_never_scripts(app_client: TestClient) -> None:
    assert policy_for("/docs") == DOCS_CSP
    assert policy_for("/docs/other") == DASHBOARD_CSP
    assert "script-src 'self';" in DOCS_CSP
    docs = app_client.get("/docs")
    assert docs.status_code == 200
    assert_secured(docs.headers, DOCS_CSP)
    assert "<script>" not in docs.text
    assert 'src="/static/swagger-init.js"' in docs.text
    assert 'data-openapi-url="/api/v1/openapi.json"' in docs.text
    assert app_client.get("/static/swagger-init.js").status_code == 200


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script element without src
    re.compile(r"\son[a-z]+\s*=", re.I),  # an event handler attribute
    re.compile(r"\sstyle\s*=", re.I),  # a style attribute
    re.compile(r"<style\b", re.I),  # a style element
    re.compile(r"hx-on", re.I),  # htmx's inline handlers (evaluated code)
    re.compile(r"javascript:", re.I),
]


def test_no_template_holds_what_the_policy_forbids() -> None:
    templates = sorted(asset_dir("templates").rglob("*.html"))
    assert len(templates) > 20
    for template in templates:
        text = template.read_text()
        for pattern in INLINE:
            assert not pattern.search(text), f"{template.name}: {pattern.pattern}"
