"""Mirror a movie library between Plex and Jellyfin layouts: sync, diff and plan.

Call from a job handler or the CLI::

    request = MirrorRequest(source=Path(...), target=Path(...), mode="hardlink", delete=True)
    outcome = sync(request, reporter, on_changed=refresh)   # SyncOutcome
    outcome = diff(request, reporter)                       # DiffOutcome
    outcome = plan(request)                                 # PlanOutcome

``reporter`` is a :class:`MirrorReporter` (progress, one :class:`MirrorEvent` per file, and a
cancellation check between movies); events are handed over as they happen and never kept, so
memory stays flat. :mod:`app.services.mirror.documents` turns outcomes and events into the
JSON documents. ``on_changed`` receives the target movie folders a real run changed (for a
partial Plex/Jellyfin refresh); its errors are reported, never fatal. Setup problems come back
as ``outcome.error`` with exit code 1 (sync) or 2 (diff, plan); nothing is raised for them.

Safety rules (docs/MIRROR.md): a target inside the source or a source inside the target is refused;
``--delete`` is refused when the source has no movies or shrank by more than ``max_shrink``
since the last run (a missing mount must never wipe the target); a stray that is the last link
to its data is kept unless ``delete_last_copies``; the target's file system is checked before
anything is created; one run at a time per target (a lock); replacements are atomic.

The index of the last run (:mod:`app.domain.mirror.index`) lives in
``<target>/.crossfade/mirror-index.json`` by default: it travels with the target it protects,
needs no data directory (the CLI has none), and dot folders are invisible to Plex, Jellyfin and
the mirror itself. ``index_path`` overrides it (a job runner may keep it in its data
directory). Besides the shrink guard's movie count, it holds the movies a real run found in
sync, with a stamp of each of their directories taken before it read them: while the stamps
hold, a later run neither walks nor plans those movies (a movie the run changed is recorded
by the next run that finds it in sync). ``full_scan`` ignores it. Dry runs, diffs and plans
read it but never write it; only real runs take the lock.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from app.adapters.files import (
    TargetLock,
    check_target,
    dir_stamp,
    file_meta,
    leftover_paths,
    list_names,
    make_dir,
    place_copy,
    place_link,
    read_bytes,
    real_path,
    remove_entries,
    remove_leftovers,
    scan_tree,
    write_atomically,
)
from app.adapters.gc_pause import paused_gc
from app.domain.errors import (
    CrossfadeError,
    DeleteRefused,
    MediaFileError,
    SetupError,
    UnsafeLayout,
)
from app.domain.mirror.diff import DiffReport, diff_target
from app.domain.mirror.grammar import parse_folder
from app.domain.mirror.index import RunIndex, decode_index, encode_index, settle_movie
from app.domain.mirror.naming import IGNORE_MARKERS, METADATA_SUFFIXES, Format, opposite
from app.domain.mirror.plan import plan_mirror
from app.domain.mirror.planned import MirrorPlan, PlanOptions
from app.domain.mirror.reconcile import (
    FileStep,
    MkdirStep,
    Mode,
    MovieSteps,
    ReconcileOptions,
    RemoveStep,
    Step,
    SyncSteps,
    reconcile,
)
from app.domain.mirror.snapshot import DirNode, SettledMovie, guess_format

log = logging.getLogger(__name__)

FormatChoice = Literal["plex", "jellyfin", "auto"]
Side = Literal["source", "target"]

STATE_DIR = ".crossfade"
INDEX_NAME = "mirror-index.json"
LOCK_NAME = "mirror.lock"

EXIT_OK = 0
EXIT_SETUP_ERROR = 1
EXIT_FOLDER_CLASH = 2
EXIT_ITEM_ERRORS = 3
EXIT_CANCELLED = 10
DIFF_IN_SYNC = 0
DIFF_DIFFERENT = 1
DIFF_SETUP_ERROR = 2
PLAN_OK = 0
PLAN_SETUP_ERROR = 2

DEFAULT_MAX_SHRINK = 0.25


@dataclass(frozen=True)
class MirrorRequest:
    """One mirror run. ``max_shrink`` is the fraction of the last run's movies the source may
    lose before ``--delete`` is refused; ``full_scan`` walks and plans everything even when
    the index says a movie is unchanged."""

    source: Path
    target: Path
    source_format: FormatChoice = "auto"
    target_format: FormatChoice = "auto"
    mode: Mode = "hardlink"
    dry_run: bool = False
    delete: bool = False
    create: bool = False
    delete_last_copies: bool = False
    max_shrink: float = DEFAULT_MAX_SHRINK
    metadata_suffixes: frozenset[str] = METADATA_SUFFIXES
    index_path: Path | None = None
    full_scan: bool = False


@dataclass(frozen=True, slots=True)
class MirrorEvent:
    """One per file: ``link``, ``replace``, ``skip``, ``remove`` (with ``context``
    ``library_stray``/``movie_stray``/``asset_stray``), ``keep`` (a stray kept because it is
    the last link to its data) and ``error`` (``detail`` says why). Paths are absolute."""

    action: str
    target: str
    source: str | None = None
    context: str | None = None
    detail: str | None = None


class MirrorReporter(Protocol):
    def progress(self, phase: str, done: int, total: int) -> None: ...

    def event(self, event: MirrorEvent) -> None: ...

    def is_cancelled(self) -> bool: ...


class NullReporter:
    """Discards everything; never cancels."""

    def progress(self, phase: str, done: int, total: int) -> None:
        _ = (phase, done, total)

    def event(self, event: MirrorEvent) -> None:
        _ = event

    def is_cancelled(self) -> bool:
        return False


ChangedFolders = Callable[[Sequence[Path]], None]
"""Port: told the target movie folders a real run changed (e.g. a Plex partial refresh)."""


@dataclass(frozen=True)
class SyncSummary:
    movies_total: int = 0
    movies_processed: int = 0
    movies_settled: int = 0
    files_updated: int = 0
    files_skipped: int = 0
    files_removed: int = 0
    remove_errors: int = 0
    removals_refused: int = 0
    item_errors: int = 0
    items_ignored: int = 0
    strays_in_target: int = 0
    clashes: int = 0
    marked_in_source: int = 0
    marked_in_target: int = 0


@dataclass(frozen=True)
class SyncOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    dry_run: bool
    source_format: Format | None = None
    target_format: Format | None = None
    summary: SyncSummary = field(default_factory=SyncSummary)
    plan: MirrorPlan | None = None
    strays_in_target: tuple[str, ...] = ()
    nested_strays: tuple[str, ...] = ()
    changed_folders: tuple[Path, ...] = ()
    error: CrossfadeError | None = None
    refresh_error: CrossfadeError | None = None
    cancelled: bool = False
    marked_root: Side | None = None


@dataclass(frozen=True)
class DiffOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    source_format: Format | None = None
    target_format: Format | None = None
    report: DiffReport | None = None
    plan: MirrorPlan | None = None
    error: CrossfadeError | None = None
    marked_root: Side | None = None


@dataclass(frozen=True)
class PlanOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    source_format: Format | None = None
    target_format: Format | None = None
    plan: MirrorPlan | None = None
    error: CrossfadeError | None = None
    marked_root: Side | None = None


# --------------------------------------------------------------------------------------------
# setup shared by sync, diff and plan
# --------------------------------------------------------------------------------------------


@dataclass
class _Setup:
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


def _roots(request: MirrorRequest) -> tuple[Path, Path]:
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


class _RootMarked(Exception):
    """A library root holds an ignore marker: the run changes nothing (jellyplex-sync)."""

    def __init__(self, side: Side, formats: tuple[Format | None, Format | None]) -> None:
        super().__init__(side)
        self.side = side
        self.formats = formats


def _explicit(choice: FormatChoice) -> Format | None:
    return None if choice == "auto" else choice


def _marked(root: Path) -> bool:
    return any((root / marker).exists() for marker in IGNORE_MARKERS)


def _setup(request: MirrorRequest, *, use_index: bool, settle: bool = False) -> _Setup:
    """Check the paths, read the index, walk the source (all but the movies the index shows
    unchanged) and resolve the formats. ``settle``: this run may record movies in the index,
    so the walks stamp directories."""
    source_root, target_root = _roots(request)
    if not source_root.is_dir():
        what = "is not a directory" if source_root.exists() else "does not exist"
        raise SetupError(f"Source directory '{source_root}' {what}")
    _check_layout(source_root, target_root)
    if target_root.exists() and not target_root.is_dir():
        raise SetupError(f"Target '{target_root}' is not a directory")
    if _marked(source_root):
        raise _RootMarked(
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
        raise _RootMarked("target", formats)
    return _Setup(
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


def _settle_target(setup: _Setup) -> tuple[tuple[SettledMovie, ...], DirNode | None]:
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


def _plan_options(request: MirrorRequest, setup: _Setup) -> PlanOptions:
    return PlanOptions(setup.source_format, setup.target_format, request.metadata_suffixes)


def count_movies(setup: _Setup) -> int:
    """Movie folders of the source (readable, unmarked, with a name that parses)."""
    fmt = setup.source_format
    scanned = sum(
        1
        for node in setup.source_tree.dirs
        if not node.marked and node.error is None and parse_folder(fmt, node.name)
    )
    return scanned + len(setup.candidates)


def _guard_delete(request: MirrorRequest, setup: _Setup) -> None:
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


# --------------------------------------------------------------------------------------------
# applying the steps of a sync
# --------------------------------------------------------------------------------------------


@dataclass
class _Counters:
    movies_processed: int = 0
    movies_settled: int = 0
    files_updated: int = 0
    files_skipped: int = 0
    files_removed: int = 0
    remove_errors: int = 0
    removals_refused: int = 0
    item_errors: int = 0


class _Applier:
    """Carries out (or, in a dry run, only announces) the steps of one sync."""

    def __init__(
        self,
        source_root: Path,
        target_root: Path,
        reporter: MirrorReporter,
        *,
        dry_run: bool,
    ) -> None:
        self.source_root = source_root
        self.target_root = target_root
        self.reporter = reporter
        self.dry_run = dry_run
        self.counters = _Counters()
        self.changed: set[str] = set()
        self.troubled = False
        self._source_prefix = f"{source_root}/"
        self._target_prefix = f"{target_root}/"

    def target_path(self, relative: str) -> str:
        return self._target_prefix + relative

    def _touch(self, relative: str) -> None:
        self.changed.add(relative.split("/", 1)[0])

    def _error(self, relative: str, error: CrossfadeError | str) -> None:
        self.troubled = True
        self.counters.item_errors += 1
        self.reporter.event(MirrorEvent("error", self.target_path(relative), detail=str(error)))

    def settled(self, movie: SettledMovie) -> None:
        """Announce the files of a movie known to be in sync."""
        source = f"{self._source_prefix}{movie.source_folder}/"
        target = f"{self._target_prefix}{movie.target_folder}/"
        event = self.reporter.event
        for source_rel, target_rel in movie.files:
            event(MirrorEvent("skip", target + target_rel, source + source_rel))
        self.counters.files_skipped += len(movie.files)
        self.counters.movies_processed += 1
        self.counters.movies_settled += 1

    def movie(self, movie_steps: MovieSteps) -> bool:
        """Apply one movie's steps; True when it was found in sync: every step a skip."""
        self.troubled = False
        for step in movie_steps.steps:
            self.apply(step)
            if not isinstance(step, FileStep) or step.action != "skip":
                self.troubled = True
        self.counters.movies_processed += 1
        return not self.troubled

    def apply(self, step: Step) -> None:
        if isinstance(step, FileStep):
            self._file(step)
        elif isinstance(step, RemoveStep):
            self._remove(step)
        elif isinstance(step, MkdirStep):
            if not self.dry_run:
                try:
                    make_dir(self.target_path(step.target))
                except MediaFileError as exc:
                    self._error(step.target, exc)
                    return
            self._touch(step.target)
        else:
            self._error(step.target, step.reason)

    def _file(self, step: FileStep) -> None:
        planned = step.file
        target = self.target_path(planned.target)
        source = self._source_prefix + planned.source
        if step.action == "skip":
            self.counters.files_skipped += 1
            self.reporter.event(MirrorEvent("skip", target, source))
            return
        if not self.dry_run:
            place = place_copy if step.copy else place_link
            try:
                identity = (planned.meta.dev, planned.meta.ino)
                place(source, target, replace=step.action == "replace", identity=identity)
            except MediaFileError as exc:
                self._error(planned.target, exc)
                return
        self.counters.files_updated += 1
        self._touch(planned.target)
        self.reporter.event(MirrorEvent(step.action, target, source))

    def _remove(self, step: RemoveStep) -> None:
        for kept in step.kept:
            self.troubled = True
            self.counters.removals_refused += 1
            self.reporter.event(
                MirrorEvent(
                    "keep",
                    self.target_path(kept),
                    context=step.context,
                    detail="the last link to its data: pass --delete-last-copies to remove it",
                )
            )
        if not step.unlink and not step.rmdir:
            return
        self.reporter.event(
            MirrorEvent("remove", self.target_path(step.target), context=step.context)
        )
        self._touch(step.target)
        if self.dry_run:
            self.counters.files_removed += len(step.unlink)
            return
        result = remove_entries(str(self.target_root), step.unlink, step.rmdir)
        self.counters.files_removed += result.files_removed
        for error in result.errors:
            self.troubled = True
            self.counters.remove_errors += 1
            self.reporter.event(
                MirrorEvent("error", error.path, context=step.context, detail=error.reason)
            )


