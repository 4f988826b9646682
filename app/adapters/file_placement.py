"""The file system side of the movie mirror: writing.

- :func:`place_link` / :func:`place_copy`: materializers. A new file is created under its
  final name only by an atomic ``link``; a copy or a replacement is written to a temporary name
  in the same directory and ``rename``\\ d over the target, so a crash (even ``SIGKILL``)
  leaves the old or the new file, never none and never a torn one.
- :func:`remove_entries`: stray removal, files first, then directories bottom-up.
- :func:`check_target`: the preflight that runs before anything is created: same device for
  hardlinks, and one test link (or file) in the target.
- :class:`TargetLock`: one run at a time per target (``flock``; ``msvcrt.locking`` on Windows).
- small state files (the mirror index), written atomically.

Every ``OSError`` is translated once, by :func:`app.adapters.files.file_error`, into an error of
``app.domain.errors``. Reading (the walk, stats) is :mod:`app.adapters.files`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from app.adapters.file_lock import lock_exclusive, unlock
from app.adapters.files import file_error, os_reason, temp_name
from app.domain.errors import (
    CrossDeviceTarget,
    FileChangedSinceRead,
    MediaFileError,
    MirrorError,
    TargetLocked,
)
from app.domain.mirror.snapshot import DirNode

# --------------------------------------------------------------------------------------------
# materializers
# --------------------------------------------------------------------------------------------


# The functions below take ``str`` paths and call ``os`` directly: a first sync of a large
# library makes one call per file and directory (110,000 for 10,000 movies), and building a
# ``Path`` for each costs more than the system call itself (``noqa: PTH`` marks those calls).


def _discard(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _beside(target: str) -> str:
    """A temporary name in the directory of ``target``."""
    head, sep, _name = target.rpartition("/")
    return f"{head}{sep}{temp_name()}"


def _check_identity(st: os.stat_result, identity: tuple[int, int] | None, where: str) -> None:
    if identity is not None and (st.st_dev, st.st_ino) != identity:
        raise FileChangedSinceRead("the source changed since the scan; not placed", path=where)


def _link_into_place(source: str, target: str, identity: tuple[int, int] | None) -> None:
    temp = _beside(target)
    try:
        os.link(source, temp)
        _check_identity(os.stat(temp, follow_symlinks=False), identity, source)
        os.replace(temp, target)
    except BaseException:
        _discard(temp)
        raise


def place_link(
    source: str, target: str, *, replace: bool, identity: tuple[int, int] | None = None
) -> None:
    """Make ``target`` a hardlink of ``source``: a plain ``link`` when nothing is there (atomic
    by itself), else a link to a temporary name renamed over the target (atomic).

    With ``identity`` (the ``(st_dev, st_ino)`` the scan saw), a link to any other file (the
    source was replaced, or a symlink retargeted out of the library since) is removed again
    and ``FileChangedSinceRead`` raised."""
    try:
        if not replace:
            try:
                os.link(source, target)
            except FileExistsError:
                _link_into_place(source, target, identity)  # it appeared since the scan
                return
            try:
                _check_identity(os.stat(target, follow_symlinks=False), identity, source)
            except FileChangedSinceRead:
                _discard(target)
                raise
            return
        _link_into_place(source, target, identity)
    except OSError as exc:
        raise file_error(exc, target if exc.errno != errno.ENOENT else source) from exc


def _copy_bytes(source_fd: int, target_fd: int) -> None:
    offset = 0
    try:
        while sent := os.sendfile(target_fd, source_fd, offset, 1 << 30):
            offset += sent
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP) or offset:
            raise
        while chunk := os.read(source_fd, 1 << 20):
            os.write(target_fd, chunk)


def place_copy(
    source: str, target: str, *, replace: bool, identity: tuple[int, int] | None = None
) -> None:
    """Make ``target`` a copy of ``source`` with its mtime and mode: written to a temporary
    name in the same directory, then renamed over the target. Atomic against a crash of the
    process (even ``SIGKILL``): the old file or the new one, never none, never a torn one.
    Not flushed to disk: after a power loss a short copy differs in size from its source and
    the next run replaces it. The source is opened without blocking (a FIFO put in its place
    since the scan never hangs the run) and, with ``identity``, must be the file the scan
    saw (else ``FileChangedSinceRead``)."""
    _ = replace  # a copy always goes through a temporary name
    temp = _beside(target)
    try:
        source_fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
        try:
            st = os.fstat(source_fd)
            _check_identity(st, identity, source)
            if not stat.S_ISREG(st.st_mode):
                raise FileChangedSinceRead(
                    "the source is not a regular file; not placed", path=source
                )
            target_fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _copy_bytes(source_fd, target_fd)
                os.fchmod(target_fd, stat.S_IMODE(st.st_mode))
                os.utime(target_fd, ns=(st.st_atime_ns, st.st_mtime_ns))
            finally:
                os.close(target_fd)
            os.replace(temp, target)
        except BaseException:
            _discard(temp)
            raise
        finally:
            os.close(source_fd)
    except OSError as exc:
        raise file_error(exc, target if exc.errno != errno.ENOENT else source) from exc


def make_dir(path: str) -> None:
    """Create directory ``path`` (and its parents when they are missing)."""
    try:
        try:
            os.mkdir(path)
        except FileNotFoundError:
            os.makedirs(path, exist_ok=True)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
    except OSError as exc:
        raise file_error(exc, path) from exc


@dataclass(frozen=True, slots=True)
class RemovalResult:
    files_removed: int
    errors: tuple[MediaFileError, ...] = ()


def remove_entries(root: str, unlink: Iterable[str], rmdir: Iterable[str]) -> RemovalResult:
    """Unlink files, then remove directories (given bottom-up), all relative to ``root``.
    One failure is recorded and the rest goes on; what is already gone counts as removed."""
    removed = 0
    errors: list[MediaFileError] = []
    for relative in unlink:
        path = f"{root}/{relative}"
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            errors.append(file_error(exc, path))
    for relative in rmdir:
        path = f"{root}/{relative}"
        try:
            os.rmdir(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            errors.append(file_error(exc, path))
    return RemovalResult(removed, tuple(errors))


# --------------------------------------------------------------------------------------------
# preflight and lock
# --------------------------------------------------------------------------------------------


def nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists."""
    current = path
    while not current.exists() and current.parent != current:
        current = current.parent
    return current


