"""The setup shared by a mirror sync, diff and plan: check the paths, read the last run's index,
walk the source (all but the movies the index shows unchanged), resolve the formats; then the
target side of the settled movies and the ``--delete`` guard (docs/MIRROR.md)."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

from app.adapters.file_placement import read_bytes, real_path
from app.adapters.files import dir_stamp, file_meta, list_names, scan_tree
from app.domain.errors import (
    DeleteRefused,
    SetupError,
    UnsafeLayout,
)
from app.domain.mirror.grammar import parse_folder
from app.domain.mirror.index import RunIndex, decode_index
from app.domain.mirror.naming import IGNORE_MARKERS, Format, opposite
from app.domain.mirror.planned import PlanOptions
from app.domain.mirror.snapshot import DirNode, SettledMovie, guess_format
from app.services.mirror.model import INDEX_NAME, STATE_DIR, FormatChoice, MirrorRequest, Side

log = logging.getLogger(__name__)


@dataclass
class Setup:
    source_root: Path
    target_root: Path
    source_tree: DirNode
    source_format: Format
    target_format: Format
    target_exists: bool
    index: RunIndex | None
    candidates: tuple[SettledMovie, ...]
    """Settled movies of the index whose source side is unchanged (the target is checked
    later, under the lock); left out of ``source_tree``."""
    started_ns: int
    """When the walk began: stamps younger than that are too fresh to settle on."""
    stamps: bool
    """Whether the walks stamp directories: only worth it when the target has something that
    can already be in sync."""


def roots(request: MirrorRequest) -> tuple[Path, Path]:
    return real_path(request.source), real_path(request.target)


def _check_layout(source_root: Path, target_root: Path) -> None:
    if source_root == target_root:
        raise UnsafeLayout("Cannot mirror a library into itself", path=str(target_root))
    if target_root.is_relative_to(source_root):
        raise UnsafeLayout(
            f"The target '{target_root}' is inside the source '{source_root}'",
            path=str(target_root),
        )
    if source_root.is_relative_to(target_root):
        raise UnsafeLayout(
            f"The source '{source_root}' is inside the target '{target_root}'",
            path=str(source_root),
        )


def index_path_for(request: MirrorRequest, target_root: Path) -> Path:
    return request.index_path or target_root / STATE_DIR / INDEX_NAME


def load_index(path: Path) -> RunIndex | None:
    """The last run's index, or None when there is none or it cannot be used."""
    raw = read_bytes(path)
    if raw is None:
        return None
    index = decode_index(raw)
    if index is None:
        log.warning("Ignoring a mirror index that cannot be read: '%s'", path)
    return index


def _usable(
    request: MirrorRequest, index: RunIndex | None, source_root: Path, target_root: Path
) -> RunIndex | None:
    """``index`` when its settled movies mean something for this request."""
    if index is None or request.full_scan:
        return None
    fits = index.matches(
        source=str(source_root),
        target=str(target_root),
        format_choices=(request.source_format, request.target_format),
        mode=request.mode,
        metadata_suffixes=request.metadata_suffixes,
    )
    return index if fits else None


def _source_unchanged(movie: SettledMovie, source_root: Path) -> bool:
    base = f"{source_root}/{movie.source_folder}"
    for rel, stamp in movie.source_dirs:
        if dir_stamp(f"{base}/{rel}" if rel else base, follow_symlinks=True) != stamp:
            return False
    return True


def _target_unchanged(movie: SettledMovie, source_root: Path, target_root: Path) -> bool:
    base = f"{target_root}/{movie.target_folder}"
    for rel, stamp in movie.target_dirs:
        if dir_stamp(f"{base}/{rel}" if rel else base, follow_symlinks=False) != stamp:
            return False
    source_base = f"{source_root}/{movie.source_folder}/"
    target_base = base + "/"
    for index, size, mtime_ns in movie.copies:
        source_rel, target_rel = movie.files[index]
        source = file_meta(source_base + source_rel, follow_symlinks=True)
        target = file_meta(target_base + target_rel, follow_symlinks=False)
        if source is None or target is None:
            return False
        if (source.size, source.mtime_ns) != (size, mtime_ns):
            return False
        if (target.size, target.mtime_ns) != (size, mtime_ns):
            return False
        if (source.dev, source.ino) == (target.dev, target.ino):
            return False
    return True


def _resolve_formats(
    request: MirrorRequest, tree: DirNode, index: RunIndex | None
) -> tuple[Format, Format] | None:
    """The formats of the run; None when an index's formats no longer fit the source."""
    if request.source_format == "auto":
        guessed = guess_format(tree)
        if index is not None:
            if guessed is not None and guessed != index.source_format:
                return None
            guessed = index.source_format
        if guessed is None:
            raise SetupError(
                "Unable to determine source library type, please provide --source-format"
            )
        source_format: Format = guessed
    else:
        source_format = request.source_format
    target_format: Format = (
        opposite(source_format) if request.target_format == "auto" else request.target_format
    )
    if index is not None and (source_format, target_format) != (
        index.source_format,
        index.target_format,
    ):
        return None
    return source_format, target_format


