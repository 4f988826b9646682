"""Mirror a movie library between Plex and Jellyfin layouts: sync, diff and plan.

Call from a job handler or the CLI::

    request = MirrorRequest(source=Path(...), target=Path(...), mode="hardlink", delete=True)
    outcome = sync(request, reporter, on_changed=refresh)   # SyncOutcome
    outcome = diff(request, reporter)                       # DiffOutcome
    outcome = plan(request)                                 # PlanOutcome

``reporter`` is a :class:`MirrorReporter` (progress, one :class:`MirrorEvent` per file, and a
cancellation check between movies); events are handed over as they happen and never kept, so
memory stays flat. ``on_changed`` receives the target movie folders a real run changed (for a
partial Plex/Jellyfin refresh); its errors are reported, never fatal. Setup problems come back
as ``outcome.error`` with exit code 1 (sync) or 2 (diff, plan); nothing is raised for them.

Safety rules (MIRROR.md): a target inside the source or a source inside the target is refused;
``--delete`` is refused when the source has no movies or shrank by more than ``max_shrink``
since the last run (a missing mount must never wipe the target); a stray that is the last link
to its data is kept unless ``delete_last_copies``; the target's file system is checked before
anything is created; one run at a time per target (a lock); replacements are atomic.

The index of the last run lives in ``<target>/.crossfade/mirror-index.json`` by default: it
travels with the target it protects, needs no data directory (the CLI has none), and dot
folders are invisible to Plex, Jellyfin and the mirror itself. ``index_path`` overrides it
(a job runner may keep it in its data directory). It records the source, the formats and the
number of movies; a dry run neither reads a lock nor writes the index.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from app.adapters.files import (
    TargetLock,
    check_target,
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
from app.domain.errors import (
    CrossfadeError,
    DeleteRefused,
    MediaFileError,
    SetupError,
    UnsafeLayout,
)
from app.domain.mirror import (
    DiffReport,
    DirNode,
    FileStep,
    MirrorPlan,
    MkdirStep,
    Mode,
    PlanOptions,
    ReconcileOptions,
    RemoveStep,
    Step,
    SyncSteps,
    diff_target,
    guess_format,
    plan_mirror,
    reconcile,
)
from app.domain.movies import IGNORE_MARKERS, METADATA_SUFFIXES, Format, opposite, parse_folder

log = logging.getLogger(__name__)

FormatChoice = Literal["plex", "jellyfin", "auto"]

STATE_DIR = ".crossfade"
INDEX_NAME = "mirror-index.json"
LOCK_NAME = "mirror.lock"
INDEX_VERSION = 1

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
    lose before ``--delete`` is refused."""

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


@dataclass(frozen=True)
class PlanOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    source_format: Format | None = None
    target_format: Format | None = None
    plan: MirrorPlan | None = None
    error: CrossfadeError | None = None


# --------------------------------------------------------------------------------------------
# setup shared by sync, diff and plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    source_root: Path
    target_root: Path
    source_tree: DirNode
    source_format: Format
    target_format: Format
    target_exists: bool


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


def _resolve_formats(request: MirrorRequest, tree: DirNode) -> tuple[Format, Format]:
    source_format: Format | None = (
        None if request.source_format == "auto" else request.source_format
    )
    if source_format is None:
        source_format = guess_format(tree)
        if source_format is None:
            raise SetupError(
                "Unable to determine source library type, please provide --source-format"
            )
    target_format: Format = (
        opposite(source_format) if request.target_format == "auto" else request.target_format
    )
    return source_format, target_format


def _setup(request: MirrorRequest) -> _Setup:
    source_root, target_root = _roots(request)
    if not source_root.is_dir():
        what = "is not a directory" if source_root.exists() else "does not exist"
        raise SetupError(f"Source directory '{source_root}' {what}")
    _check_layout(source_root, target_root)
    if target_root.exists() and not target_root.is_dir():
        raise SetupError(f"Target '{target_root}' is not a directory")
    tree = scan_tree(source_root, follow_symlinks=True)
    source_format, target_format = _resolve_formats(request, tree)
    return _Setup(
        source_root, target_root, tree, source_format, target_format, target_root.is_dir()
    )


def _plan_options(request: MirrorRequest, setup: _Setup) -> PlanOptions:
    return PlanOptions(setup.source_format, setup.target_format, request.metadata_suffixes)


def _scan_target(setup: _Setup) -> DirNode | None:
    if not setup.target_root.is_dir():
        return None
    return scan_tree(setup.target_root, follow_symlinks=False)