def real_path(path: Path) -> Path:
    """Absolute with symlinks resolved as far as the path exists."""
    return path.expanduser().resolve(strict=False)


def check_target(source_root: Path, target_root: Path, *, link_sample: Path | None) -> None:
    """Fail before anything is created when the target cannot take what the run would write.

    With ``link_sample`` (a file of the source; hardlink runs), the source and the target (or
    its nearest existing ancestor, when it is still to be created) must be on one device, and
    one test link is made and removed there; without, one test file is. Raises
    ``CrossDeviceTarget`` or ``MirrorError`` naming the way out.
    """
    probe_dir = nearest_existing(target_root)
    where = os.fsdecode(target_root)
    if link_sample is not None:
        try:
            source_dev = source_root.stat().st_dev
            target_dev = probe_dir.stat().st_dev
        except OSError as exc:
            raise MirrorError(f"cannot stat the libraries: {os_reason(exc)}", path=where) from exc
        if source_dev != target_dev:
            raise CrossDeviceTarget(
                f"'{os.fsdecode(source_root)}' and '{where}' are on different file systems: "
                "hardlinks cannot span them; use --copy",
                path=where,
            )
    probe = probe_dir / temp_name()
    try:
        if link_sample is not None:
            os.link(link_sample, probe)
        else:
            probe.touch(exist_ok=False)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise CrossDeviceTarget(
                f"cannot hardlink from '{os.fsdecode(source_root)}' into '{where}' (another "
                "mount of the file system?): use --copy, or one mount for both",
                path=where,
            ) from exc
        verb = "hardlink" if link_sample is not None else "write"
        raise MirrorError(
            f"cannot {verb} into '{os.fsdecode(probe_dir)}': {os_reason(exc)}", path=where
        ) from exc
    _discard(os.fspath(probe))


class TargetLock:
    """An exclusive, non-blocking ``flock`` on ``lock_path`` (created with its directory).
    The file is left in place: removing lock files races with the next taker."""

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        self._fd: int | None = None

    def acquire(self) -> None:
        where = os.fsdecode(self.lock_path)
        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise MirrorError(f"cannot create the lock: {os_reason(exc)}", path=where) from exc
        try:
            lock_exclusive(fd)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise TargetLocked(
                    f"another run is mirroring into this target (lock '{where}')", path=where
                ) from exc
            raise MirrorError(f"cannot lock: {os_reason(exc)}", path=where) from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> TargetLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


# --------------------------------------------------------------------------------------------
# small state files
# --------------------------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes | None:
    """The file's content, or None when it does not exist or cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary name beside ``path``, flush, then rename over it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(temp_name())
        try:
            with open(temp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temp.replace(path)
        except BaseException:
            _discard(os.fspath(temp))
            raise
    except OSError as exc:
        raise file_error(exc, path) from exc


def remove_leftovers(root: Path, relatives: Iterable[str]) -> int:
    """Remove temporary files an interrupted run left behind; returns how many went."""
    return remove_entries(os.fspath(root), relatives, ()).files_removed


def leftover_paths(node: DirNode, prefix: str = "") -> list[str]:
    found = [prefix + name for name in node.leftovers]
    for sub in node.dirs:
        found.extend(leftover_paths(sub, f"{prefix}{sub.name}/"))
    return found
