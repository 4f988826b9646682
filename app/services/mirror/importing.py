"""Import a staging area of loose videos into a structured library (jellyplex-sync 0.5.0's
``import``): grouped by :func:`app.domain.mirror.flat.plan_import`, copied into the target's
layout (a copy whose size and mtime already match is skipped), and with ``move`` the staged
video is removed once its copy is verified (the target file exists with the source's size and
mtime, and the source is still the file that was scanned). Nothing in the target is removed
or replaced by anything but a staged video of the same name; strays stay and are not reported.

Exit codes are jellyplex-sync's: 0 (also when a library root holds an ignore marker: nothing
is imported), 1 setup error (source missing, format undetectable, target missing without
``create``); ours adds 3 when an item failed (it stays in the staging area, with an ``error``
event) and 10 when cancelled. Folder clashes skip the movies concerned, the run goes on.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from app.adapters.file_placement import TargetLock, check_target, make_dir, remove_entries
from app.adapters.files import file_meta, scan_tree
from app.domain.errors import CrossfadeError, SetupError
from app.domain.mirror.flat import plan_import
from app.domain.mirror.reconcile import (
    FileStep,
    MirrorAction,
    MovieSteps,
    ReconcileOptions,
    StrayContext,
    reconcile,
)
from app.services.mirror.apply import Applier, summarize
from app.services.mirror.model import (
    EXIT_CANCELLED,
    EXIT_ITEM_ERRORS,
    EXIT_OK,
    EXIT_SETUP_ERROR,
    LOCK_NAME,
    STATE_DIR,
    MirrorEvent,
    MirrorRequest,
    NullReporter,
    SyncOutcome,
    report,
)
from app.services.mirror.setup import RootMarked, plan_options, roots, run_setup

if TYPE_CHECKING:  # the CLI runs the import: no runtime cost for a protocol
    from app.services.ports import Reporter

log = logging.getLogger(__name__)


def import_media(
    request: MirrorRequest, *, move: bool, reporter: Reporter | None = None
) -> SyncOutcome:
    """Import ``request.source`` (a staging area) into ``request.target``; ``request.mode``,
    ``delete`` and the index options are not used (an import copies and never deletes)."""
    reporter = reporter or NullReporter()
    source_root, target_root = roots(request)
    lock: TargetLock | None = None
    try:
        setup = run_setup(request, use_index=False)
        if not setup.target_exists and not request.create:
            raise SetupError(f"Target directory '{setup.target_root}' does not exist")
        if not request.dry_run:
            check_target(setup.source_root, setup.target_root, link_sample=None)
            if not setup.target_exists:
                make_dir(str(setup.target_root))
                setup.target_exists = True
            lock = TargetLock(setup.target_root / STATE_DIR / LOCK_NAME)
            lock.acquire()
        target_tree = (
            scan_tree(setup.target_root, follow_symlinks=False) if setup.target_exists else None
        )
        plan = plan_import(setup.source_tree, target_tree, plan_options(request, setup))
        for clash in plan.folder_clashes:
            log.error(
                "Conflicting movies: %s -> '%s'; neither was imported",
                ", ".join(f"'{name}'" for name in clash.source_folder_names),
                clash.target_folder_name,
            )
        options = ReconcileOptions(mode="copy", metadata_suffixes=request.metadata_suffixes)
        # A sync with folder clashes writes nothing; an import goes on with the other movies.
        steps = reconcile(replace(plan, folder_clashes=()), setup.source_tree, target_tree, options)
        mover = _Mover(
            Applier(setup.source_root, setup.target_root, reporter, dry_run=request.dry_run),
            move=move,
        )
        cancelled = not mover.run(steps.movies, reporter)
        counters = mover.applier.counters
        summary = replace(summarize(plan, counters, 0), sources_removed=mover.sources_removed)
        failed = counters.item_errors or counters.remove_errors
        code = EXIT_CANCELLED if cancelled else EXIT_ITEM_ERRORS if failed else EXIT_OK
        changed = tuple(setup.target_root / name for name in sorted(mover.applier.changed))
        return SyncOutcome(
            code,
            setup.source_root,
            setup.target_root,
            request.dry_run,
            setup.source_format,
            setup.target_format,
            summary=summary,
            plan=plan,
            changed_folders=() if request.dry_run else changed,
            cancelled=cancelled,
        )
    except RootMarked as marked:
        log.warning(
            "Nothing was imported: the %s library contains an ignore marker; delete it to "
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


class _Mover:
    """Applies each movie's copy steps; with ``move``, then removes each staged video whose
    copy is verified (in a dry run it only announces the removal)."""

    def __init__(self, applier: Applier, *, move: bool) -> None:
        self.applier = applier
        self.move = move
        self.sources_removed = 0

    def run(self, movies: tuple[MovieSteps, ...], reporter: Reporter) -> bool:
        """False when the run was cancelled between movies."""
        for done, movie in enumerate(movies):
            if _stop_requested(reporter):
                log.warning("Cancelled after %d of %d movies", done, len(movies))
                return False
            self.applier.movie(movie)
            if self.move:
                for step in movie.steps:
                    if isinstance(step, FileStep):
                        self._remove_source(step)
            reporter.progress("apply", done + 1, len(movies))
        return True

    def _remove_source(self, step: FileStep) -> None:
        applier = self.applier
        planned = step.file
        source = f"{applier.source_root}/{planned.source}"
        target = applier.target_path(planned.target)
        event = MirrorEvent(
            MirrorAction.REMOVE,
            source,
            context=StrayContext.IMPORTED_SOURCE,
            detail=f"moved to '{target}'",
        )
        if applier.dry_run:
            report(applier.reporter, event)
            return
        placed = file_meta(target, follow_symlinks=False)
        staged = file_meta(source, follow_symlinks=False)
        wanted = (planned.meta.size, planned.meta.mtime_ns)
        reason = None
        if staged is None or (staged.size, staged.mtime_ns, staged.ino) != (
            *wanted,
            planned.meta.ino,
        ):
            reason = "the staged file changed since it was read; kept"
        elif placed is None or (placed.size, placed.mtime_ns) != wanted:
            reason = "its copy in the library does not match it; kept"
        if reason is not None:
            applier.counters.item_errors += 1
            report(applier.reporter, replace(event, action=MirrorAction.ERROR, detail=reason))
            return
        result = remove_entries(str(applier.source_root), (planned.source,), ())
        for error in result.errors:
            applier.counters.remove_errors += 1
            report(applier.reporter, replace(event, action=MirrorAction.ERROR, detail=error.reason))
        if result.files_removed:
            self.sources_removed += 1
            report(applier.reporter, event)


def _stop_requested(reporter: Reporter) -> bool:
    """Whether the reporter asks the run to stop (a job's ``JobCancelled``)."""
    try:
        reporter.check_cancelled()
    except BaseException as exc:
        from app.services.jobs.context import JobCancelled  # heavy: only when raised

        if isinstance(exc, JobCancelled):
            return True
        raise
    return False
