"""Crash-safe saving of a mutagen file: a write lands whole or not at all.

1. *Probe*: mutagen saves into an :class:`~app.adapters.tags.overlay.Overlay`, a file object
   that reads the real file and keeps every write in memory, while the padding callback keeps
   the tag's size exactly (and gives up at once when the new tag needs more room than the old
   one had). Nothing touches the disk. If the file's size is unchanged the overlay knows the
   bytes that differ.
2. *In place*, when it fits: those bytes go to the file in one ``pwrite`` (a change inside one
   memory page, which the kernel applies whole even if the process is killed; a hardlinked file
   is written in place whatever the span), then ``fsync``, then a fresh re-read is verified; a
   failed verification puts the old bytes back.
3. *Rewrite*, otherwise: the file is copied to a temporary file in the same directory, mutagen
   saves there with normal padding (room for next time), the copy gets the original's mode and
   owner, is verified, fsynced and renamed over the original, then the directory is fsynced.
   The original is never modified; a crash leaves at most a stray ``.NAME.crossfade-*.tmp``,
   which the next rewrite of that file removes once it is ten minutes old.
4. A file with more than one hardlink that needs a rewrite follows the ``hardlinks`` option:
   ``in_place_or_skip`` raises HardlinkSkipped (a rename would split the links), ``always``
   rewrites it in place behind a backup copy (``.NAME.crossfade-*.bak``, removed afterwards).

``tail`` bytes (an MP3's ID3v1 tag) are hidden from mutagen and kept byte for byte, so saving
the ID3v2 tag never rewrites the ID3v1 one.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import secrets
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, BinaryIO, Final

from app.adapters.tags.model import WriteMethod, WriteOptions
from app.adapters.tags.overlay import DoesNotFit, Overlay, pwrite_all
from app.adapters.tags.translate import from_os_error, from_parse_error
from app.domain.errors import (
    FileAccessDenied,
    FileVanished,
    HardlinkSkipped,
    MediaFileError,
    WriteNotVerified,
)

PaddingFunction = Callable[[Any], int]
Saver = Callable[[Any, PaddingFunction | None], None]  # (file object, padding callback)
Verifier = Callable[[BinaryIO], None]

PAGE_BYTES: Final = mmap.PAGESIZE
COPY_CHUNK_BYTES: Final = 1024 * 1024
TEMP_SUFFIX: Final = ".tmp"
BACKUP_SUFFIX: Final = ".bak"
TEMP_MARKER: Final = ".crossfade-"
STALE_TEMP_S: Final = 600


def is_crossfade_temp(name: str) -> bool:
    """Our temporary and backup files (``.NAME.crossfade-XXXX.tmp``), for listings to skip."""
    return (
        name.startswith(".")
        and TEMP_MARKER in name
        and (name.endswith(TEMP_SUFFIX) or name.endswith(BACKUP_SUFFIX))
    )


def _keep_padding(info: Any) -> int:
    padding: int = info.padding
    if padding < 0:
        raise DoesNotFit("the new tag is larger than the old tag and its padding")
    return padding


@dataclass(frozen=True, slots=True)
class Commit:
    """Everything a commit needs to know about the file being written."""

    fd: int
    path: str
    before: os.stat_result
    tail: bytes
    save: Saver
    verify: Verifier
    options: WriteOptions

    @property
    def visible_size(self) -> int:
        return self.before.st_size - len(self.tail)


@dataclass(frozen=True, slots=True)
class Span:
    """The bytes a same-size save changes: ``old`` and ``new`` at ``offset``."""

    offset: int
    old: bytes
    new: bytes

    @property
    def in_one_page(self) -> bool:
        last = self.offset + len(self.new) - 1
        return self.offset // PAGE_BYTES == last // PAGE_BYTES


def commit(job: Commit) -> WriteMethod:
    """Save the changed tags of ``job`` to disk crash-safely; returns how it was done."""
    linked = job.before.st_nlink > 1
    fits, span = _probe(job)
    if fits and span is None:
        return "unchanged"
    if span is not None and (linked or span.in_one_page):
        _write_in_place(job, span)
        return "in_place"
    if linked:
        if job.options.hardlinks != "always":
            raise HardlinkSkipped(
                f"has {job.before.st_nlink} hardlinks and the new tag does not fit in place; "
                "skipped so the links are not split (hardlinked_writes=in_place_or_skip)",
                path=job.path,
            )
        _rewrite_in_place(job)
        return "rewrite_in_place"
    _rewrite(job)
    return "rewrite"


def _probe(job: Commit) -> tuple[bool, Span | None]:
    """``(fits, span)``: whether the save keeps the file size, and the bytes it changes (None:
    no byte changes, or it does not fit)."""
    overlay = Overlay(job.fd, job.visible_size, job.path)
    try:
        job.save(overlay, _keep_padding)
        changed = overlay.changed_span()
    except DoesNotFit:
        return False, None
    except OSError as exc:
        raise from_os_error(exc, job.path, action="read") from exc
    except Exception as exc:  # mutagen's own failures while rendering the tag
        raise from_parse_error(exc, job.path, action="write") from exc
    if changed is None:
        return True, None
    offset, old, new = changed
    return True, Span(offset, old, new)


def _ensure_unchanged(job: Commit) -> None:
    """Refuse to write over a file that changed or was replaced since it was read."""
    try:
        now = Path(job.path).stat()
        held = os.fstat(job.fd)
    except OSError as exc:
        raise from_os_error(exc, job.path, action="stat") from exc
    before = job.before
    if (now.st_ino, now.st_dev) != (before.st_ino, before.st_dev):
        raise FileVanished(
            "replaced while the rating was being written; not written", path=job.path
        )
    if (held.st_size, held.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise WriteNotVerified(
            "changed by someone else while the rating was being written; not written",
            path=job.path,
        )


def _restore_mtime(job: Commit, target: int | str) -> None:
    if job.options.preserve_mtime:
        os.utime(target, ns=(job.before.st_atime_ns, job.before.st_mtime_ns))


def _write_in_place(job: Commit, span: Span) -> None:
    _ensure_unchanged(job)
    try:
        pwrite_all(job.fd, span.new, span.offset)
        os.fsync(job.fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            pwrite_all(job.fd, span.old, span.offset)
        raise from_os_error(exc, job.path, action="write") from exc
    try:
        _verify_path(job)
    except MediaFileError:
        with contextlib.suppress(OSError):
            pwrite_all(job.fd, span.old, span.offset)
            os.fsync(job.fd)
        raise
    try:
        _restore_mtime(job, job.fd)
    except OSError as exc:
        raise from_os_error(exc, job.path, action="set mtime") from exc


def _verify_path(job: Commit) -> None:
    try:
        with open(job.path, "rb") as reread:
            job.verify(reread)
    except OSError as exc:
        raise from_os_error(exc, job.path, action="re-read") from exc


def _sibling(path: str, suffix: str) -> str:
    pure = PurePath(path)
    return str(pure.with_name(f".{pure.name}{TEMP_MARKER}{secrets.token_hex(4)}{suffix}"))


def _create_sibling(job: Commit, suffix: str) -> tuple[str, int]:
    sibling = _sibling(job.path, suffix)
    try:
        fd = os.open(sibling, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        error = from_os_error(exc, job.path, action="create a temporary file beside it")
        raise error from exc
    return sibling, fd


def _copy(src_fd: int, dst_fd: int, count: int) -> None:
    offset = 0
    while offset < count:
        chunk = os.pread(src_fd, min(COPY_CHUNK_BYTES, count - offset), offset)
        if not chunk:
            raise OSError("unexpected end of file while copying")
        pwrite_all(dst_fd, chunk, offset)
        offset += len(chunk)


def _keep_mode_and_owner(job: Commit, fd: int) -> None:
    before = job.before
    os.fchmod(fd, stat.S_IMODE(before.st_mode))
    held = os.fstat(fd)
    if (held.st_uid, held.st_gid) != (before.st_uid, before.st_gid):
        try:
            os.fchown(fd, before.st_uid, before.st_gid)
        except PermissionError as exc:
            raise FileAccessDenied(
                "cannot rewrite it keeping its owner and group (needs the owner's rights)",
                path=job.path,
            ) from exc


def _fsync_directory(path: str) -> None:
    directory = str(PurePath(path).parent)
    try:
        dir_fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot fsync a directory
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_stale_temps(path: str) -> None:
    """Temporary copies a killed earlier write of this file left behind (older than
    STALE_TEMP_S, so never a concurrent writer's). Backups are kept: they may be the only
    good copy of a hardlinked file."""
    pure = PurePath(path)
    prefix = f".{pure.name}{TEMP_MARKER}"
    cutoff = time.time() - STALE_TEMP_S
    with contextlib.suppress(OSError), os.scandir(pure.parent) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        Path(entry.path).unlink()


def _rewrite(job: Commit) -> None:
    _remove_stale_temps(job.path)
    temp_path, temp_fd = _create_sibling(job, TEMP_SUFFIX)
    try:
        with os.fdopen(temp_fd, "r+b") as temp:
            try:
                _copy(job.fd, temp.fileno(), job.visible_size)
                temp.seek(0)
                job.save(temp, None)
                temp.seek(0, os.SEEK_END)
                temp.write(job.tail)
                temp.flush()
                _keep_mode_and_owner(job, temp.fileno())
            except OSError as exc:
                raise from_os_error(exc, job.path, action="write") from exc
            except MediaFileError:
                raise
            except Exception as exc:  # mutagen's own failures while rendering the tag
                raise from_parse_error(exc, job.path, action="write") from exc
            temp.seek(0)
            job.verify(temp)
            try:
                _restore_mtime(job, temp.fileno())
                os.fsync(temp.fileno())
            except OSError as exc:
                raise from_os_error(exc, job.path, action="write") from exc
        _ensure_unchanged(job)
        try:
            Path(temp_path).replace(job.path)
        except OSError as exc:
            raise from_os_error(exc, job.path, action="rename") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp_path).unlink()
        raise
    _fsync_directory(job.path)


def _rewrite_in_place(job: Commit) -> None:
    """Hardlinked file, ``hardlinks="always"``: keep the inode, guard the data with a backup."""
    _ensure_unchanged(job)
    backup_path, backup_fd = _create_sibling(job, BACKUP_SUFFIX)
    try:
        try:
            _copy(job.fd, backup_fd, job.before.st_size)
            os.fsync(backup_fd)
        except OSError as exc:
            raise from_os_error(exc, job.path, action="back up") from exc
        try:
            _save_through(job)
            _verify_path(job)
        except BaseException:
            if _restore_from(backup_fd, job):
                with contextlib.suppress(OSError):
                    Path(backup_path).unlink()
            raise
        try:
            _restore_mtime(job, job.fd)
        except OSError as exc:
            raise from_os_error(exc, job.path, action="set mtime") from exc
    finally:
        os.close(backup_fd)
    with contextlib.suppress(OSError):
        Path(backup_path).unlink()


def _save_through(job: Commit) -> None:
    try:
        os.ftruncate(job.fd, job.visible_size)
        with os.fdopen(os.dup(job.fd), "r+b") as target:
            target.seek(0)
            job.save(target, None)
            target.seek(0, os.SEEK_END)
            target.write(job.tail)
            target.flush()
            os.fsync(target.fileno())
    except OSError as exc:
        raise from_os_error(exc, job.path, action="write") from exc
    except Exception as exc:  # mutagen's own failures while rendering the tag
        raise from_parse_error(exc, job.path, action="write") from exc


def _restore_from(backup_fd: int, job: Commit) -> bool:
    """Put the backup's bytes back; False (and the backup stays) if that failed too."""
    try:
        os.ftruncate(job.fd, 0)
        _copy(backup_fd, job.fd, job.before.st_size)
        os.fsync(job.fd)
    except OSError:
        return False
    return True
