"""The file system side of the movie mirror.

- :func:`scan_tree`: an ``os.scandir`` walker that stats each entry once (directories are told
  by ``d_type``, so they cost no stat at all) and returns an immutable
  :class:`~app.domain.mirror.snapshot.DirNode` snapshot. Unreadable directories and vanished entries
  become part of the snapshot, never exceptions; names that are not UTF-8 stay as
  ``surrogateescape`` strings and round-trip to the same bytes. FIFOs, devices, sockets,
  symlink loops and symlinks that lead out of the walked root are recorded as
  :class:`~app.domain.mirror.snapshot.Special` entries with their kind, never opened nor followed.
- :func:`place_link` / :func:`place_copy`: materializers. A new file is created under its
  final name only by an atomic ``link``; a copy or a replacement is written to a temporary name
  in the same directory and ``rename``\\ d over the target, so a crash (even ``SIGKILL``)
  leaves the old or the new file, never none and never a torn one.
- :func:`check_target`: the preflight that runs before anything is created: same device for
  hardlinks, and one test link (or file) in the target.
- :class:`TargetLock`: one run at a time per target (``fcntl.flock``).

Every ``OSError`` is translated here, once, into an error of ``app.domain.errors``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import operator
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from app.domain.errors import (
    CrossDeviceTarget,
    FileAccessDenied,
    FileChangedSinceRead,
    FileVanished,
    MediaFileError,
    MirrorError,
    ReadOnlyLocation,
    SetupError,
    TargetLocked,
)
from app.domain.mirror.naming import IGNORE_MARKERS
from app.domain.mirror.snapshot import DirNode, DirStamp, FileMeta, FileNode, Special
from app.domain.special_files import SpecialKind, is_inside, special_kind

TEMP_PREFIX = ".crossfade-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.crossfade-[0-9a-f]{16}\.tmp$")


def is_temp_name(name: str) -> bool:
    """A temporary name of ours, left behind by an interrupted run."""
    return _TEMP_NAME.match(name) is not None


def temp_name() -> str:
    return f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def os_reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def file_error(exc: OSError, path: Path | str) -> MediaFileError:
    """The one translation of an ``OSError`` on one file."""
    where = os.fsdecode(path)
    reason = os_reason(exc)
    if exc.errno == errno.EXDEV:
        return MediaFileError(f"cross-device link: {reason}", path=where)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return FileAccessDenied(reason, path=where)
    if exc.errno == errno.EROFS:
        return ReadOnlyLocation(reason, path=where)
    if exc.errno == errno.ENOENT:
        return FileVanished(reason, path=where)
    return MediaFileError(reason, path=where)


# --------------------------------------------------------------------------------------------
# walking
# --------------------------------------------------------------------------------------------


_by_name = operator.attrgetter("name")


def _meta(st: os.stat_result) -> FileMeta:
    return FileMeta(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_nlink)


def _stamp_of(st: os.stat_result) -> DirStamp:
    return DirStamp(st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True, slots=True)
class _Walk:
    """What stays the same for every directory of one walk. ``real_root`` is the resolved
    root, the fence for followed symlinks (None when symlinks are not followed)."""

    real_root: str | None
    markers: frozenset[str]
    stamps: bool


def _scan(
    path: str,
    name: str,
    walk: _Walk,
    ancestors: frozenset[tuple[int, int]],
    skip: frozenset[str] = frozenset(),
    stamp: DirStamp | None = None,
) -> DirNode:
    try:
        with os.scandir(path) as listing:
            entries = sorted(listing, key=_by_name)
    except OSError as exc:
        return DirNode(name, error=os_reason(exc))
    files: list[FileNode] = []
    dirs: list[DirNode] = []
    specials: list[Special] = []
    leftovers: list[str] = []
    others: list[os.DirEntry[str]] = []
    for entry in entries:
        entry_name = entry.name
        if entry_name[0] == ".":
            if entry_name in walk.markers:
                return DirNode(name, marked=True)
            if is_temp_name(entry_name):
                leftovers.append(entry_name)
            continue
        if entry_name in skip:
            continue
        try:
            # Regular files and directories first: d_type answers without a system call.
            if entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                files.append(
                    FileNode(
                        entry_name,
                        FileMeta(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_nlink),
                    )
                )
            elif entry.is_dir(follow_symlinks=False):
                others.append(entry)
            elif entry.is_symlink():
                _symlink(entry, walk, ancestors, files, dirs, specials)
            else:
                kind = special_kind(entry.stat(follow_symlinks=False).st_mode)
                specials.append(Special(entry_name, kind))
        except FileNotFoundError:
            continue  # vanished between the listing and the stat
        except OSError:
            specials.append(Special(entry_name, SpecialKind.UNREADABLE))
    for entry in others:  # after the loop: a marker later in the listing stops the walk
        try:
            sub_stamp = _stamp_of(entry.stat(follow_symlinks=False)) if walk.stamps else None
        except OSError:
            continue  # vanished since the listing
        dirs.append(_scan(entry.path, entry.name, walk, ancestors, stamp=sub_stamp))
    if dirs and len(dirs) > len(others):
        dirs.sort(key=_by_name)
    return DirNode(
        name,
        files=tuple(files),
        dirs=tuple(dirs),
        specials=tuple(specials),
        leftovers=tuple(leftovers),
        stamp=stamp,
    )


def _symlink(
    entry: os.DirEntry[str],
    walk: _Walk,
    ancestors: frozenset[tuple[int, int]],
    files: list[FileNode],
    dirs: list[DirNode],
    specials: list[Special],
) -> None:
    """A symlink: in a target a file to replace or remove; in a source what it points to,
    when that is inside the root and is not a directory the walk is already in."""
    if walk.real_root is None:
        files.append(FileNode(entry.name, _meta(entry.stat(follow_symlinks=False)), True))
        return
    try:
        st = entry.stat()
    except FileNotFoundError:
        specials.append(Special(entry.name, SpecialKind.DANGLING))
        return
    except OSError as exc:
        kind = SpecialKind.SYMLINK_LOOP if exc.errno == errno.ELOOP else SpecialKind.UNREADABLE
        specials.append(Special(entry.name, kind))
        return
    if not is_inside(os.path.realpath(entry.path), walk.real_root):
        specials.append(Special(entry.name, SpecialKind.OUTSIDE_ROOT))
    elif stat.S_ISDIR(st.st_mode):
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            specials.append(Special(entry.name, SpecialKind.SYMLINK_LOOP))
        else:
            sub_stamp = _stamp_of(st) if walk.stamps else None
            dirs.append(_scan(entry.path, entry.name, walk, ancestors | {key}, stamp=sub_stamp))
    elif stat.S_ISREG(st.st_mode):
        files.append(FileNode(entry.name, _meta(st), True))
    else:
        specials.append(Special(entry.name, special_kind(st.st_mode)))


def scan_tree(
    root: Path,
    *,
    follow_symlinks: bool,
    markers: frozenset[str] = IGNORE_MARKERS,
    skip: frozenset[str] = frozenset(),
    stamps: bool = False,
) -> DirNode:
    """Snapshot of ``root`` (its node is named ``""``). The source is walked following
    symlinks that stay inside ``root`` once resolved (with a loop guard; a symlink out of the
    root is a special entry), a target without: there a symlink is a file to replace or
    remove, never a way out of the tree. Entries of ``root`` named in ``skip`` are left out
    (movies known to be unchanged). With ``stamps``, each directory below the root is stamped
    (one more stat each) before it is read. Raises ``SetupError`` if ``root`` cannot be
    read."""
    where = os.fspath(root)
    try:
        st = root.stat()
    except OSError as exc:
        raise SetupError(f"cannot read '{where}': {os_reason(exc)}") from exc
    ancestors = frozenset({(st.st_dev, st.st_ino)})
    walk = _Walk(os.path.realpath(where) if follow_symlinks else None, markers, stamps)
    node = _scan(where, "", walk, ancestors, skip)
    if node.error is not None:
        raise SetupError(f"cannot read '{where}': {node.error}")
    return node


def dir_stamp(path: str, *, follow_symlinks: bool) -> DirStamp | None:
    """The stamp of directory ``path``, or None when it is not a directory (or is gone).

    Takes a ``str`` and calls ``os.stat`` directly: a run with nothing to do makes one call
    per directory of both libraries, and building a ``Path`` for each would cost as much as
    the calls themselves."""
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return DirStamp(st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


def file_meta(path: str, *, follow_symlinks: bool) -> FileMeta | None:
    """One stat of a regular file (``str`` path, like :func:`dir_stamp`), None otherwise."""
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _meta(st)


def list_names(root: Path) -> tuple[str, ...]:
    """Names in ``root`` that are not dot-entries (empty if it does not exist)."""
    try:
        with os.scandir(root) as listing:
            return tuple(sorted(e.name for e in listing if not e.name.startswith(".")))
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise SetupError(f"cannot read '{os.fsdecode(root)}': {os_reason(exc)}") from exc


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
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
            fcntl.flock(self._fd, fcntl.LOCK_UN)
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
