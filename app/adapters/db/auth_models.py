"""Tables of authentication: the admin user, API tokens, failed login attempts.

Read and written only by :mod:`app.adapters.db.auth_repo`. Nothing here holds a secret in the
clear: passwords are argon2 hashes, tokens SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.adapters.db.base import metadata
from app.adapters.db.models import utc_now
from app.adapters.db.types import UtcDateTime

__all__ = ["AdminUser", "ApiToken", "LoginFailure", "metadata"]

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


class LoginFailure(SQLModel, table=True):
    """One failed login: from which client address, for which (normalised) username, when.
    Stored in the database so every web process of a scaled-out install sees the same count."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    client: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    username: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
