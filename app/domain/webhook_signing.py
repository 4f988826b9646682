"""Signed outgoing webhooks, the Standard Webhooks way (https://www.standardwebhooks.com/).

Each request carries ``webhook-id`` (unique per message, the same on a retry),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256 over ``<id>.<timestamp>.<body>`` keyed by the secret's bytes. A secret is written
``whsec_`` and the base64 of its bytes. :func:`verify` is what a receiver does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of a secret, not a secret)
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_S = 300


def format_secret(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    """The key of a ``whsec_…`` secret; ``ValueError`` if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook signing secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now_s: float,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """Whether ``body`` with these headers (names lower case) was signed with ``secret``
    within ``tolerance_s`` of ``now_s``. The signature header may list several (space
    separated); one match is enough."""
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit() or abs(now_s - int(stamp)) > tolerance_s:
        return False
    expected = signature(secret, msg_id, int(stamp), body)
    offered = headers.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)
