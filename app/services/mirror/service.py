"""Mirror a movie library between Plex and Jellyfin layouts: sync, diff and plan.

Call from a job handler or the CLI::

    request = MirrorRequest(source=Path(...), target=Path(...), mode="hardlink", delete=True)
    outcome = sync(request, reporter, on_changed=refresh)   # SyncOutcome
    outcome = diff(request, reporter)                       # DiffOutcome
    outcome = plan(request)                                 # PlanOutcome

``reporter`` is the jobs-level ``app.services.ports.Reporter``: progress, one event per file
(:func:`app.services.mirror.model.report` hands each
:class:`~app.services.mirror.model.MirrorEvent` over), and a cancellation check between
movies (``check_cancelled`` raises; the run ends with exit code 10). Events are handed over
as they happen and never kept, so memory stays flat. :mod:`app.services.mirror.documents`
turns outcomes and events into the JSON documents. ``on_changed`` receives the target movie
folders a real run changed (for a partial Plex/Jellyfin refresh); its errors are reported,
never fatal. Setup problems come back as ``outcome.error`` with exit code 1 (sync) or 2 (diff,
plan); nothing is raised for them.

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

This module holds the three entry points; the request, events and outcomes are
:mod:`app.services.mirror.model`, the setup they share :mod:`app.services.mirror.setup`,
carrying out a sync's steps :mod:`app.services.mirror.apply` and the index a real run leaves
:mod:`app.services.mirror.settle`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.adapters.file_placement import (
    TargetLock,
    check_target,
    leftover_paths,
    make_dir,
    remove_leftovers,
    write_atomically,
)
from app.adapters.files import scan_tree
from app.adapters.gc_pause import paused_gc
from app.domain.errors import (
    CrossfadeError,
    SetupError,
)
from app.domain.mirror.diff import diff_target
from app.domain.mirror.index import encode_index
from app.domain.mirror.plan import plan_mirror
from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import (
    MovieSteps,
    ReconcileOptions,
    SyncSteps,
    reconcile,
)
from app.domain.mirror.snapshot import DirNode, SettledMovie
from app.services.mirror.apply import Applier, summarize
from app.services.mirror.model import (
    DIFF_DIFFERENT,
    DIFF_IN_SYNC,
    DIFF_SETUP_ERROR,
    EXIT_CANCELLED,
    EXIT_FOLDER_CLASH,
    EXIT_ITEM_ERRORS,
    EXIT_OK,
    EXIT_SETUP_ERROR,
    LOCK_NAME,
    PLAN_OK,
    PLAN_SETUP_ERROR,
    STATE_DIR,
    ChangedFolders,
    DiffOutcome,
    MirrorRequest,
    NullReporter,
    PlanOutcome,
    SyncOutcome,
)
from app.services.mirror.settle import index_of, same_index, settle_movies
from app.services.mirror.setup import (
    RootMarked,
    Setup,
    guard_delete,
    index_path_for,
    plan_options,
    roots,
    run_setup,
    settle_target,
)

if TYPE_CHECKING:  # the CLI runs the mirror: no runtime cost for a protocol
    from app.services.ports import Reporter

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# sync
# --------------------------------------------------------------------------------------------


def _first_file(tree: DirNode, root: Path) -> Path | None:
    for relative, _node in tree.iter_files():
        return root / relative
    return None


def sync(
    request: MirrorRequest,
    reporter: Reporter | None = None,
    on_changed: ChangedFolders | None = None,
) -> SyncOutcome:
    """Mirror ``request.source`` into ``request.target``; see the module docstring."""
    reporter = reporter or NullReporter()
    source_root, target_root = roots(request)
    lock: TargetLock | None = None
    try:
        with paused_gc():
            reporter.progress("scan", 0, 2)
            setup = run_setup(request, use_index=True, settle=not request.dry_run)
            if not setup.target_exists and not request.create:
                raise SetupError(f"Target directory '{setup.target_root}' does not exist")
            guard_delete(request, setup)
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
            settled, target_tree = settle_target(setup)
            reporter.progress("scan", 2, 2)
            return _run_sync(request, setup, settled, target_tree, reporter, on_changed)
    except RootMarked as marked:
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
    setup: Setup,
    settled: tuple[SettledMovie, ...],
    target_tree: DirNode | None,
    reporter: Reporter,
    on_changed: ChangedFolders | None,
) -> SyncOutcome:
    plan = plan_mirror(setup.source_tree, target_tree, plan_options(request, setup), settled)
    reporter.progress("plan", 1, 1)
    applier = Applier(setup.source_root, setup.target_root, reporter, dry_run=request.dry_run)

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
            summary=summarize(plan, applier.counters, len(strays)),
            plan=plan,
            strays_in_target=strays,
            nested_strays=steps.nested_strays if steps is not None else (),
            changed_folders=changed,
            refresh_error=refresh_error,
            cancelled=cancelled,
        )

    if plan.folder_clashes:
        _log_folder_clashes(plan)
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

    in_sync = _apply_movies(plan, steps, applier, reporter)
    if in_sync is None:
        return outcome(EXIT_CANCELLED, steps, cancelled=True)
    for removal in steps.library_removals:
        applier.apply(removal)

    counters = applier.counters
    failed = counters.remove_errors or counters.item_errors or counters.removals_refused
    code = EXIT_ITEM_ERRORS if failed else EXIT_OK
    if request.dry_run:
        return outcome(code, steps)

    reporter.progress("index", 0, 1)
    newly_settled = settle_movies(request, setup, plan, steps, target_tree, in_sync)
    index = index_of(request, setup, plan, (*plan.settled, *newly_settled))
    if not same_index(setup.index, index):
        write_atomically(index_path_for(request, setup.target_root), encode_index(index))
    reporter.progress("index", 1, 1)
    changed = tuple(setup.target_root / name for name in sorted(applier.changed))
    refresh_error = _refresh(changed, on_changed)
    return outcome(code, steps, changed=changed, refresh_error=refresh_error)


def _log_folder_clashes(plan: MirrorPlan) -> None:
    for clash in plan.folder_clashes:
        log.error(
            "Conflicting folders: %s -> '%s'",
            ", ".join(f"'{name}'" for name in clash.source_folder_names),
            clash.target_folder_name,
        )
    log.info("Nothing was synced. Rename one side of each conflict, then re-run")


def _apply_movies(
    plan: MirrorPlan, steps: SyncSteps, applier: Applier, reporter: Reporter
) -> list[MovieSteps] | None:
    """Apply every movie's steps (settled movies only announce their files), in source folder
    order; the movies found in sync, or None when the run was cancelled between movies."""
    work: list[tuple[str, SettledMovie | MovieSteps]] = [
        *((m.source_folder, m) for m in plan.settled),
        *((m.movie.source_folder, m) for m in steps.movies),
    ]
    work.sort(key=lambda item: item[0])
    in_sync: list[MovieSteps] = []
    for done, (_name, item) in enumerate(work):
        if _stop_requested(reporter):
            log.warning("Cancelled after %d of %d movies", done, len(work))
            return None
        if isinstance(item, SettledMovie):
            applier.settled(item)
        elif applier.movie(item):
            in_sync.append(item)
        reporter.progress("apply", done + 1, len(work))
    return in_sync


def _stop_requested(reporter: Reporter) -> bool:
    """Whether the reporter asks the run to stop: its ``check_cancelled`` raises a job's
    ``JobCancelled``. Anything else it raises goes on."""
    try:
        reporter.check_cancelled()
    except BaseException as exc:
        # Imported only when something was raised: the jobs module is heavy, the CLI never
        # cancels, and a job has it loaded already.
        from app.services.jobs.context import JobCancelled

        if isinstance(exc, JobCancelled):
            return True
        raise
    return False


def _refresh(changed: tuple[Path, ...], on_changed: ChangedFolders | None) -> CrossfadeError | None:
    """Tell ``on_changed`` the changed folders; its error is returned, never raised."""
    if not changed or on_changed is None:
        return None
    try:
        on_changed(changed)
    except CrossfadeError as exc:
        log.warning("Could not ask for a refresh of the changed folders: %s", exc)
        return exc
    return None


# --------------------------------------------------------------------------------------------
# diff and plan
# --------------------------------------------------------------------------------------------


def diff(request: MirrorRequest, reporter: Reporter | None = None) -> DiffOutcome:
    """Compare the target with what a sync would make of it. Read-only. Exit codes: 0 in
    sync, 1 differences, 2 setup error (or a library root holding an ignore marker). Movies
    the index shows unchanged since they were last in sync are not compared again."""
    reporter = reporter or NullReporter()
    source_root, target_root = roots(request)
    try:
        with paused_gc():
            reporter.progress("scan", 0, 2)
            setup = run_setup(request, use_index=True)
            if not setup.target_exists:
                raise SetupError(f"Target directory '{setup.target_root}' does not exist")
            settled, target_tree = settle_target(setup)
            reporter.progress("scan", 2, 2)
            built = plan_mirror(
                setup.source_tree, target_tree, plan_options(request, setup), settled
            )
            report = diff_target(
                built, setup.source_tree, target_tree, request.mode, request.metadata_suffixes
            )
    except RootMarked as marked:
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
    source_root, target_root = roots(request)
    try:
        with paused_gc():
            setup = run_setup(request, use_index=False)
            target_tree = (
                scan_tree(setup.target_root, follow_symlinks=False) if setup.target_exists else None
            )
            built = plan_mirror(setup.source_tree, target_tree, plan_options(request, setup))
    except RootMarked as marked:
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
