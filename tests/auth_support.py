"""Signing in from tests the way a browser does: fetch the form, post it with its CSRF token."""

from __future__ import annotations

import re

import httpx

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "correct horse battery staple"
CSRF_HEADER = "X-CSRF-Token"

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_csrf(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = _CSRF_FIELD.search(html)
    assert match is not None, "no csrf_token field in the page"
    return match.group(1)


def session_csrf(client: httpx.Client) -> str:
    """The signed-in session's CSRF token, read from a page's form."""
    return form_csrf(client.get("/tokens").text)


def set_up_admin(
    client: httpx.Client, *, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD
) -> str:
    """First-run setup through ``/setup`` (which signs in); the client then sends the session's
    CSRF token with every request, as the dashboard's HTMX does. Returns that token."""
    csrf = form_csrf(client.get("/setup").text)
    response = client.post(
        "/setup",
        data={
            "username": username,
            "password": password,
            "password_confirm": password,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    token = session_csrf(client)
    client.headers[CSRF_HEADER] = token
    return token


def sign_in(
    client: httpx.Client, *, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD
) -> str:
    """Sign in through ``/login``; like :func:`set_up_admin`, returns the CSRF token it sets."""
    csrf = form_csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    token = session_csrf(client)
    client.headers[CSRF_HEADER] = token
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
