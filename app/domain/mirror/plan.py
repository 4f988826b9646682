"""Plan a movie library mirror: a snapshot of the source tree in, what the target should hold out.

Pure: the snapshots (:class:`~app.domain.mirror.snapshot.DirNode` trees with one stat per file)
are built by ``app.adapters.files``; this module decides. The mirror answers three questions,
one module each:

- :func:`plan_mirror` (here): what the target *should* hold (names translated by
  :mod:`app.domain.mirror.naming`, clashes, translation losses, ignored and marked entries);
  the plan's values are in :mod:`app.domain.mirror.planned`;
- :func:`app.domain.mirror.reconcile.reconcile`: what a sync has to do to get there from the
  target as it is (``link``/``replace``/``skip`` per file, strays to remove, with the safety
  rules);
- :func:`app.domain.mirror.diff.diff_target`: how the target differs from the plan (recursive,
  identity-checking).

Paths inside plans are relative to the library roots, ``/``-separated, and may contain lone
surrogates (names that are not UTF-8); use :func:`app.domain.mirror.naming.printable` for output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.mirror.grammar import parse_folder, render_folder
from app.domain.mirror.movie_plan import Candidate, Collector, plan_movie
from app.domain.mirror.naming import (
    has_undecodable,
)
from app.domain.mirror.planned import (
    FolderClash,
    Ignored,
    MirrorPlan,
    PlannedMovie,
    PlanOptions,
)
from app.domain.mirror.snapshot import DirNode, SettledMovie
from app.domain.special_files import SpecialKind


def plan_mirror(
    source: DirNode,
    target: DirNode | None,
    options: PlanOptions,
    settled: Sequence[SettledMovie] = (),
) -> MirrorPlan:
    """What the target should hold. ``target`` (None when it does not exist yet) is read only
    for ignore markers. ``settled`` movies are known to be in sync and are left out of both
    snapshots; they still take part in folder-clash detection and in the counts."""
    if source.marked or (target is not None and target.marked):
        return MirrorPlan(
            source_format=options.source_format,
            target_format=options.target_format,
            marked_in_source=("",) if source.marked else (),
            marked_in_target=("",) if target is not None and target.marked else (),
        )
    acc = Collector()
    _collect_undecodable(source, "", acc.undecodable)

    for f in source.files:
        acc.ignored.append(Ignored(f.name, "not a directory"))
    for special in source.specials:
        acc.ignored.append(Ignored(special.name, special.kind.value, special.kind))

    protected: set[str] = set()
    grouped = _group_by_target(source, options, settled, acc, protected)
    target_dirs = {d.name: d for d in target.dirs} if target is not None else {}
    groups = _plan_groups(grouped, target_dirs, options, acc, protected)

    planned_names = {m.target_folder for m in groups.movies}
    planned_names.update(s.target_folder for s in groups.settled)
    for node in target_dirs.values():
        if node.name in planned_names or node.name in protected or node.name in grouped:
            continue
        acc.marked_target.extend(_marked_paths(node, node.name))

    return MirrorPlan(
        source_format=options.source_format,
        target_format=options.target_format,
        movies=tuple(groups.movies),
        ignored=tuple(acc.ignored),
        clashes=tuple(acc.clashes),
        folder_clashes=tuple(groups.folder_clashes),
        protected_folders=frozenset(protected),
        marked_in_source=tuple(sorted(acc.marked_source)),
        marked_in_target=tuple(sorted(acc.marked_target)),
        undecodable=tuple(acc.undecodable),
        clash_skipped=groups.clash_skipped,
        settled=tuple(groups.settled),
    )


def _group_by_target(
    source: DirNode,
    options: PlanOptions,
    settled: Sequence[SettledMovie],
    acc: Collector,
    protected: set[str],
) -> dict[str, list[Candidate | SettledMovie]]:
    """The source's movie folders (and the settled movies) by their target folder name."""
    grouped: dict[str, list[Candidate | SettledMovie]] = {}
    for known in settled:
        grouped[known.target_folder] = [known]
    for node in source.dirs:
        if node.marked:
            acc.marked_source.append(node.name)
            continue
        movie = parse_folder(options.source_format, node.name)
        if node.error is not None:
            acc.ignored.append(
                Ignored(node.name, f"unreadable: {node.error}", SpecialKind.UNREADABLE)
            )
            if movie is not None:
                protected.add(render_folder(options.target_format, movie)[0])
            continue
        if movie is None:
            acc.ignored.append(Ignored(node.name, "unparseable folder name"))
            continue
        target_name, drops = render_folder(options.target_format, movie)
        grouped.setdefault(target_name, []).append(Candidate(node, movie, drops))
    return grouped


@dataclass(slots=True)
class _Groups:
    """What the target folder groups came to: planned movies, settled ones, clashes."""

    movies: list[PlannedMovie] = field(default_factory=list)
    settled: list[SettledMovie] = field(default_factory=list)
    folder_clashes: list[FolderClash] = field(default_factory=list)
    clash_skipped: int = 0


def _plan_groups(
    grouped: dict[str, list[Candidate | SettledMovie]],
    target_dirs: dict[str, DirNode],
    options: PlanOptions,
    acc: Collector,
    protected: set[str],
) -> _Groups:
    groups = _Groups()
    for target_name, candidates in grouped.items():
        existing = target_dirs.get(target_name)
        if existing is not None and existing.marked:
            acc.marked_target.append(target_name)
            continue
        if len(candidates) > 1:
            names = sorted(_source_folder(c) for c in candidates)
            groups.folder_clashes.append(FolderClash(target_name, tuple(names)))
            protected.add(target_name)
            continue
        candidate = candidates[0]
        if isinstance(candidate, SettledMovie):
            groups.settled.append(candidate)
            continue
        planned = plan_movie(candidate, target_name, existing, options, acc)
        if planned is None:
            protected.add(target_name)
            groups.clash_skipped += 1
        else:
            groups.movies.append(planned)
    return groups


def _source_folder(candidate: Candidate | SettledMovie) -> str:
    if isinstance(candidate, SettledMovie):
        return candidate.source_folder
    return candidate.node.name


def _collect_undecodable(node: DirNode, prefix: str, out: list[str]) -> None:
    for f in node.files:
        if has_undecodable(f.name):
            out.append(prefix + f.name)
    for d in node.dirs:
        path = prefix + d.name
        if has_undecodable(d.name):
            out.append(path)
        _collect_undecodable(d, path + "/", out)


def _marked_paths(node: DirNode, path: str) -> list[str]:
    if node.marked:
        return [path]
    found: list[str] = []
    for d in node.dirs:
        found.extend(_marked_paths(d, f"{path}/{d.name}"))
    return found
