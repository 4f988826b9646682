"""The records of the admin user, API tokens and browser sessions (never a password hash, a
token or a session id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.auth import Scope


@dataclass(frozen=True, slots=True)
class AdminRecord:
    id: int
    username: str
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    name: str
    scopes: frozenset[Scope]
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A live or ended browser session (never its id, only which row it is)."""

    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
