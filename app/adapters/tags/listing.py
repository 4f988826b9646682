"""Finding audio files under a folder (by extension, case-insensitively; no symlinked dirs)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from app.adapters.tags.safe_write import is_crossfade_temp
from app.adapters.tags.translate import from_os_error
from app.domain.errors import MediaFileError

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
    listed are reported to ``on_error`` and skipped."""
    pending = [os.fspath(root)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            if on_error is not None:
                on_error(from_os_error(exc, folder, action="list folder"))
            continue
        subfolders: list[str] = []
        for entry in listed:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                elif entry.is_file() and is_audio_name(entry.name):
                    yield entry.path
            except OSError as exc:
                if on_error is not None:
                    on_error(from_os_error(exc, entry.path, action="stat"))
        pending.extend(reversed(subfolders))


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
