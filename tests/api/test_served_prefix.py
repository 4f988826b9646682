"""The app under a prefix (``CROSSFADE_ROOT_PATH``) and behind trusted proxies: the whole app
through TestClient, whose base URL carries the prefix the way a proxy passes it on."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.api.served_prefix import cookie_with_prefix, normalized_prefix, prefixed
from app.bootstrap import build_container
from app.main import create_app
from app.settings import Settings
from tests.auth_support import ADMIN_PASSWORD, form_csrf, set_up_admin
from tests.conftest import FAST_TIMING

PREFIX = "/crossfade"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", ""),
        ("/", ""),
        ("crossfade", "/crossfade"),
        ("/crossfade/", "/crossfade"),
        (" /a/b/ ", "/a/b"),
    ],
)
def test_normalized_prefix(setting: str, expected: str) -> None:
    assert normalized_prefix(setting) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/jobs/3?notice=started", "/crossfade/jobs/3?notice=started"),
        ("/", "/crossfade/"),
        ("/crossfade/login", "/crossfade/login"),
        ("/crossfade", "/crossfade"),
        ("/crossfadex", "/crossfade/crossfadex"),
        ("https://elsewhere.example/x", "https://elsewhere.example/x"),
        ("//elsewhere.example/x", "//elsewhere.example/x"),
        ("relative", "relative"),
    ],
)
def test_prefixed(target: str, expected: str) -> None:
    assert prefixed(PREFIX, target) == expected


def test_cookie_path_moves_under_the_prefix() -> None:
    cookie = "session=abc; path=/; Max-Age=10; httponly; samesite=lax"
    assert cookie_with_prefix(PREFIX, cookie) == (
        "session=abc; Path=/crossfade/; Max-Age=10; httponly; samesite=lax"
    )


def client_for(settings: Settings, base_url: str, **overrides: object) -> TestClient:
    changed = settings.model_copy(update=overrides)
    application = create_app(
        changed, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    return TestClient(application, base_url=base_url)


@pytest.fixture
def prefixed_client(settings: Settings) -> Iterator[TestClient]:
    with client_for(settings, f"http://testserver{PREFIX}", root_path=PREFIX) as client:
        yield client


def test_pages_redirects_and_cookies_stay_under_the_prefix(prefixed_client: TestClient) -> None:
    first = prefixed_client.get("/", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == f"{PREFIX}/setup"
    set_up_admin(prefixed_client)
    cookie_paths = {cookie.path for cookie in prefixed_client.cookies.jar}
    assert cookie_paths == {f"{PREFIX}/"}
    page = prefixed_client.get("/libraries")
    assert page.status_code == 200
    links = re.findall(r'(?:href|src|action|hx-get|hx-post)="(/[^"]*)"', page.text)
    assert links, "no absolute link in the page"
    assert all(link.startswith(PREFIX + "/") for link in links), links
    created = prefixed_client.post(
        "/api/v1/libraries",
        json={"name": "Tmp", "kind": "music_folder", "root": "/tmp"},
    )
    if created.status_code == 201:
        assert created.headers["location"].startswith(f"{PREFIX}/api/v1/libraries/")
    assert prefixed_client.get("/static/crossfade.css").status_code == 200


def test_a_proxy_that_strips_the_prefix_works_too(settings: Settings) -> None:
    with client_for(settings, "http://testserver", root_path=PREFIX) as client:
        response = client.get("/", follow_redirects=False)
        assert response.headers["location"] == f"{PREFIX}/setup"
        assert client.get("/api/v1/health").status_code == 200


def test_openapi_and_docs_name_the_prefix(prefixed_client: TestClient) -> None:
    set_up_admin(prefixed_client)
    schema = prefixed_client.get("/api/v1/openapi.json").json()
    assert schema["servers"] == [{"url": PREFIX}]
    docs = prefixed_client.get("/docs").text
    assert f'data-openapi-url="{PREFIX}/api/v1/openapi.json"' in docs
    assert f'src="{PREFIX}/static/swagger-init.js"' in docs


def failed_login(client: TestClient, forwarded_for: str) -> int:
    csrf = form_csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "admin", "password": "wrong", "csrf_token": csrf},
        headers={"X-Forwarded-For": forwarded_for},
        follow_redirects=False,
    )
    return response.status_code


def signed_out(client: TestClient) -> None:
    set_up_admin(client)
    client.post("/logout", follow_redirects=False)
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)


def sign_in_as_https(client: TestClient, forwarded_for: str) -> str:
    """The ``Set-Cookie`` of a sign-in whose request says it came over HTTPS."""
    csrf = form_csrf(client.get("/login").text)
    signed_in = client.post(
        "/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf},
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    return signed_in.headers["set-cookie"].lower()


def test_trusted_proxy_gives_the_client_address_and_scheme(settings: Settings) -> None:
    with client_for(settings, "http://testserver", trusted_proxies="testclient") as client:
        signed_out(client)
        statuses = [failed_login(client, "203.0.113.9") for _ in range(6)]
        assert statuses[-1] == 429, statuses  # throttled: that client's sixth failure
        assert failed_login(client, "203.0.113.10") != 429  # another client behind the proxy
        client.cookies.clear()
        assert "secure" in sign_in_as_https(client, "203.0.113.11")


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(settings: Settings) -> None:
    with client_for(settings, "http://testserver") as client:
        signed_out(client)
        assert "secure" not in sign_in_as_https(client, "203.0.113.11")
        client.post("/logout", follow_redirects=False)
        client.cookies.clear()
        statuses = [failed_login(client, f"203.0.113.{n}") for n in range(6)]
        assert statuses[-1] == 429, statuses  # all counted against the peer itself
