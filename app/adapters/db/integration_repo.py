"""Repository of integration settings: plain values as JSON, the secret part sealed.

A secret that cannot be opened (the secret key changed) reads as absent, with the reason in
:attr:`StoredSetting.secret_error`, so the page still shows the plain settings and asks for the
secret again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.adapters.db.engine import SessionFactory
from app.adapters.db.integration_models import IntegrationSetting
from app.adapters.db.models import utc_now
from app.adapters.log_redaction import remember, remember_url
from app.adapters.secret_box import SecretCipher, SecretUnreadable, process_box


@dataclass(frozen=True, slots=True)
class StoredSetting:
    value: dict[str, Any]
    secret: str | None
    secret_error: str | None = None


class IntegrationSettingsRepository:
    def __init__(
        self, session_factory: SessionFactory, secret_box: SecretCipher | None = None
    ) -> None:
        self._sessions = session_factory
        self._box = secret_box or process_box()

    def get(self, key: str) -> StoredSetting | None:
        with self._sessions() as session:
            row = session.get(IntegrationSetting, key)
            if row is None:
                return None
            value, sealed = dict(row.value), row.secret
        if not sealed:
            return StoredSetting(value, None)
        try:
            secret = self._box.open(sealed, what=f"the secret of the {key} settings")
        except SecretUnreadable as exc:
            return StoredSetting(value, None, str(exc))
        _remember(secret)
        return StoredSetting(value, secret)

    def put(self, key: str, value: dict[str, Any], secret: str | None) -> None:
        """Store ``value`` and ``secret`` (None: no secret) for ``key``, replacing both."""
        if secret:
            _remember(secret)
        sealed = self._box.seal(secret) if secret else None
        with self._sessions() as session:
            row = session.get(IntegrationSetting, key)
            if row is None:
                row = IntegrationSetting(key=key)
            row.value = dict(value)
            row.secret = sealed
            row.updated_at = utc_now()
            session.add(row)
            session.commit()


def _remember(secret: str) -> None:
    """Mask the secret in logs; a JSON secret (a list of URLs) also each URL in it."""
    remember(secret)
    try:
        parsed = json.loads(secret)
    except ValueError:
        return
    for text in _strings(parsed):
        remember_url(text)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
