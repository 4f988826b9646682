"""The records of libraries and links as services and the API see them (the database adapter
maps its tables onto these; a library record never carries its secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.jobs import library_pair_lock_key


@dataclass(frozen=True, slots=True)
class LibraryRecord:
    id: int
    kind: str
    name: str
    config: dict[str, Any]
    has_secret: bool
    path_mappings: tuple[tuple[str, str], ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LinkRecord:
    id: int
    kind: str
    library_a_id: int
    library_b_id: int
    direction: str
    policy: str
    options: dict[str, Any]
    schedule: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @property
    def lock_key(self) -> str:
        """One running job per library pair, whichever way round."""
        return library_pair_lock_key(self.library_a_id, self.library_b_id)
