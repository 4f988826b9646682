"""The signing secret of each outgoing webhook, derived from the installation's secret key.

``whsec_`` secrets (Standard Webhooks) are derived, not stored: HMAC-SHA256 of the webhook's id
under a key that HKDF draws from the secret key for this purpose alone. They stay the same
across restarts, change with the secret key (as every sealed secret does), and are shown only
to the signed-in administrator who asks for one.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.adapters.log_redaction import remember
from app.domain.webhook_signing import format_secret

_PURPOSE = b"crossfade/outgoing-webhook-signing/v1"
SECRET_BYTES = 24


class WebhookSecrets:
    def __init__(self, secret_key: str) -> None:
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"crossfade", info=_PURPOSE
        ).derive(secret_key.encode("utf-8"))

    def __repr__(self) -> str:
        return "WebhookSecrets(…)"

    def secret_for(self, hook_id: int) -> str:
        raw = hmac.new(self._key, f"outgoing-webhook:{hook_id}".encode(), hashlib.sha256)
        secret = format_secret(raw.digest()[:SECRET_BYTES])
        remember(secret)
        return secret
