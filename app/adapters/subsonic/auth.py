"""How a request proves who it is: token and salt, password (hex-encoded) or API key.

- ``token`` (API 1.13+): ``u``, ``t = md5(password + salt)``, ``s = salt``, a new salt each
  request. The password never travels.
- ``password``: ``u`` and ``p=enc:<hex of the UTF-8 password>``. Reversible: only for servers
  without token auth (Supysonic, API 1.12 and older), and over HTTPS or on loopback.
- ``api_key`` (OpenSubsonic ``apiKeyAuthentication``): ``apiKey`` alone, no ``u``.

``auto`` tries a token first and falls back to the password only when the server says it does
not take tokens (errors 10, 41, 42), never after a refused password (40).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from urllib.parse import urlsplit

from app.domain.subsonic import AuthMode

# Error codes that mean "this server does not take that mechanism" (not "wrong credentials").
MECHANISM_REFUSED = frozenset({10, 41, 42})
SALT_BYTES = 8


def token_params(user: str, password: str, salt: str | None = None) -> list[tuple[str, str]]:
    salt = salt or secrets.token_hex(SALT_BYTES)
    token = hashlib.md5((password + salt).encode("utf-8"), usedforsecurity=False).hexdigest()
    return [("u", user), ("t", token), ("s", salt)]


def password_params(user: str, password: str) -> list[tuple[str, str]]:
    return [("u", user), ("p", "enc:" + password.encode("utf-8").hex())]


def api_key_params(key: str) -> list[tuple[str, str]]:
    return [("apiKey", key)]


def credentials(mode: AuthMode, user: str, secret: str) -> list[tuple[str, str]]:
    """The query parameters proving ``user`` by ``secret`` in ``mode`` (not ``auto``)."""
    if mode is AuthMode.TOKEN:
        return token_params(user, secret)
    if mode is AuthMode.PASSWORD:
        return password_params(user, secret)
    if mode is AuthMode.API_KEY:
        return api_key_params(secret)
    raise ValueError("auto is resolved before a request is sent")


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_warning(base_url: str, mode: AuthMode) -> str | None:
    """A warning when credentials go over plain HTTP to another machine."""
    if urlsplit(base_url).scheme != "http" or is_loopback(base_url):
        return None
    if mode is AuthMode.PASSWORD:
        return (
            "the password travels hex-encoded (readable) over plain HTTP to a non-loopback "
            "host: use https"
        )
    return "credentials travel over plain HTTP to a non-loopback host: use https"
