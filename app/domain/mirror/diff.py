"""Diff: how the target differs from a plan (recursive, identity-checking), derived from the steps
a ``--delete`` sync would take so that the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.mirror.naming import METADATA_SUFFIXES
from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import (
    FileStep,
    MirrorAction,
    MkdirStep,
    Mode,
    ReconcileOptions,
    RemoveStep,
    reconcile,
)
from app.domain.mirror.snapshot import DirNode


@dataclass(frozen=True, slots=True)
class MovieOnlyInSource:
    source_folder: str
    expected_target: str


@dataclass(frozen=True, slots=True)
class MovieDiff:
    """Paths relative to the movie folder; ``differing`` exist on both sides but are not the
    same file (another inode for a hardlink, another size or mtime for a copy)."""

    target_movie_name: str
    only_in_source: tuple[str, ...] = ()
    only_in_target: tuple[str, ...] = ()
    differing: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiffReport:
    movies_only_in_source: tuple[MovieOnlyInSource, ...] = ()
    movies_only_in_target: tuple[str, ...] = ()
    differing_movies: tuple[MovieDiff, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not (
            self.movies_only_in_source or self.movies_only_in_target or self.differing_movies
        )


def diff_target(
    plan: MirrorPlan,
    source: DirNode,
    target: DirNode | None,
    mode: Mode = "hardlink",
    metadata_suffixes: frozenset[str] = METADATA_SUFFIXES,
) -> DiffReport:
    """Fix: a recursive diff that checks identity, including asset folders and root strays.
    Derived from the steps a ``--delete`` sync would take, so the two can never disagree."""
    options = ReconcileOptions(
        mode="copy" if mode == "force-copy" else mode,
        delete=True,
        delete_last_copies=True,
        metadata_suffixes=metadata_suffixes,
    )
    steps = reconcile(plan, source, target, options)
    only_source: list[MovieOnlyInSource] = []
    differing: list[MovieDiff] = []
    for movie_steps in steps.movies:
        movie = movie_steps.movie
        prefix = movie.target_folder + "/"
        if any(
            isinstance(step, MkdirStep) and step.target == movie.target_folder
            for step in movie_steps.steps
        ):
            only_source.append(MovieOnlyInSource(movie.source_folder, movie.target_folder))
            continue
        missing_dirs: list[str] = []
        src_only: list[str] = []
        tgt_only: list[str] = []
        changed: list[str] = []
        for step in movie_steps.steps:
            if isinstance(step, MkdirStep):
                missing_dirs.append(step.target + "/")
                src_only.append(step.target.removeprefix(prefix))
            elif isinstance(step, FileStep):
                path = step.file.target
                if any(path.startswith(d) for d in missing_dirs):
                    continue
                if step.action is MirrorAction.LINK:
                    src_only.append(path.removeprefix(prefix))
                elif step.action is MirrorAction.REPLACE:
                    changed.append(path.removeprefix(prefix))
            elif isinstance(step, RemoveStep):
                tgt_only.append(step.target.removeprefix(prefix))
        if src_only or tgt_only or changed:
            differing.append(
                MovieDiff(
                    movie.target_folder,
                    tuple(sorted(src_only)),
                    tuple(sorted(tgt_only)),
                    tuple(sorted(changed)),
                )
            )
    return DiffReport(
        movies_only_in_source=tuple(sorted(only_source, key=lambda m: m.expected_target)),
        movies_only_in_target=steps.library_strays,
        differing_movies=tuple(sorted(differing, key=lambda d: d.target_movie_name)),
    )