def _summary(plan: MirrorPlan, counters: _Counters, strays: int) -> SyncSummary:
    return SyncSummary(
        movies_total=plan.movies_total,
        movies_processed=counters.movies_processed,
        movies_settled=counters.movies_settled,
        files_updated=counters.files_updated,
        files_skipped=counters.files_skipped,
        files_removed=counters.files_removed,
        remove_errors=counters.remove_errors,
        removals_refused=counters.removals_refused,
        item_errors=counters.item_errors,
        items_ignored=len(plan.ignored),
        strays_in_target=strays,
        clashes=len(plan.clashes),
        marked_in_source=len(plan.marked_in_source),
        marked_in_target=len(plan.marked_in_target),
    )


def _first_file(tree: DirNode, root: Path) -> Path | None:
    for relative, _node in tree.iter_files():
        return root / relative
    return None


# --------------------------------------------------------------------------------------------
# sync
# --------------------------------------------------------------------------------------------


def sync(
    request: MirrorRequest,
    reporter: MirrorReporter | None = None,
    on_changed: ChangedFolders | None = None,
) -> SyncOutcome:
    """Mirror ``request.source`` into ``request.target``; see the module docstring."""
    reporter = reporter or NullReporter()
    source_root, target_root = _roots(request)
    lock: TargetLock | None = None
    try:
        with paused_gc():
            reporter.progress("scan", 0, 2)
            setup = _setup(request, use_index=True, settle=not request.dry_run)
            if not setup.target_exists and not request.create:
                raise SetupError(f"Target directory '{setup.target_root}' does not exist")
            _guard_delete(request, setup)
            if not request.dry_run:
                sample = _first_file(setup.source_tree, setup.source_root)
                if sample is None and setup.candidates:
                    movie = setup.candidates[0]
                    if movie.files:
                        sample = setup.source_root / movie.source_folder / movie.files[0][0]
                link_sample = sample if request.mode == "hardlink" else None
                check_target(setup.source_root, setup.target_root, link_sample=link_sample)
                if not setup.target_exists:
                    make_dir(str(setup.target_root))
                    setup.target_exists = True
                lock = TargetLock(setup.target_root / STATE_DIR / LOCK_NAME)
                lock.acquire()
            settled, target_tree = _settle_target(setup)
            reporter.progress("scan", 2, 2)
            return _run_sync(request, setup, settled, target_tree, reporter, on_changed)
    except _RootMarked as marked:
        log.warning(
            "Nothing was synced: the %s library contains an ignore marker; delete it to "
            "include the library",
            marked.side,
        )
        return SyncOutcome(
            EXIT_OK,
            source_root,
            target_root,
            request.dry_run,
            *marked.formats,
            marked_root=marked.side,
        )
    except CrossfadeError as exc:
        log.error("%s", exc)
        return SyncOutcome(EXIT_SETUP_ERROR, source_root, target_root, request.dry_run, error=exc)
    finally:
        if lock is not None:
            lock.release()


