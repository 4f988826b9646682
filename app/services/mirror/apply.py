"""Applying the steps of a sync: carry out (or, in a dry run, only announce) each step, one
:class:`~app.services.mirror.model.MirrorEvent` per file, and count what happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.adapters.file_placement import make_dir, place_copy, place_link, remove_entries
from app.domain.errors import (
    CrossfadeError,
    MediaFileError,
)
from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import (
    FileStep,
    MirrorAction,
    MkdirStep,
    MovieSteps,
    RemoveStep,
    Step,
)
from app.domain.mirror.snapshot import SettledMovie
from app.services.mirror.model import MirrorEvent, SyncSummary, report

if TYPE_CHECKING:  # the CLI runs the mirror: no runtime cost for a protocol
    from app.services.ports import Reporter


@dataclass
class Counters:
    movies_processed: int = 0
    movies_settled: int = 0
    files_updated: int = 0
    files_skipped: int = 0
    files_removed: int = 0
    remove_errors: int = 0
    removals_refused: int = 0
    item_errors: int = 0


class Applier:
    """Carries out (or, in a dry run, only announces) the steps of one sync."""

    def __init__(
        self,
        source_root: Path,
        target_root: Path,
        reporter: Reporter,
        *,
        dry_run: bool,
    ) -> None:
        self.source_root = source_root
        self.target_root = target_root
        self.reporter = reporter
        self.dry_run = dry_run
        self.counters = Counters()
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
        report(
            self.reporter,
            MirrorEvent(MirrorAction.ERROR, self.target_path(relative), detail=str(error)),
        )

    def settled(self, movie: SettledMovie) -> None:
        """Announce the files of a movie known to be in sync."""
        source = f"{self._source_prefix}{movie.source_folder}/"
        target = f"{self._target_prefix}{movie.target_folder}/"
        event = self.reporter.event  # one call per file, without building an event: many
        for source_rel, target_rel in movie.files:
            event(MirrorAction.SKIP, target + target_rel, before=source + source_rel)
        self.counters.files_skipped += len(movie.files)
        self.counters.movies_processed += 1
        self.counters.movies_settled += 1

    def movie(self, movie_steps: MovieSteps) -> bool:
        """Apply one movie's steps; True when it was found in sync: every step a skip."""
        self.troubled = False
        for step in movie_steps.steps:
            self.apply(step)
            if not isinstance(step, FileStep) or step.action is not MirrorAction.SKIP:
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
        if step.action is MirrorAction.SKIP:
            self.counters.files_skipped += 1
            self.reporter.event(MirrorAction.SKIP, target, before=source)
            return
        if not self.dry_run:
            place = place_copy if step.copy else place_link
            try:
                identity = (planned.meta.dev, planned.meta.ino)
                place(
                    source, target, replace=step.action is MirrorAction.REPLACE, identity=identity
                )
            except MediaFileError as exc:
                self._error(planned.target, exc)
                return
        self.counters.files_updated += 1
        self._touch(planned.target)
        report(self.reporter, MirrorEvent(step.action, target, source))

    def _remove(self, step: RemoveStep) -> None:
        for kept in step.kept:
            self.troubled = True
            self.counters.removals_refused += 1
            report(
                self.reporter,
                MirrorEvent(
                    MirrorAction.KEEP,
                    self.target_path(kept),
                    context=step.context,
                    detail="the last link to its data: pass --delete-last-copies to remove it",
                ),
            )
        if not step.unlink and not step.rmdir:
            return
        report(
            self.reporter,
            MirrorEvent(MirrorAction.REMOVE, self.target_path(step.target), context=step.context),
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
            report(
                self.reporter,
                MirrorEvent(
                    MirrorAction.ERROR, error.path, context=step.context, detail=error.reason
                ),
            )


def summarize(plan: MirrorPlan, counters: Counters, strays: int) -> SyncSummary:
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