# --------------------------------------------------------------------------------------------
# the index of the last run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunIndex:
    source: str
    target: str
    source_format: str
    target_format: str
    mode: str
    movies_total: int
    files_total: int
    finished_at: str


def index_path_for(request: MirrorRequest, target_root: Path) -> Path:
    return request.index_path or target_root / STATE_DIR / INDEX_NAME


def load_index(path: Path) -> RunIndex | None:
    """The last run's index, or None when there is none or it cannot be used."""
    raw = read_bytes(path)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if data.get("version") != INDEX_VERSION:
            return None
        return RunIndex(
            source=str(data["source"]),
            target=str(data["target"]),
            source_format=str(data["source_format"]),
            target_format=str(data["target_format"]),
            mode=str(data["mode"]),
            movies_total=int(data["movies_total"]),
            files_total=int(data["files_total"]),
            finished_at=str(data["finished_at"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("Ignoring an unreadable mirror index at '%s'", path)
        return None


def save_index(path: Path, index: RunIndex) -> None:
    data = {"version": INDEX_VERSION, **index.__dict__}
    write_atomically(path, json.dumps(data, indent=1).encode("ascii"))


def count_movies(tree: DirNode, source_format: Format) -> int:
    """Movie folders of the source (readable, unmarked, with a name that parses)."""
    return sum(
        1
        for node in tree.dirs
        if not node.marked and node.error is None and parse_folder(source_format, node.name)
    )


def _guard_delete(request: MirrorRequest, setup: _Setup) -> None:
    """Refuse ``--delete`` when the source looks missing or much smaller than last time."""
    if not request.delete:
        return
    movies = count_movies(setup.source_tree, setup.source_format)
    target_names = list_names(setup.target_root) if setup.target_exists else ()
    if movies == 0 and target_names:
        raise DeleteRefused(
            f"Refusing --delete: the source '{setup.source_root}' has no movies (is it "
            "mounted?) and the target is not empty",
            path=str(setup.source_root),
        )
    last = load_index(index_path_for(request, setup.target_root))
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
# sync
# --------------------------------------------------------------------------------------------


@dataclass
class _Counters:
    movies_processed: int = 0
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
        self._source_prefix = f"{source_root}/"
        self._target_prefix = f"{target_root}/"

    def target_path(self, relative: str) -> str:
        return self._target_prefix + relative

    def _touch(self, relative: str) -> None:
        self.changed.add(relative.split("/", 1)[0])

    def _error(self, relative: str, error: CrossfadeError | str) -> None:
        self.counters.item_errors += 1
        self.reporter.event(MirrorEvent("error", self.target_path(relative), detail=str(error)))

    def apply(self, step: Step) -> None:
        if isinstance(step, FileStep):
            self._file(step)
        elif isinstance(step, RemoveStep):
            self._remove(step)
        elif isinstance(step, MkdirStep):
            if not self.dry_run:
                try:
                    make_dir(self.target_root / step.target)
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
                place(Path(source), Path(target), replace=step.action == "replace")
            except MediaFileError as exc:
                self._error(planned.target, exc)
                return
        self.counters.files_updated += 1
        self._touch(planned.target)
        self.reporter.event(MirrorEvent(step.action, target, source))

    def _remove(self, step: RemoveStep) -> None:
        for kept in step.kept:
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
        result = remove_entries(self.target_root, step.unlink, step.rmdir)
        self.counters.files_removed += result.files_removed
        for error in result.errors:
            self.counters.remove_errors += 1
            self.reporter.event(
                MirrorEvent("error", error.path, context=step.context, detail=error.reason)
            )


def _summary(plan: MirrorPlan, counters: _Counters, strays: int) -> SyncSummary:
    return SyncSummary(
        movies_total=plan.movies_total,
        movies_processed=counters.movies_processed,
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
        reporter.progress("scan", 0, 2)
        setup = _setup(request)
        if not setup.target_exists and not request.create:
            raise SetupError(f"Target directory '{setup.target_root}' does not exist")
        if setup.source_tree.marked or _root_marked(setup):
            return _locked_outcome(request, setup)
        _guard_delete(request, setup)
        if not request.dry_run:
            sample = _first_file(setup.source_tree, setup.source_root)
            link_sample = sample if request.mode == "hardlink" else None
            check_target(setup.source_root, setup.target_root, link_sample=link_sample)
            if not setup.target_exists:
                make_dir(setup.target_root)
            lock = TargetLock(setup.target_root / STATE_DIR / LOCK_NAME)
            lock.acquire()
        target_tree = _scan_target(setup)
        reporter.progress("scan", 2, 2)
        return _run_sync(request, setup, target_tree, reporter, on_changed)
    except CrossfadeError as exc:
        log.error("%s", exc)
        return SyncOutcome(EXIT_SETUP_ERROR, source_root, target_root, request.dry_run, error=exc)
    finally:
        if lock is not None:
            lock.release()


def _root_marked(setup: _Setup) -> bool:
    return setup.target_exists and any(
        (setup.target_root / marker).exists() for marker in IGNORE_MARKERS
    )


def _locked_outcome(request: MirrorRequest, setup: _Setup) -> SyncOutcome:
    side = "source" if setup.source_tree.marked else "target"
    log.warning(
        "Nothing was synced: the %s library contains an ignore marker; delete it to include "
        "the library",
        side,
    )
    plan = MirrorPlan(
        setup.source_format,
        setup.target_format,
        marked_in_source=("",) if side == "source" else (),
        marked_in_target=("",) if side == "target" else (),
    )
    return SyncOutcome(
        EXIT_OK,
        setup.source_root,
        setup.target_root,
        request.dry_run,
        setup.source_format,
        setup.target_format,
        summary=_summary(plan, _Counters(), 0),
        plan=plan,
    )


def _run_sync(
    request: MirrorRequest,
    setup: _Setup,
    target_tree: DirNode | None,
    reporter: MirrorReporter,
    on_changed: ChangedFolders | None,
) -> SyncOutcome:
    plan = plan_mirror(setup.source_tree, target_tree, _plan_options(request, setup))
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

    total = len(steps.movies)
    for done, movie_steps in enumerate(steps.movies):
        if reporter.is_cancelled():
            log.warning("Cancelled after %d of %d movies", done, total)
            return outcome(EXIT_CANCELLED, steps, cancelled=True)
        for step in movie_steps.steps:
            applier.apply(step)
        applier.counters.movies_processed += 1
        reporter.progress("apply", done + 1, total)
    for removal in steps.library_removals:
        applier.apply(removal)

    counters = applier.counters
    failed = counters.remove_errors or counters.item_errors or counters.removals_refused
    code = EXIT_ITEM_ERRORS if failed else EXIT_OK
    if request.dry_run:
        return outcome(code, steps)

    save_index(index_path_for(request, setup.target_root), _index_of(request, setup, plan))
    changed = tuple(sorted(setup.target_root / name for name in applier.changed))
    refresh_error: CrossfadeError | None = None
    if changed and on_changed is not None:
        try:
            on_changed(changed)
        except CrossfadeError as exc:
            log.warning("Could not ask for a refresh of the changed folders: %s", exc)
            refresh_error = exc
    return outcome(code, steps, changed=changed, refresh_error=refresh_error)


def _index_of(request: MirrorRequest, setup: _Setup, plan: MirrorPlan) -> RunIndex:
    return RunIndex(
        source=str(setup.source_root),
        target=str(setup.target_root),
        source_format=setup.source_format,
        target_format=setup.target_format,
        mode=request.mode,
        movies_total=count_movies(setup.source_tree, setup.source_format),
        files_total=sum(1 for movie in plan.movies for _file in movie.all_files()),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


# --------------------------------------------------------------------------------------------
# diff and plan
# --------------------------------------------------------------------------------------------


def diff(request: MirrorRequest, reporter: MirrorReporter | None = None) -> DiffOutcome:
    """Compare the target with what a sync would make of it. Read-only. Exit codes: 0 in
    sync, 1 differences, 2 setup error (or a library root holding an ignore marker)."""
    reporter = reporter or NullReporter()
    source_root, target_root = _roots(request)
    try:
        reporter.progress("scan", 0, 2)
        setup = _setup(request)
        if not setup.target_exists:
            raise SetupError(f"Target directory '{setup.target_root}' does not exist")
        if setup.source_tree.marked or _root_marked(setup):
            side = "source" if setup.source_tree.marked else "target"
            raise SetupError(
                f"Not compared: the {side} library contains an ignore marker; delete it to "
                "include the library"
            )
        target_tree = _scan_target(setup)
        reporter.progress("scan", 2, 2)
        built = plan_mirror(setup.source_tree, target_tree, _plan_options(request, setup))
        report = diff_target(
            built, setup.source_tree, target_tree, request.mode, request.metadata_suffixes
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
    """The plan a sync would carry out. Read-only; the target need not exist. Exit codes: 0
    a plan, 2 setup error. Clashes and losses are in the plan, not in the exit code."""
    source_root, target_root = _roots(request)
    try:
        setup = _setup(request)
        target_tree = _scan_target(setup)
        built = plan_mirror(setup.source_tree, target_tree, _plan_options(request, setup))
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
