"""An exclusive, non-blocking lock on an open file, on POSIX (``flock``) and Windows
(``msvcrt.locking`` on the first byte). The platform's module is imported when a lock is
taken, never at import time, so every command starts on either platform."""

from __future__ import annotations

import os
import sys


def lock_exclusive(fd: int) -> None:
    """Lock ``fd`` or raise OSError at once (errno EWOULDBLOCK/EAGAIN/EACCES when held)."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