def _run_sync(
    request: MirrorRequest,
    setup: _Setup,
    settled: tuple[SettledMovie, ...],
    target_tree: DirNode | None,
    reporter: MirrorReporter,
    on_changed: ChangedFolders | None,
) -> SyncOutcome:
    plan = plan_mirror(setup.source_tree, target_tree, _plan_options(request, setup), settled)
    reporter.progress("plan", 1, 1)
    applier = _Applier(setup.source_root, setup.target_root, reporter, dry_run=request.dry_run)

    def outcome(
        code: int,
        steps: SyncSteps | None = None,
        *,
        cancelled: bool = False,
        changed: tuple[Path, ...] = (),
        refresh_error: CrossfadeError | None = None,
    ) -> SyncOutcome:
        strays = steps.library_strays if steps is not None else ()
        return SyncOutcome(
            code,
            setup.source_root,
            setup.target_root,
            request.dry_run,
            setup.source_format,
            setup.target_format,
            summary=_summary(plan, applier.counters, len(strays)),
            plan=plan,
            strays_in_target=strays,
            nested_strays=steps.nested_strays if steps is not None else (),
            changed_folders=changed,
            refresh_error=refresh_error,
            cancelled=cancelled,
        )

    if plan.folder_clashes:
        for clash in plan.folder_clashes:
            log.error(
                "Conflicting folders: %s -> '%s'",
                ", ".join(f"'{name}'" for name in clash.source_folder_names),
                clash.target_folder_name,
            )
        log.info("Nothing was synced. Rename one side of each conflict, then re-run")
        return outcome(EXIT_FOLDER_CLASH)

    options = ReconcileOptions(
        mode=request.mode,
        delete=request.delete,
        delete_last_copies=request.delete_last_copies,
        metadata_suffixes=request.metadata_suffixes,
    )
    steps = reconcile(plan, setup.source_tree, target_tree, options)
    if not request.dry_run and target_tree is not None:
        remove_leftovers(setup.target_root, leftover_paths(target_tree))

    work: list[tuple[str, SettledMovie | MovieSteps]] = [
        *((m.source_folder, m) for m in plan.settled),
        *((m.movie.source_folder, m) for m in steps.movies),
    ]
    work.sort(key=lambda item: item[0])
    in_sync: list[MovieSteps] = []
    for done, (_name, item) in enumerate(work):
        if reporter.is_cancelled():
            log.warning("Cancelled after %d of %d movies", done, len(work))
            return outcome(EXIT_CANCELLED, steps, cancelled=True)
        if isinstance(item, SettledMovie):
            applier.settled(item)
        elif applier.movie(item):
            in_sync.append(item)
        reporter.progress("apply", done + 1, len(work))
    for removal in steps.library_removals:
        applier.apply(removal)

    counters = applier.counters
    failed = counters.remove_errors or counters.item_errors or counters.removals_refused
    code = EXIT_ITEM_ERRORS if failed else EXIT_OK
    if request.dry_run:
        return outcome(code, steps)

    reporter.progress("index", 0, 1)
    newly_settled = _settle(request, setup, plan, steps, target_tree, in_sync)
    index = _index_of(request, setup, plan, (*plan.settled, *newly_settled))
    if not _same_index(setup.index, index):
        write_atomically(index_path_for(request, setup.target_root), encode_index(index))
    reporter.progress("index", 1, 1)
    changed = tuple(setup.target_root / name for name in sorted(applier.changed))
    refresh_error: CrossfadeError | None = None
    if changed and on_changed is not None:
        try:
            on_changed(changed)
        except CrossfadeError as exc:
            log.warning("Could not ask for a refresh of the changed folders: %s", exc)
            refresh_error = exc
    return outcome(code, steps, changed=changed, refresh_error=refresh_error)


