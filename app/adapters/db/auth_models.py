"""Tables of authentication: the admin user, API tokens, browser sessions, login attempts.

Read and written only by :mod:`app.adapters.db.auth_repo`. Nothing here holds a secret in the
clear: passwords are argon2 hashes, tokens and session ids SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.adapters.db.base import metadata
from app.adapters.db.models import utc_now
from app.adapters.db.types import UtcDateTime

__all__ = ["AdminUser", "ApiToken", "LoginAttempt", "WebSession", "metadata"]

ADMIN_SLOT = 1


class AdminUser(SQLModel, table=True):
    """The one admin. ``slot`` is always 1 and unique, so two racing first-run setups cannot
    both create an admin."""

    __tablename__ = "admin_user"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    slot: int = Field(default=ADMIN_SLOT, sa_column=Column(Integer, nullable=False, unique=True))
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    password_hash: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UtcDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UtcDateTime(), nullable=False)
    )
    last_login_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )


class ApiToken(SQLModel, table=True):
    """An API token: its SHA-256 ``token_hash`` (unique) and the first characters for display.
    Revoked tokens stay (``revoked_at`` set) so the list shows what existed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    prefix: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UtcDateTime(), nullable=False)
    )
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )


class WebSession(SQLModel, table=True):
    """A signed-in browser: the SHA-256 ``session_hash`` of the random id its cookie carries.
    Revoked (sign out, sign out everywhere, password change) or expired sessions stop working
    at once, whatever the cookie says; they stay until pruned."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    session_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("admin_user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt that checks a password, counted *before* the check under its
    limiter key (``device:<id>`` or ``address:<ip>``, see :func:`app.domain.auth.limiter_key`)
    and deleted again when the password was right. Stored in the database so every web process
    of a scaled-out install sees the same count."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    limiter_key: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
