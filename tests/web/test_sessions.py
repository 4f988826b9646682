"""Server-side sessions through the real app: sign out, sign out everywhere and a password
change end a session even for a copied cookie; the device cookie keeps the admin's browser
out of a stranger's lockout; cookies are ``Secure`` over HTTPS."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.main import create_app
from app.settings import Settings
from app.web.device_cookie import DEVICE_COOKIE
from tests.auth_support import ADMIN_PASSWORD, CSRF_HEADER, form_csrf, sign_in

SESSION = "crossfade_session"
NEW_PASSWORD = "another long passphrase"


def copy_of(client: TestClient) -> TestClient:
    """Another client holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = TestClient(client.app)
    thief.cookies.set(SESSION, client.cookies[SESSION])
    return thief


def assert_signed_out(client: TestClient) -> None:
    assert client.get("/api/v1/jobs").status_code == 401
    page = client.get("/jobs", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


def test_a_copied_cookie_stops_working_after_sign_out(app_client: TestClient) -> None:
    thief = copy_of(app_client)
    assert thief.get("/api/v1/jobs").status_code == 200
    assert app_client.post("/logout", follow_redirects=False).status_code == 303
    assert_signed_out(thief)
    assert_signed_out(app_client)


def test_sign_out_everywhere_ends_every_session(app_client: TestClient) -> None:
    other_browser = TestClient(app_client.app)
    sign_in(other_browser)
    thief = copy_of(app_client)
    page = app_client.get("/account")
    assert page.status_code == 200
    assert "2 signed-in sessions" in page.text
    assert 'action="/logout/everywhere"' in page.text
    out = other_browser.post("/logout/everywhere", follow_redirects=False)
    assert out.headers["location"] == "/login"
    for client in (app_client, other_browser, thief):
        assert_signed_out(client)


def test_changing_the_password_ends_the_other_sessions(app_client: TestClient) -> None:
    other_browser = TestClient(app_client.app)
    sign_in(other_browser)
    form = {
        "current_password": ADMIN_PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    wrong = app_client.post("/account/password", data={**form, "current_password": "nope nope"})
    assert wrong.status_code == 403
    assert "current password is wrong" in wrong.text
    differ = app_client.post("/account/password", data={**form, "new_password_confirm": "x"})
    assert differ.status_code == 422
    assert "differ" in differ.text
    missing = app_client.post("/account/password", data={"current_password": ADMIN_PASSWORD})
    assert missing.status_code == 422
    assert other_browser.get("/api/v1/jobs").status_code == 200  # nothing changed yet

    done = app_client.post("/account/password", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "Password changed" in app_client.get(done.headers["location"]).text
    assert app_client.get("/api/v1/jobs").status_code == 200  # this session stays
    assert_signed_out(other_browser)
    with pytest.raises(AssertionError):
        sign_in(TestClient(app_client.app))
    sign_in(TestClient(app_client.app), password=NEW_PASSWORD)


def test_the_admins_browser_signs_in_while_a_stranger_is_locked_out(
    app_client: TestClient,
) -> None:
    """A browser that signed in before carries a device cookie and is limited under it; a
    brand-new client from the stranger's address shares the stranger's address limit."""
    admin_browser = TestClient(app_client.app)
    sign_in(admin_browser)
    assert admin_browser.cookies.get(DEVICE_COOKIE)
    admin_browser.post("/logout")
    admin_browser.headers.pop(CSRF_HEADER)  # the ended session's token

    stranger = TestClient(app_client.app)  # the same address: TestClient's "testclient"
    csrf = form_csrf(stranger.get("/login").text)
    for _ in range(5):
        guess = {"username": "admin", "password": "guess guess", "csrf_token": csrf}
        assert stranger.post("/login", data=guess).status_code == 401
    right = {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf}
    assert stranger.post("/login", data=right).status_code == 429

    brand_new = TestClient(app_client.app)
    csrf_new = form_csrf(brand_new.get("/login").text)
    assert brand_new.post("/login", data={**right, "csrf_token": csrf_new}).status_code == 429

    sign_in(admin_browser)  # its device cookie: its own, clean limit
    assert admin_browser.get("/api/v1/jobs").status_code == 200


def test_a_forged_device_cookie_counts_as_none(app_client: TestClient) -> None:
    stranger = TestClient(app_client.app)
    stranger.cookies.set(DEVICE_COOKIE, "my-own-device.AAAAAA.forged")
    csrf = form_csrf(stranger.get("/login").text)
    for _ in range(5):
        guess = {"username": "admin", "password": "guess guess", "csrf_token": csrf}
        assert stranger.post("/login", data=guess).status_code == 401
    right = {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf}
    assert stranger.post("/login", data=right).status_code == 429


def flags(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A client of the app with an admin made from the environment and ``overrides``."""
    opened: list[TestClient] = []

    def make(base_url: str, **overrides: object) -> TestClient:
        configured = settings.model_copy(
            update={"admin_password": SecretStr(ADMIN_PASSWORD), **overrides}
        )
        client = TestClient(create_app(configured), base_url=base_url)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("base_url", "mode", "secure"),
    [
        ("http://testserver", "auto", False),
        ("https://testserver", "auto", True),
        ("http://testserver", "always", True),
        ("https://testserver", "never", False),
    ],
)
def test_the_session_cookie_is_secure_over_https(
    make_client: Callable[..., TestClient], base_url: str, mode: str, secure: bool
) -> None:
    client = make_client(base_url, cookie_secure=mode)
    cookies = client.get("/login").headers.get_list("set-cookie")
    assert len(cookies) == 1 and cookies[0].startswith(f"{SESSION}=")
    assert {"httponly", "samesite=lax"} <= flags(cookies[0])
    assert ("secure" in flags(cookies[0])) is secure


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://testserver", True), ("http://testserver", False)]
)
def test_signing_in_over_https_sets_secure_session_and_device_cookies(
    make_client: Callable[..., TestClient], base_url: str, secure: bool
) -> None:
    client = make_client(base_url)
    csrf = form_csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookies = {value.split("=", 1)[0]: value for value in response.headers.get_list("set-cookie")}
    assert set(cookies) == {SESSION, DEVICE_COOKIE}
    for value in cookies.values():
        assert {"httponly", "samesite=lax"} <= flags(value)
        assert ("secure" in flags(value)) is secure


@pytest.mark.parametrize(("trusted", "secure"), [("testclient", True), ("10.0.0.1", False)])
def test_a_trusted_proxys_forwarded_proto_makes_cookies_secure(
    settings: Settings, trusted: str, secure: bool
) -> None:
    """``crossfade serve`` runs uvicorn with ``proxy_headers``: its middleware takes the scheme
    from ``X-Forwarded-Proto`` only when the peer is in ``forwarded_allow_ips``."""
    application = ProxyHeadersMiddleware(create_app(settings), trusted_hosts=[trusted])  # type: ignore[arg-type]
    with TestClient(application) as client:  # type: ignore[arg-type]
        response = client.get("/setup", headers={"X-Forwarded-Proto": "https"})
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 1
    assert ("secure" in flags(cookies[0])) is secure