class RootMarked(Exception):
    """A library root holds an ignore marker: the run changes nothing (jellyplex-sync)."""

    def __init__(self, side: Side, formats: tuple[Format | None, Format | None]) -> None:
        super().__init__(side)
        self.side = side
        self.formats = formats


def _explicit(choice: FormatChoice) -> Format | None:
    return None if choice == "auto" else choice


def _marked(root: Path) -> bool:
    return any((root / marker).exists() for marker in IGNORE_MARKERS)


def run_setup(request: MirrorRequest, *, use_index: bool, settle: bool = False) -> Setup:
    """Check the paths, read the index, walk the source (all but the movies the index shows
    unchanged) and resolve the formats. ``settle``: this run may record movies in the index,
    so the walks stamp directories."""
    source_root, target_root = roots(request)
    if not source_root.is_dir():
        what = "is not a directory" if source_root.exists() else "does not exist"
        raise SetupError(f"Source directory '{source_root}' {what}")
    _check_layout(source_root, target_root)
    if target_root.exists() and not target_root.is_dir():
        raise SetupError(f"Target '{target_root}' is not a directory")
    if _marked(source_root):
        raise RootMarked(
            "source", (_explicit(request.source_format), _explicit(request.target_format))
        )
    index = load_index(index_path_for(request, target_root)) if use_index else None
    usable = _usable(request, index, source_root, target_root)
    started_ns = time.time_ns()
    stamps = settle and target_root.is_dir() and bool(list_names(target_root))
    known = usable.settled if usable is not None else ()
    candidates = tuple(movie for movie in known if _source_unchanged(movie, source_root))
    skip = frozenset(movie.source_folder for movie in candidates)
    tree = scan_tree(source_root, follow_symlinks=True, skip=skip, stamps=stamps)
    formats = _resolve_formats(request, tree, usable)
    if formats is None:  # the index was made for other formats: start afresh
        usable, candidates = None, ()
        tree = scan_tree(source_root, follow_symlinks=True, stamps=stamps)
        formats = _resolve_formats(request, tree, None)
    assert formats is not None
    if target_root.is_dir() and _marked(target_root):
        raise RootMarked("target", formats)
    return Setup(
        source_root,
        target_root,
        tree,
        formats[0],
        formats[1],
        target_root.is_dir(),
        index,
        candidates,
        started_ns,
        stamps,
    )


def settle_target(setup: Setup) -> tuple[tuple[SettledMovie, ...], DirNode | None]:
    """Keep the candidates whose target side is unchanged too; the others go back into the
    source snapshot. Returns the settled movies and the target snapshot without them."""
    settled: list[SettledMovie] = []
    unsettled: list[str] = []
    for movie in setup.candidates:
        if setup.target_exists and _target_unchanged(movie, setup.source_root, setup.target_root):
            settled.append(movie)
        else:
            unsettled.append(movie.source_folder)
    if unsettled:
        skip = frozenset(m.source_folder for m in settled)
        setup.source_tree = scan_tree(
            setup.source_root, follow_symlinks=True, skip=skip, stamps=setup.stamps
        )
    setup.candidates = tuple(settled)
    if not setup.target_exists:
        return tuple(settled), None
    skip_target = frozenset(m.target_folder for m in settled)
    target = scan_tree(
        setup.target_root, follow_symlinks=False, skip=skip_target, stamps=setup.stamps
    )
    return tuple(settled), target


def plan_options(request: MirrorRequest, setup: Setup) -> PlanOptions:
    return PlanOptions(setup.source_format, setup.target_format, request.metadata_suffixes)


def count_movies(setup: Setup) -> int:
    """Movie folders of the source (readable, unmarked, with a name that parses)."""
    fmt = setup.source_format
    scanned = sum(
        1
        for node in setup.source_tree.dirs
        if not node.marked and node.error is None and parse_folder(fmt, node.name)
    )
    return scanned + len(setup.candidates)


def guard_delete(request: MirrorRequest, setup: Setup) -> None:
    """Refuse ``--delete`` when the source looks missing or much smaller than last time."""
    if not request.delete:
        return
    movies = count_movies(setup)
    target_names = list_names(setup.target_root) if setup.target_exists else ()
    if movies == 0 and target_names:
        raise DeleteRefused(
            f"Refusing --delete: the source '{setup.source_root}' has no movies (is it "
            "mounted?) and the target is not empty",
            path=str(setup.source_root),
        )
    last = setup.index
    if last is None or last.source != str(setup.source_root) or last.movies_total <= 0:
        return
    shrink = (last.movies_total - movies) / last.movies_total
    if shrink > request.max_shrink:
        needed = math.ceil(shrink * 100)
        raise DeleteRefused(
            f"Refusing --delete: the source has {movies} movies, {last.movies_total} at the "
            f"last run ({shrink:.0%} fewer, more than the {request.max_shrink:.0%} allowed). "
            f"Is it fully mounted? Re-run with --max-shrink {needed} to allow it",
            path=str(setup.source_root),
        )
