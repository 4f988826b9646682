"""Setup, sign in and out, CSRF on forms, the login rate limit, and the API token page."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.adapters.assets import asset_dir
from tests.auth_support import (
    ADMIN_PASSWORD,
    CSRF_HEADER,
    bearer,
    form_csrf,
    set_up_admin,
    sign_in,
)

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def outsider(client: TestClient) -> TestClient:
    return TestClient(client.app)


def session_cookie(response_headers: list[str]) -> str:
    cookies = [value for value in response_headers if value.startswith("crossfade_session=")]
    assert cookies, response_headers
    return cookies[-1]


def test_first_run_goes_to_setup_and_creates_the_admin(anonymous_client: TestClient) -> None:
    client = anonymous_client
    for path in ("/", "/jobs", "/login", "/tokens", "/docs"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/setup", path
    page = client.get("/setup")
    assert page.status_code == 200
    assert 'action="/setup"' in page.text
    csrf = form_csrf(page.text)
    form = {"username": "Admin", "password": ADMIN_PASSWORD, "csrf_token": csrf}

    differ = client.post("/setup", data={**form, "password_confirm": ADMIN_PASSWORD + "x"})
    assert differ.status_code == 422
    assert "differ" in differ.text
    weak = client.post("/setup", data={**form, "password": "short", "password_confirm": "short"})
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.text
    no_csrf = client.post(
        "/setup",
        data={**form, "password_confirm": ADMIN_PASSWORD, "csrf_token": ""},
        follow_redirects=False,
    )
    assert no_csrf.status_code == 403

    done = client.post(
        "/setup", data={**form, "password_confirm": ADMIN_PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    cookie = session_cookie(done.headers.get_list("set-cookie"))
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    signed_in = client.get("/tokens")
    assert signed_in.status_code == 200
    assert "Sign out" in signed_in.text
    new_csrf = form_csrf(signed_in.text)
    assert new_csrf != csrf
    assert f'hx-headers=\'{{"X-CSRF-Token": "{new_csrf}"}}\'' in signed_in.text
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/login"
    assert ADMIN_PASSWORD not in signed_in.text


def test_sign_in_goes_back_where_the_person_was(app_client: TestClient) -> None:
    client = outsider(app_client)
    away = client.get("/jobs?status=failed", follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"] == "/login?next=%2Fjobs%3Fstatus%3Dfailed"
    page = client.get(away.headers["location"])
    assert page.status_code == 200
    assert 'name="next" value="/jobs?status=failed"' in page.text
    form = {"username": "admin", "csrf_token": form_csrf(page.text), "next": "/jobs?status=failed"}
    wrong = client.post("/login", data={**form, "password": "not the password"})
    assert wrong.status_code == 401
    assert "wrong username or password" in wrong.text
    right = client.post("/login", data={**form, "password": ADMIN_PASSWORD}, follow_redirects=False)
    assert right.status_code == 303
    assert right.headers["location"] == "/jobs?status=failed"
    assert client.get("/jobs").status_code == 200
    again = client.get("/login?next=/jobs", follow_redirects=False)
    assert again.headers["location"] == "/jobs"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil"])
def test_sign_in_never_sends_a_person_off_site(app_client: TestClient, target: str) -> None:
    client = outsider(app_client)
    page = client.get("/login", params={"next": target})
    assert target not in page.text
    response = client.post(
        "/login",
        data={
            "username": "admin",
            "password": ADMIN_PASSWORD,
            "csrf_token": form_csrf(page.text),
            "next": target,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_failed_sign_ins_are_rate_limited(app_client: TestClient) -> None:
    client = outsider(app_client)
    csrf = form_csrf(client.get("/login").text)
    form = {"username": "admin", "csrf_token": csrf}
    for _ in range(5):
        assert client.post("/login", data={**form, "password": "guess guess"}).status_code == 401
    limited = client.post("/login", data={**form, "password": ADMIN_PASSWORD})
    assert limited.status_code == 429
    assert 55 <= int(limited.headers["retry-after"]) <= 60
    assert "too many failed sign-ins" in limited.text
    assert "Sign out" not in limited.text


def test_sign_out(app_client: TestClient) -> None:
    csrf = app_client.headers.pop(CSRF_HEADER)
    refused = app_client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert app_client.get("/tokens").status_code == 200
    out = app_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert app_client.get("/tokens", follow_redirects=False).headers["location"] == (
        "/login?next=%2Ftokens"
    )
    assert app_client.get("/api/v1/jobs").status_code == 401


def test_htmx_requests_are_sent_to_the_login_page_whole(app_client: TestClient) -> None:
    response = outsider(app_client).get(
        "/jobs/1/partials/progress", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=%2Fjobs%2F1%2Fpartials%2Fprogress"


def test_a_tampered_session_cookie_is_anonymous(app_client: TestClient) -> None:
    value = app_client.cookies["crossfade_session"]
    client = outsider(app_client)
    client.cookies.set("crossfade_session", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/tokens", follow_redirects=False).status_code == 303
    client.cookies.set("crossfade_session", value)
    assert client.get("/tokens", follow_redirects=False).status_code == 200


def test_the_form_field_works_as_well_as_the_header(app_client: TestClient) -> None:
    csrf = app_client.headers.pop(CSRF_HEADER)
    without = app_client.post("/tokens", data={"name": "x", "scope": "read"})
    assert without.status_code == 403
    with_field = app_client.post("/tokens", data={"name": "x", "scope": "read", "csrf_token": csrf})
    assert with_field.status_code == 201
    multipart = app_client.post(
        "/tokens", files={"name": (None, "y"), "scope": (None, "read"), "csrf_token": (None, csrf)}
    )
    assert multipart.status_code == 201
    wrong = app_client.post(
        "/tokens", files={"name": (None, "z"), "scope": (None, "read"), "csrf_token": (None, "no")}
    )
    assert wrong.status_code == 403


def test_tokens_page_shows_a_new_token_once(app_client: TestClient) -> None:
    empty = app_client.get("/tokens")
    assert "No tokens yet." in empty.text
    created = app_client.post("/tokens", data={"name": "home assistant", "scope": "trigger"})
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r'<pre class="token-secret"><code>(cf_[\w-]+)</code>', created.text)
    assert secret is not None
    token = secret.group(1)
    outsider_client = outsider(app_client)
    assert outsider_client.get("/api/v1/status", headers=bearer(token)).status_code == 200
    listing = app_client.get("/tokens").text
    assert token not in listing
    assert token[:11] in listing
    assert "home assistant" in listing
    assert "trigger" in listing

    token_id = app_client.get("/api/v1/tokens").json()["items"][0]["id"]
    revoked = app_client.post(f"/tokens/{token_id}/revoke", follow_redirects=False)
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/tokens?notice=revoked"
    after = app_client.get("/tokens?notice=revoked").text
    assert "Token revoked" in after
    assert "revoked" in after
    assert outsider_client.get("/api/v1/status", headers=bearer(token)).status_code == 401
    assert app_client.post("/tokens/999/revoke").status_code == 404


@pytest.mark.parametrize(
    ("name", "scope", "message"),
    [("", "read", "needs a name"), ("ok", "root", "unknown scope"), ("x" * 101, "read", "at most")],
)
def test_tokens_page_refuses_bad_input(
    app_client: TestClient, name: str, scope: str, message: str
) -> None:
    response = app_client.post("/tokens", data={"name": name, "scope": scope})
    assert response.status_code == 422
    assert message in response.text
    assert app_client.get("/api/v1/tokens").json()["total"] == 0


def test_a_second_person_cannot_set_up_again(app_client: TestClient) -> None:
    client = outsider(app_client)
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/login"
    csrf = form_csrf(client.get("/login").text)
    response = client.post(
        "/setup",
        data={
            "username": "mallory",
            "password": "another long password",
            "password_confirm": "another long password",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/login"
    with pytest.raises(AssertionError):
        sign_in(client, username="mallory", password="another long password")
    sign_in(client)


def test_setup_support_signs_in(anonymous_client: TestClient) -> None:
    csrf = set_up_admin(anonymous_client)
    assert anonymous_client.headers[CSRF_HEADER] == csrf
    assert anonymous_client.get("/tokens").status_code == 200


def test_every_post_form_in_the_templates_carries_the_csrf_token() -> None:
    missing: list[str] = []
    for template in sorted(Path(asset_dir("templates")).rglob("*.html")):
        for attributes, body in FORM.findall(template.read_text()):
            if re.search(r'method="post"', attributes, re.I) and "csrf_token" not in body:
                missing.append(f"{template.name}: <form{attributes}>")
    assert missing == []
