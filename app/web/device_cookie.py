"""The device cookie of OWASP's "device cookies" login limit: a browser that signed in here
once carries a signed, long-lived ``crossfade_device`` cookie holding a random device id, and
its sign-in attempts are limited under that id alone (:func:`app.domain.auth.limiter_key`).
A stranger guessing passwords from elsewhere never has a valid one, so their failures (counted
under their address) cannot lock the admin's browser out.

The value is the device id signed with the settings' secret key (itsdangerous, timestamped:
older than :data:`DEVICE_MAX_AGE_S` is ignored). HttpOnly, SameSite=Lax, ``Secure`` like the
session cookie.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, TimestampSigner

from app.domain.auth import CookieSecurity, cookie_secure
from app.settings import Settings

DEVICE_COOKIE = "crossfade_device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600
_SALT = "crossfade.device"


def _signer(settings: Settings) -> TimestampSigner:
    return TimestampSigner(settings.effective_secret_key(), salt=_SALT)


def device_id(request: Request, settings: Settings) -> str | None:
    """The id of the request's device cookie if its signature holds and it is not too old."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        return _signer(settings).unsign(value, max_age=DEVICE_MAX_AGE_S).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def remember_device(
    request: Request, response: Response, settings: Settings, known_id: str | None
) -> None:
    """Give a browser that just signed in its device cookie (renewed, same id if it had one)."""
    new_id = known_id or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _signer(settings).sign(new_id).decode(),
        max_age=DEVICE_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(CookieSecurity(settings.cookie_secure), request.url.scheme),
        path="/",
    )
