"""Opening media files: no blocking on FIFOs, only regular non-empty files, errors translated.

A file without any write permission bit (``chmod 0444``) is never opened for writing, even by
root (who the kernel would let write it): its owner made it read-only on purpose.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from app.adapters.tags.translate import from_os_error
from app.domain.errors import EmptyFile, FileAccessDenied, UnsupportedFormat

_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


@contextlib.contextmanager
def open_media(path: str, *, writable: bool) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """Open ``path`` for reading (or reading and writing) and yield it with its fstat."""
    flags = (os.O_RDWR if writable else os.O_RDONLY) | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise from_os_error(exc, path, action="open for writing" if writable else "open") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsupportedFormat("not a regular file", path=path)
        if info.st_size == 0:
            raise EmptyFile("zero bytes", path=path)
        if writable and not info.st_mode & _ANY_WRITE:
            mode = f"{stat.S_IMODE(info.st_mode):04o}"
            raise FileAccessDenied(f"read-only file (mode {mode}): not written", path=path)
        handle = os.fdopen(fd, "r+b" if writable else "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle, info