# --------------------------------------------------------------------------------------------
# the index
# --------------------------------------------------------------------------------------------


def _unsettled_folders(plan: MirrorPlan, steps: SyncSteps) -> set[str]:
    """Source folders that must be looked at again next time: something in them was reported
    (ignored, marked, undecodable, clashing) or left behind (strays)."""
    folders = {clash.movie_folder for clash in plan.clashes}
    for path in (
        *(item.path for item in plan.ignored),
        *plan.marked_in_source,
        *plan.undecodable,
    ):
        folders.add(path.split("/", 1)[0])
    by_target = {m.target_folder: m.source_folder for m in plan.movies}
    for path in (*plan.marked_in_target, *steps.nested_strays):
        source = by_target.get(path.split("/", 1)[0])
        if source is not None:
            folders.add(source)
    return folders


def _settle(
    request: MirrorRequest,
    setup: _Setup,
    plan: MirrorPlan,
    steps: SyncSteps,
    target_tree: DirNode | None,
    in_sync: list[MovieSteps],
) -> list[SettledMovie]:
    """Record the movies this run found in sync (nothing to do but skips), with the stamps
    its walks took. Movies it changed are recorded by the next run that finds them in sync:
    stamps taken after our own writes could hide a change someone made meanwhile."""
    if not setup.stamps or target_tree is None:
        return []
    skip = _unsettled_folders(plan, steps)
    sources = {node.name: node for node in setup.source_tree.dirs}
    targets = {node.name: node for node in target_tree.dirs}
    settled: list[SettledMovie] = []
    for movie_steps in in_sync:
        movie = movie_steps.movie
        source = sources.get(movie.source_folder)
        target = targets.get(movie.target_folder)
        if movie.source_folder in skip or movie.protected or source is None or target is None:
            continue
        record = settle_movie(movie, source, target, request.mode, setup.started_ns)
        if record is not None:
            settled.append(record)
    return settled


