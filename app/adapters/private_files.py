"""Private state on disk: the data directory is 0700, the files in it (the database and its
-wal/-shm, the generated secret key) 0600.

Modes are only ever tightened: a folder or file found looser than private gets its group and
other bits cleared, with a log line naming it; owner bits are left as they are.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) with mode 0700, or tighten it if it is looser."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR_MODE, "data directory")


def private_file(path: Path, *, create: bool = False) -> None:
    """Tighten ``path`` to 0600 if it exists and is looser; with ``create``, make it empty
    with that mode first when it is missing (so no moment exists when it is readable)."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    _tighten(path, PRIVATE_FILE_MODE, "file")


def _tighten(path: Path, private_mode: int, what: str) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & _OPEN_TO_OTHERS == 0:
        return
    tightened = mode & ~_OPEN_TO_OTHERS & 0o7777 | (private_mode & stat.S_IRWXU)
    try:
        os.chmod(path, tightened)
    except OSError as exc:
        logger.warning(
            "%s %s is mode %o (open to other users) and cannot be tightened: %s",
            what,
            path,
            mode,
            exc.strerror or exc,
        )
        return
    logger.warning("%s %s was mode %o (open to other users); now %o", what, path, mode, tightened)
