"""The probe's file object: mutagen saves into an :class:`Overlay`, which reads the real file
and keeps every write in memory, so that :mod:`app.adapters.tags.safe_write` learns which bytes
a save would change without touching the disk.
"""

from __future__ import annotations

import os
from typing import Final

OVERLAY_LIMIT_BYTES: Final = 32 * 1024 * 1024


class DoesNotFit(Exception):
    """The probe found the new tag needs a different file size."""


class Overlay:
    """A file object over ``fd`` (first ``size`` bytes) that keeps writes in memory."""

    def __init__(self, fd: int, size: int, name: str) -> None:
        self._fd = fd
        self._base_size = size
        self._base_limit = size  # bytes at or past this no longer come from the file
        self._size = size
        self._pos = 0
        self._patches: list[tuple[int, bytes]] = []
        self._held = 0
        self.name = name

    # -- the file object protocol mutagen uses --
    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._pos + offset
        elif whence == os.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"bad whence {whence}")
        if target < 0:
            raise OSError("negative seek position")
        self._pos = target
        return target

    def read(self, n: int = -1) -> bytes:
        start = self._pos
        end = self._size if n is None or n < 0 else min(self._size, start + n)
        if end <= start:
            return b""
        data = self._range(start, end)
        self._pos = end
        return data

    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunk = bytes(data)
        if chunk:
            self._held += len(chunk)
            if self._held > OVERLAY_LIMIT_BYTES:
                raise DoesNotFit("the save moves more data than a tag")
            self._patches.append((self._pos, chunk))
            self._pos += len(chunk)
            self._size = max(self._size, self._pos)
        return len(chunk)

    def truncate(self, size: int | None = None) -> int:
        new_size = self._pos if size is None else size
        if new_size < self._size:
            self._base_limit = min(self._base_limit, new_size)
            self._patches = [
                (offset, chunk[: new_size - offset])
                for offset, chunk in self._patches
                if offset < new_size
            ]
        self._size = new_size
        return new_size

    def flush(self) -> None:
        return None

    # -- the result --
    def _range(self, start: int, end: int) -> bytes:
        out = bytearray(end - start)
        base_end = min(end, self._base_limit)
        if base_end > start:
            base = pread_exactly(self._fd, base_end - start, start)
            out[: len(base)] = base
        for offset, chunk in self._patches:
            lo = max(offset, start)
            hi = min(offset + len(chunk), end)
            if lo < hi:
                out[lo - start : hi - start] = chunk[lo - offset : hi - offset]
        return bytes(out)

    def changed_span(self) -> tuple[int, bytes, bytes] | None:
        """``(offset, old, new)`` covering every changed byte, None when nothing changed.
        Raises DoesNotFit when the size changed."""
        if self._size != self._base_size:
            raise DoesNotFit("the file size would change")
        intervals = sorted((o, o + len(c)) for o, c in self._patches)
        if self._base_limit < self._base_size:
            intervals.append((self._base_limit, self._base_size))
            intervals.sort()
        lo: int | None = None
        hi = 0
        for start, end in _merged(intervals):
            new = self._range(start, end)
            old = pread_exactly(self._fd, end - start, start)
            first = _first_difference(old, new)
            if first is None:
                continue
            last = _last_difference(old, new)
            lo = start + first if lo is None else lo
            hi = start + last + 1
        if lo is None:
            return None
        return lo, pread_exactly(self._fd, hi - lo, lo), self._range(lo, hi)


def _merged(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _first_difference(old: bytes, new: bytes) -> int | None:
    """Index of the first differing byte (bisecting with C-speed slice compares)."""
    if old == new:
        return None
    lo, hi = 0, len(old)  # old[:lo] == new[:lo]; a difference lies in [lo, hi)
    while hi - lo > 64:
        mid = (lo + hi) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid
    return next(i for i in range(lo, hi) if old[i] != new[i])


def _last_difference(old: bytes, new: bytes) -> int:
    """Index of the last differing byte (there is one)."""
    lo, hi = 0, len(old)  # old[hi:] == new[hi:]; a difference lies in [lo, hi)
    while hi - lo > 64:
        mid = (lo + hi) // 2
        if old[mid:hi] == new[mid:hi]:
            hi = mid
        else:
            lo = mid
    return next(i for i in range(hi - 1, lo - 1, -1) if old[i] != new[i])


def pread_exactly(fd: int, count: int, offset: int) -> bytes:
    parts: list[bytes] = []
    while count > 0:
        chunk = os.pread(fd, count, offset)
        if not chunk:
            raise OSError("unexpected end of file")
        parts.append(chunk)
        count -= len(chunk)
        offset += len(chunk)
    return b"".join(parts)


def pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written