def _index_of(
    request: MirrorRequest,
    setup: _Setup,
    plan: MirrorPlan,
    settled: Sequence[SettledMovie],
) -> RunIndex:
    return RunIndex(
        source=str(setup.source_root),
        target=str(setup.target_root),
        source_format=setup.source_format,
        target_format=setup.target_format,
        format_choices=(request.source_format, request.target_format),
        mode=request.mode,
        metadata_suffixes=tuple(sorted(request.metadata_suffixes)),
        movies_total=count_movies(setup),
        files_total=sum(len(m.files) for m in plan.settled)
        + sum(m.file_count() for m in plan.movies),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        settled=tuple(sorted(settled, key=lambda m: m.source_folder)),
    )


def _same_index(old: RunIndex | None, new: RunIndex) -> bool:
    """True when writing ``new`` would change nothing but the time: a run with nothing to do
    leaves the index alone."""
    return old is not None and replace(old, finished_at="") == replace(new, finished_at="")


# --------------------------------------------------------------------------------------------
# diff and plan
# --------------------------------------------------------------------------------------------


def diff(request: MirrorRequest, reporter: MirrorReporter | None = None) -> DiffOutcome:
    """Compare the target with what a sync would make of it. Read-only. Exit codes: 0 in
    sync, 1 differences, 2 setup error (or a library root holding an ignore marker). Movies
    the index shows unchanged since they were last in sync are not compared again."""
    reporter = reporter or NullReporter()
    source_root, target_root = _roots(request)
    try:
        with paused_gc():
            reporter.progress("scan", 0, 2)
            setup = _setup(request, use_index=True)
            if not setup.target_exists:
                raise SetupError(f"Target directory '{setup.target_root}' does not exist")
            settled, target_tree = _settle_target(setup)
            reporter.progress("scan", 2, 2)
            built = plan_mirror(
                setup.source_tree, target_tree, _plan_options(request, setup), settled
            )
            report = diff_target(
                built, setup.source_tree, target_tree, request.mode, request.metadata_suffixes
            )
    except _RootMarked as marked:
        error = SetupError(
            f"Not compared: the {marked.side} library contains an ignore marker; delete it to "
            "include the library"
        )
        log.error("%s", error)
        return DiffOutcome(
            DIFF_SETUP_ERROR,
            source_root,
            target_root,
            *marked.formats,
            error=error,
            marked_root=marked.side,
        )
    except CrossfadeError as exc:
        log.error("%s", exc)
        return DiffOutcome(DIFF_SETUP_ERROR, source_root, target_root, error=exc)
    return DiffOutcome(
        DIFF_IN_SYNC if report.in_sync else DIFF_DIFFERENT,
        setup.source_root,
        setup.target_root,
        setup.source_format,
        setup.target_format,
        report=report,
        plan=built,
    )


def plan(request: MirrorRequest) -> PlanOutcome:
    """The plan a sync would carry out, complete (the index is not used). Read-only; the
    target need not exist. Exit codes: 0 a plan, 2 setup error."""
    source_root, target_root = _roots(request)
    try:
        with paused_gc():
            setup = _setup(request, use_index=False)
            target_tree = (
                scan_tree(setup.target_root, follow_symlinks=False) if setup.target_exists else None
            )
            built = plan_mirror(setup.source_tree, target_tree, _plan_options(request, setup))
    except _RootMarked as marked:
        return PlanOutcome(
            PLAN_OK, source_root, target_root, *marked.formats, marked_root=marked.side
        )
    except CrossfadeError as exc:
        log.error("%s", exc)
        return PlanOutcome(PLAN_SETUP_ERROR, source_root, target_root, error=exc)
    return PlanOutcome(
        PLAN_OK,
        setup.source_root,
        setup.target_root,
        setup.source_format,
        setup.target_format,
        plan=built,
    )
