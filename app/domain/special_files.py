"""Entries of a library folder that are never opened nor followed: what they are, in words."""

from __future__ import annotations

import stat
from enum import StrEnum


class SpecialKind(StrEnum):
    """Why a walk did not take an entry as a file or a folder (the value is the reason shown
    in reports and events). Nothing of these kinds is ever opened."""

    OUTSIDE_ROOT = "symlink that leads outside the library root, not followed"
    SYMLINK_LOOP = "symlink loop, not followed"
    DANGLING = "dangling symlink"
    FIFO = "named pipe (FIFO), not opened"
    DEVICE = "device file, not opened"
    SOCKET = "socket, not opened"
    UNREADABLE = "cannot be read"
    OTHER = "not a regular file"


def special_kind(mode: int) -> SpecialKind:
    """The kind of an entry that is neither a regular file nor a directory, by its mode."""
    if stat.S_ISFIFO(mode):
        return SpecialKind.FIFO
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return SpecialKind.DEVICE
    if stat.S_ISSOCK(mode):
        return SpecialKind.SOCKET
    return SpecialKind.OTHER


def is_inside(real: str, real_root: str) -> bool:
    """True if the resolved path ``real`` is ``real_root`` or below it."""
    return real == real_root or real.startswith(real_root.rstrip("/") + "/")
