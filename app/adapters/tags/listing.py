"""Finding audio files under a folder (by extension, case-insensitively; no symlinked dirs).

An entry named like audio that is not a regular file is never opened: a FIFO, a device, a
socket, a symlink loop, a dangling symlink or a symlink that leads outside the root is reported
to ``on_error`` (one error each) and left out. A symlink to a regular file inside the root is
listed under its own name; a folder named like audio (``x.flac/``) is walked as a folder.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator

from app.adapters.tags.safe_write import is_crossfade_temp
from app.adapters.tags.translate import from_os_error
from app.domain.errors import FileVanished, MediaFileError, UnsupportedFormat
from app.domain.special_files import SpecialKind, is_inside, special_kind

AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".mp3", ".aif", ".aiff", ".aifc", ".wav", ".wave", ".dsf",
        ".flac", ".ogg", ".oga", ".opus", ".spx",
        ".m4a", ".m4b", ".mp4", ".alac",
        ".wma", ".asf",
        ".ape", ".wv", ".mpc", ".mp+", ".mpp",
    }
)  # fmt: skip


def is_audio_name(name: str) -> bool:
    """By extension, as ``os.path.splitext`` sees it (a name of only leading dots and an
    extension, ``.mp3``, has none); our own temporary files never count."""
    dot = name.rfind(".")
    if dot <= 0 or not name[:dot].strip("."):
        return False
    if name[dot:].lower() not in AUDIO_EXTENSIONS:
        return False
    return not (name[0] == "." and is_crossfade_temp(name))


def iter_audio_files(
    root: str | os.PathLike[str],
    *,
    on_error: Callable[[MediaFileError], None] | None = None,
) -> Iterator[str]:
    """Paths of audio files under ``root`` in a stable (sorted) order. Folders that cannot be
    listed, and audio names that are not regular files, are reported to ``on_error`` and
    skipped."""
    top = os.fspath(root)
    real_root = os.path.realpath(top)

    def report(error: MediaFileError) -> None:
        if on_error is not None:
            on_error(error)

    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            report(from_os_error(exc, folder, action="list folder"))
            continue
        subfolders: list[str] = []
        for entry in listed:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                elif not is_audio_name(entry.name):
                    continue
                elif entry.is_file(follow_symlinks=False):
                    yield entry.path
                else:
                    problem = _special_problem(entry, real_root)
                    if problem is None:
                        yield entry.path
                    else:
                        report(problem)
            except OSError as exc:
                report(from_os_error(exc, entry.path, action="stat"))
        pending.extend(reversed(subfolders))


def _special_problem(entry: os.DirEntry[str], real_root: str) -> MediaFileError | None:
    """None for a symlink to a regular file inside the root (listed like a file), else why
    the entry is left out."""
    if not entry.is_symlink():
        kind = special_kind(entry.stat(follow_symlinks=False).st_mode)
        return UnsupportedFormat(kind.value, path=entry.path)
    try:
        target = entry.stat()
    except FileNotFoundError:
        return FileVanished(SpecialKind.DANGLING.value, path=entry.path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return UnsupportedFormat(SpecialKind.SYMLINK_LOOP.value, path=entry.path)
        raise
    if not is_inside(os.path.realpath(entry.path), real_root):
        return UnsupportedFormat(SpecialKind.OUTSIDE_ROOT.value, path=entry.path)
    if stat.S_ISREG(target.st_mode):
        return None
    if stat.S_ISDIR(target.st_mode):
        return UnsupportedFormat("a symlink to a folder, not followed", path=entry.path)
    return UnsupportedFormat(special_kind(target.st_mode).value, path=entry.path)


def iter_audio_stats(
    root: str | os.PathLike[str],
    *,
    on_error: Callable[[MediaFileError], None] | None = None,
) -> Iterator[tuple[str, int, int]]:
    """``(path, size_bytes, mtime_ns)`` of every audio file under ``root``, sorted like
    :func:`iter_audio_files`, with one ``stat`` per file (for a file-state cache)."""
    for path in iter_audio_files(root, on_error=on_error):
        try:
            info = os.stat(path)
        except OSError as exc:
            if on_error is not None:
                on_error(from_os_error(exc, path, action="stat"))
            continue
        yield path, info.st_size, info.st_mtime_ns
