"""The first tables: Library, PathMapping, Link, Job, JobEvent.

Rows are read and written by the repositories in this package; services see the frozen
records of ``app.domain.jobs`` instead of these classes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.adapters.db.base import metadata
from app.adapters.db.types import LosslessJson, LosslessString, LosslessText, UtcDateTime

__all__ = ["Job", "JobEvent", "Library", "Link", "PathMapping", "metadata", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _created() -> Any:
    return Field(default_factory=utc_now, sa_column=Column(UtcDateTime(), nullable=False))


class Library(SQLModel, table=True):
    """A place that holds media. ``config`` holds kind-specific, non-secret options;
    ``secret`` holds a token or password and is never serialised by the API."""

    __tablename__ = "library"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    name: str = Field(sa_column=Column(LosslessString(200), nullable=False, unique=True))
    config: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(LosslessJson(), nullable=False)
    )
    secret: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class PathMapping(SQLModel, table=True):
    """An ordered prefix rewrite from a server's paths to paths this process can open."""

    __tablename__ = "path_mapping"
    __table_args__ = (UniqueConstraint("library_id", "position"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    library_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("library.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    plex_prefix: str = Field(sa_column=Column(LosslessText(), nullable=False))
    local_prefix: str = Field(sa_column=Column(LosslessText(), nullable=False))


class Link(SQLModel, table=True):
    """What to keep in step between two libraries."""

    __tablename__ = "link"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    library_a_id: int = Field(
        sa_column=Column(Integer, ForeignKey("library.id"), nullable=False, index=True)
    )
    library_b_id: int = Field(
        sa_column=Column(Integer, ForeignKey("library.id"), nullable=False, index=True)
    )
    direction: str = Field(default="both", sa_column=Column(String(16), nullable=False))
    policy: str = Field(sa_column=Column(String(32), nullable=False))
    options: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(LosslessJson(), nullable=False)
    )
    schedule: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    enabled: bool = Field(default=True, sa_column=Column(Boolean(), nullable=False))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Job(SQLModel, table=True):
    """One run of a job kind.

    ``active_lock_key`` equals ``lock_key`` while the job is queued or running and is NULL
    afterwards; its unique constraint is the race-safe guard for one active job per key (NULLs
    never collide, on SQLite and PostgreSQL alike).
    """

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_created_at", "status", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    kind: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    link_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("link.id", ondelete="SET NULL"), nullable=True),
    )
    params: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(LosslessJson(), nullable=False)
    )
    dry_run: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    status: str = Field(default="queued", sa_column=Column(String(16), nullable=False))
    phase: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    done: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    total: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    rate_per_s: float | None = Field(default=None, sa_column=Column(Float(), nullable=True))
    eta_s: float | None = Field(default=None, sa_column=Column(Float(), nullable=True))
    counters: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON(), nullable=False))
    trigger: str = Field(sa_column=Column(String(16), nullable=False))
    lock_key: str = Field(sa_column=Column(String(200), nullable=False))
    active_lock_key: str | None = Field(
        default=None, sa_column=Column(String(200), nullable=True, unique=True)
    )
    error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    problems: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    cancel_requested: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    runner_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    heartbeat_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    attempt: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    created_at: datetime = _created()
    started_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    updated_at: datetime = _created()


class JobEvent(SQLModel, table=True):
    """One per-item event of a job, numbered ``seq`` from 1 within the job."""

    __tablename__ = "job_event"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    job_id: int = Field(
        sa_column=Column(Integer, ForeignKey("job.id", ondelete="CASCADE"), nullable=False)
    )
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = _created()
    level: str = Field(default="info", sa_column=Column(String(16), nullable=False))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    subject: str = Field(sa_column=Column(Text(), nullable=False))
    before: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    detail: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
