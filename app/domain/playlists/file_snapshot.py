"""A playlist file as read or as just written: its path, bytes and stat (the M3U side's value)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlaylistFileSnapshot:
    """A playlist file as read (or as just written): its path, bytes and stat."""

    path: str
    data: bytes
    size_bytes: int
    mtime_ns: int
