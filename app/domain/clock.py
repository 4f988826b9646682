"""The clock: now as an aware UTC datetime (the stamps of jobs, hooks, sessions and rows)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
