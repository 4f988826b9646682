"""The file system side of the movie mirror: reading.

- :func:`scan_tree`: an ``os.scandir`` walker that stats each entry once (directories are told
  by ``d_type``, so they cost no stat at all) and returns an immutable
  :class:`~app.domain.mirror.snapshot.DirNode` snapshot. Unreadable directories and vanished
  entries become part of the snapshot, never exceptions; names that are not UTF-8 stay as
  ``surrogateescape`` strings and round-trip to the same bytes. FIFOs, devices, sockets,
  symlink loops and symlinks that lead out of the walked root are recorded as
  :class:`~app.domain.mirror.snapshot.Special` entries with their kind, never opened nor
  followed.
- :func:`dir_stamp`, :func:`file_meta`, :func:`list_names`: single stats and listings.
- the temporary names of our writes, and :func:`file_error`, the one translation of an
  ``OSError`` on one file into an error of ``app.domain.errors``.

Writing (materializers, removal, the preflight, the lock, small state files) is
:mod:`app.adapters.file_placement`.
"""

from __future__ import annotations

import errno
import operator
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import (
    FileAccessDenied,
    FileVanished,
    MediaFileError,
    ReadOnlyLocation,
    SetupError,
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
    # After the loop: a marker later in the listing stops the walk.
    _scan_subdirs(others, walk, ancestors, dirs)
    return DirNode(
        name,
        files=tuple(files),
        dirs=tuple(dirs),
        specials=tuple(specials),
        leftovers=tuple(leftovers),
        stamp=stamp,
    )


def _scan_subdirs(
    others: list[os.DirEntry[str]],
    walk: _Walk,
    ancestors: frozenset[tuple[int, int]],
    dirs: list[DirNode],
) -> None:
    """Walk the plain subdirectories into ``dirs``; sorted by name again when ``dirs`` held
    followed symlinks already."""
    for entry in others:
        try:
            sub_stamp = _stamp_of(entry.stat(follow_symlinks=False)) if walk.stamps else None
        except OSError:
            continue  # vanished since the listing
        dirs.append(_scan(entry.path, entry.name, walk, ancestors, stamp=sub_stamp))
    if dirs and len(dirs) > len(others):
        dirs.sort(key=_by_name)


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
