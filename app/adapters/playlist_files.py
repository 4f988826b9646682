"""Playlist files on disk: list a folder's playlists, read one as bytes, write or delete one
safely. Parsing and rendering are the domain's (``app.domain.playlists.m3u``); this module only
moves bytes.

- :func:`read_playlist_file` returns a :class:`PlaylistFileSnapshot`: the bytes and the stat
  that go with them. Every later write or delete of that file is given the snapshot and refuses
  (:class:`~app.domain.errors.FileChangedSinceRead`) when the file on disk no longer holds
  exactly those bytes: a playlist a player saved while a sync ran is never overwritten.
- :func:`write_playlist_file` writes a temporary file in the same folder (fsynced, with the
  old file's permissions), checks the snapshot once more, and renames it over the target; a
  new file is put in place with ``link``, which fails rather than replace a file that appeared
  meanwhile. A crash leaves the old file or the new one, never a torn one, and at most a stray
  ``.crossfade-*.tmp`` that the next write in that folder removes once it is stale.

The check and the rename are two steps, so a write landing between them (microseconds) is
not detected; everything slower is. Every ``OSError`` is translated here, once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time

from app.domain.errors import (
    FileAccessDenied,
    FileChangedSinceRead,
    FileVanished,
    MediaFileError,
    ReadOnlyLocation,
    SetupError,
)
from app.domain.playlists.file_snapshot import PlaylistFileSnapshot
from app.domain.playlists.m3u import PLAYLIST_EXTENSIONS

TEMP_PREFIX = ".crossfade-"
TEMP_SUFFIX = ".tmp"
STALE_TEMP_S = 600
MAX_PLAYLIST_BYTES = 64 * 1024 * 1024  # far beyond any real playlist; refuses device files


def _error(exc: OSError, path: str, action: str) -> MediaFileError:
    reason = f"{action}: {exc.strerror or type(exc).__name__}"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ESTALE):
        return FileVanished(reason, path=path)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return FileAccessDenied(reason, path=path)
    if exc.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT):
        return ReadOnlyLocation(reason, path=path)
    return MediaFileError(reason, path=path)


def is_playlist_name(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(PLAYLIST_EXTENSIONS)


def list_playlist_files(directory: str) -> list[str]:
    """Names of the playlist files (``.m3u``/``.m3u8``, any case) directly in ``directory``,
    sorted; hidden files and sub-folders are not playlists. A missing or unreadable folder is a
    :class:`SetupError`: nothing can be synced against it."""
    try:
        with os.scandir(directory) as entries:
            names = [
                entry.name
                for entry in entries
                if is_playlist_name(entry.name) and entry.is_file(follow_symlinks=True)
            ]
    except OSError as exc:
        raise SetupError(
            f"playlist folder {directory} cannot be listed: {exc.strerror or exc}"
        ) from exc
    return sorted(names)


def read_playlist_file(path: str) -> PlaylistFileSnapshot:
    """The file's bytes with the stat taken on the same open file."""
    try:
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            if not stat.S_ISREG(before.st_mode):
                raise MediaFileError("not a regular file", path=path)
            if before.st_size > MAX_PLAYLIST_BYTES:
                raise MediaFileError(f"larger than {MAX_PLAYLIST_BYTES} bytes", path=path)
            data = handle.read(MAX_PLAYLIST_BYTES + 1)
            after = os.fstat(handle.fileno())
    except OSError as exc:
        raise _error(exc, path, "read") from exc
    if len(data) != after.st_size or before.st_mtime_ns != after.st_mtime_ns:
        raise FileChangedSinceRead("changed while it was being read", path=path)
    return PlaylistFileSnapshot(path, data, after.st_size, after.st_mtime_ns)


def _current_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_PLAYLIST_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _error(exc, path, "re-read before writing") from exc


def _check_unchanged(path: str, expected: PlaylistFileSnapshot | None) -> None:
    current = _current_bytes(path)
    if expected is None:
        if current is not None:
            raise FileChangedSinceRead("a file of that name appeared meanwhile", path=path)
        return
    if current is None:
        raise FileChangedSinceRead("deleted since it was read", path=path)
    if current != expected.data:
        raise FileChangedSinceRead("changed since it was read", path=path)


def _remove_stale_temps(directory: str) -> None:
    cutoff = time.time() - STALE_TEMP_S
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)


def _fsync_dir(directory: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _new_mode(expected: PlaylistFileSnapshot | None, path: str) -> int:
    if expected is not None:
        with contextlib.suppress(OSError):
            return stat.S_IMODE(os.stat(path).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_NO_HARDLINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK})


def _place_new(temp: str, path: str) -> None:
    """Put ``temp`` in place as ``path`` without ever replacing an existing file: ``link``
    fails when the name exists. File systems without hardlinks (FAT, some SMB mounts) get a
    rename after one more check."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise FileChangedSinceRead("a file of that name appeared meanwhile", path=path) from None
    except OSError as exc:
        if exc.errno not in _NO_HARDLINKS:
            raise
        _check_unchanged(path, None)
        os.replace(temp, path)
        return
    os.unlink(temp)


def write_playlist_file(
    path: str, data: bytes, *, replacing: PlaylistFileSnapshot | None
) -> PlaylistFileSnapshot:
    """Write ``data`` to ``path`` atomically.

    ``replacing`` is the snapshot the new content was planned from: the file must still hold
    exactly its bytes. ``None`` means the file must not exist (a new playlist).
    """
    directory = os.path.dirname(path) or "."
    _remove_stale_temps(directory)
    temp = os.path.join(directory, f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}")
    try:
        mode = _new_mode(replacing, path)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), mode)
                os.fsync(handle.fileno())
            _check_unchanged(path, replacing)
            if replacing is None:
                _place_new(temp, path)
            else:
                os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_dir(directory)
        written = os.stat(path)
    except OSError as exc:
        raise _error(exc, path, "write") from exc
    return PlaylistFileSnapshot(path, data, written.st_size, written.st_mtime_ns)


def delete_playlist_file(path: str, *, expected: PlaylistFileSnapshot) -> None:
    """Remove the file, unless it changed since ``expected`` was read."""
    _check_unchanged(path, expected)
    try:
        os.unlink(path)
    except OSError as exc:
        raise _error(exc, path, "delete") from exc
    _fsync_dir(os.path.dirname(path) or ".")
