"""Snapshots of a movie library tree, as the mirror reads them.

Pure values built by ``app.adapters.files`` (one stat per file, a stamp per directory when
asked) and the few rules that read them alone: whether a stamp is racy, the layout guess.
Paths are relative to the library roots, ``/``-separated, and may contain lone surrogates
(names that are not UTF-8); use :func:`app.domain.mirror.naming.printable` for output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from app.domain.mirror.naming import Format, FormatGuess, Loss, is_video_name, split_suffix
from app.domain.special_files import SpecialKind


class FileMeta(NamedTuple):
    """One ``stat`` of a file: enough to tell identity (dev, ino) and copies (size, mtime).

    Snapshot values are named tuples rather than dataclasses: a walk makes one per file
    (110,000 for a 10,000-movie mirror) and tuples are built several times faster."""

    size: int
    mtime_ns: int
    ino: int
    dev: int
    nlink: int


class FileNode(NamedTuple):
    name: str
    meta: FileMeta
    symlink: bool = False


class Special(NamedTuple):
    """An entry that is neither a regular file nor a directory to walk into."""

    name: str
    kind: SpecialKind = SpecialKind.OTHER


@dataclass(frozen=True, slots=True)
class DirNode:
    """A directory as walked. Dot-entries are left out. A ``marked`` directory holds an ignore
    marker and its children were not read; ``error`` says why a directory could not be read.
    ``specials`` are entries that are neither regular files nor directories (sockets, FIFOs,
    devices, dangling symlinks, symlink loops, symlinks out of the walked root), each with its
    kind; ``leftovers`` are temporary files of an interrupted run. ``stamp``
    is taken just before the directory was read, when the walk was asked for stamps."""

    name: str
    files: tuple[FileNode, ...] = ()
    dirs: tuple[DirNode, ...] = ()
    marked: bool = False
    error: str | None = None
    specials: tuple[Special, ...] = ()
    leftovers: tuple[str, ...] = ()
    stamp: tuple[int, int, int] | None = None

    def holds_marker(self) -> bool:
        """True if this directory or one below it is marked."""
        return self.marked or any(d.holds_marker() for d in self.dirs)

    def iter_files(self, prefix: str = "") -> Iterator[tuple[str, FileNode]]:
        for f in self.files:
            yield prefix + f.name, f
        for d in self.dirs:
            yield from d.iter_files(f"{prefix}{d.name}/")


class DirStamp(NamedTuple):
    """What changes when a directory's entries change: adding, removing or renaming an entry
    updates mtime and ctime, and ctime cannot be set back by anyone."""

    ino: int
    mtime_ns: int
    ctime_ns: int


RACY_WINDOW_NS = 100_000_000
COARSE_RACY_WINDOW_NS = 2_000_000_000


def is_racy(stamp: tuple[int, int, int], now_ns: int) -> bool:
    """True when a change right after ``now_ns`` could leave ``stamp`` (a :class:`DirStamp`)
    as it is: the same clock tick. File systems with whole-second times get a wider window."""
    _ino, mtime_ns, ctime_ns = stamp
    coarse = mtime_ns % 1_000_000_000 == 0 or ctime_ns % 1_000_000_000 == 0
    window = COARSE_RACY_WINDOW_NS if coarse else RACY_WINDOW_NS
    return max(mtime_ns, ctime_ns) >= now_ns - window


@dataclass(frozen=True, slots=True)
class SettledMovie:
    """A movie that was completely in sync at the end of the last real run, with a stamp of
    every directory on both sides (paths relative to the movie folders, ``""`` for the folder
    itself). While no stamp changed and the copied files still match, nothing can have changed
    in it, and a run needs neither to read nor to plan it.

    ``files`` are (source, target) paths relative to the movie folders; ``copies`` name the
    files materialized as copies, by index into ``files``, with their size and mtime."""

    source_folder: str
    target_folder: str
    source_dirs: tuple[tuple[str, tuple[int, int, int]], ...]
    target_dirs: tuple[tuple[str, tuple[int, int, int]], ...]
    files: tuple[tuple[str, str], ...] = ()
    copies: tuple[tuple[int, int, int], ...] = ()
    losses: tuple[Loss, ...] = ()


def join(*parts: str) -> str:
    """A relative path from non-empty names."""
    return "/".join(parts)


def leaf(path: str) -> str:
    """The last name of a relative path."""
    return path.rsplit("/", 1)[-1]


def guess_format(source: DirNode) -> Format | None:
    """jellyplex-sync's layout detection, over the video files of the snapshot."""
    guess = FormatGuess()
    for _path, node in source.iter_files():
        if is_video_name(node.name):
            guess.add(split_suffix(node.name)[0])
            if guess.decided is not None:
                break
    return guess.result()
