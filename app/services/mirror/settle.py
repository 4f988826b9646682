"""The index a real sync leaves behind: which movies it found in sync (with the stamps its walks
took), and whether the new index differs from the old one but for the time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from app.domain.mirror.index import RunIndex, settle_movie
from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import (
    MovieSteps,
    SyncSteps,
)
from app.domain.mirror.snapshot import DirNode, SettledMovie
from app.services.mirror.model import MirrorRequest
from app.services.mirror.setup import Setup, count_movies


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


def settle_movies(
    request: MirrorRequest,
    setup: Setup,
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


def index_of(
    request: MirrorRequest,
    setup: Setup,
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


def same_index(old: RunIndex | None, new: RunIndex) -> bool:
    """True when writing ``new`` would change nothing but the time: a run with nothing to do
    leaves the index alone."""
    return old is not None and replace(old, finished_at="") == replace(new, finished_at="")
