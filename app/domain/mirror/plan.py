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
from dataclasses import dataclass, field, replace

from app.domain.mirror.grammar import parse_folder, parse_video, render_folder, render_video
from app.domain.mirror.naming import (
    JELLYFIN_EXTRA_FOLDERS,
    JELLYFIN_ONLY_EXTRA_FOLDERS,
    Format,
    Loss,
    MovieName,
    VideoName,
    has_undecodable,
    is_metadata_name,
    is_video_name,
    short_hash,
    sidecar_name,
    split_suffix,
)
from app.domain.mirror.planned import (
    Disambiguation,
    FolderClash,
    Ignored,
    MirrorPlan,
    MovieClash,
    PlannedAsset,
    PlannedFile,
    PlannedMovie,
    PlanOptions,
)
from app.domain.mirror.snapshot import DirNode, FileNode, SettledMovie, join, leaf
from app.domain.special_files import SpecialKind


@dataclass(slots=True)
class _Candidate:
    node: DirNode
    movie: MovieName
    drops: tuple[Loss, ...]


@dataclass(slots=True)
class _Collector:
    """Mutable accumulators while one plan is built."""

    ignored: list[Ignored] = field(default_factory=list)
    marked_source: list[str] = field(default_factory=list)
    marked_target: list[str] = field(default_factory=list)
    clashes: list[MovieClash] = field(default_factory=list)
    undecodable: list[str] = field(default_factory=list)


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
    acc = _Collector()
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
    acc: _Collector,
    protected: set[str],
) -> dict[str, list[_Candidate | SettledMovie]]:
    """The source's movie folders (and the settled movies) by their target folder name."""
    grouped: dict[str, list[_Candidate | SettledMovie]] = {}
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
        grouped.setdefault(target_name, []).append(_Candidate(node, movie, drops))
    return grouped


@dataclass(slots=True)
class _Groups:
    """What the target folder groups came to: planned movies, settled ones, clashes."""

    movies: list[PlannedMovie] = field(default_factory=list)
    settled: list[SettledMovie] = field(default_factory=list)
    folder_clashes: list[FolderClash] = field(default_factory=list)
    clash_skipped: int = 0


def _plan_groups(
    grouped: dict[str, list[_Candidate | SettledMovie]],
    target_dirs: dict[str, DirNode],
    options: PlanOptions,
    acc: _Collector,
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
        planned = _plan_movie(candidate, target_name, existing, options, acc)
        if planned is None:
            protected.add(target_name)
            groups.clash_skipped += 1
        else:
            groups.movies.append(planned)
    return groups


def _source_folder(candidate: _Candidate | SettledMovie) -> str:
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


class _Names:
    """Target names used in one directory: first come, first served."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, name: str) -> bool:
        if name in self._used:
            return False
        self._used.add(name)
        return True

    def __contains__(self, name: str) -> bool:
        return name in self._used


def _plan_movie(
    candidate: _Candidate,
    target_folder: str,
    existing: DirNode | None,
    options: PlanOptions,
    acc: _Collector,
) -> PlannedMovie | None:
    node = candidate.node
    src_fmt, tgt_fmt = options.source_format, options.target_format
    protected: set[str] = set()
    names = _Names()

    video_nodes: list[tuple[FileNode, VideoName]] = []
    inline_extras: list[tuple[FileNode, VideoName]] = []
    loose_nodes: list[FileNode] = []
    for f in node.files:
        if is_video_name(f.name):
            parsed = parse_video(src_fmt, f.name, node.name)
            (inline_extras if parsed.extra else video_nodes).append((f, parsed))
        else:
            loose_nodes.append(f)
    for special in node.specials:
        acc.ignored.append(Ignored(join(node.name, special.name), special.kind.value, special.kind))

    videos = _plan_videos(node.name, target_folder, video_nodes, tgt_fmt, acc, protected)
    for video in videos:
        names.take(video.target_name)

    drops = list(candidate.drops)
    assets = _plan_assets(node, target_folder, existing, names, drops, options, acc, protected)

    extras = _plan_extras(
        node, target_folder, inline_extras, assets, names, src_fmt, tgt_fmt, acc, protected
    )

    loose = _plan_loose(node, target_folder, videos, loose_nodes, names, options, acc, protected)

    if video_nodes and not videos and not loose and not assets and not extras:
        return None
    return PlannedMovie(
        source_folder=node.name,
        target_folder=target_folder,
        movie=candidate.movie,
        videos=tuple(videos),
        loose_files=tuple(loose),
        extras=tuple(extras),
        assets=tuple(assets),
        folder_drops=tuple(drops),
        protected=frozenset(protected),
    )


def _plan_assets(
    node: DirNode,
    target_folder: str,
    existing: DirNode | None,
    names: _Names,
    drops: list[Loss],
    options: PlanOptions,
    acc: _Collector,
    protected: set[str],
) -> list[PlannedAsset]:
    """Asset folders, with Jellyfin-only extras folders renamed to ``Other`` in Plex targets."""
    tgt_fmt = options.target_format
    target_subdirs = {d.name: d for d in existing.dirs} if existing is not None else {}
    taken_lower = {d.name.lower() for d in node.dirs}
    assets: list[PlannedAsset] = []
    for sub in node.dirs:
        source_path = join(node.name, sub.name)
        if sub.marked:
            acc.marked_source.append(source_path)
            continue
        if sub.error is not None:
            acc.ignored.append(
                Ignored(source_path, f"unreadable: {sub.error}", SpecialKind.UNREADABLE)
            )
            protected.add(join(target_folder, sub.name))
            continue
        folder = _asset_folder_name(sub.name, tgt_fmt, taken_lower, drops)
        if not names.take(folder):
            _clash(acc, node.name, folder, (sub.name,), protected, target_folder)
            continue
        target_sub = target_subdirs.get(folder)
        if target_sub is not None and target_sub.marked:
            acc.marked_target.append(join(target_folder, folder))
            continue
        assets.append(
            _plan_asset(sub, source_path, join(target_folder, folder), target_sub, options, acc)
        )
    return assets


def _plan_loose(
    node: DirNode,
    target_folder: str,
    videos: list[PlannedFile],
    loose_nodes: list[FileNode],
    names: _Names,
    options: PlanOptions,
    acc: _Collector,
    protected: set[str],
) -> list[PlannedFile]:
    renamed = {
        split_suffix(leaf(v.source))[0]: split_suffix(v.target_name)[0]
        for v in videos
        if leaf(v.source) != v.target_name
    }
    loose: list[PlannedFile] = []
    # Files that keep their name claim it first, renamed sidecars fall back to their own name.
    targets = {f.name: sidecar_name(f.name, renamed, node.name, target_folder) for f in loose_nodes}
    claimed = {f.name: names.take(f.name) for f in loose_nodes if targets[f.name] == f.name}
    for f in loose_nodes:
        wanted = targets[f.name]
        if wanted == f.name:
            ok = claimed[f.name]
        else:
            ok = names.take(wanted)
            if not ok:
                wanted = f.name
                ok = names.take(wanted)
        if not ok:
            _clash(acc, node.name, wanted, (f.name,), protected, target_folder)
            continue
        loose.append(
            PlannedFile(
                source=join(node.name, f.name),
                target=join(target_folder, wanted),
                meta=f.meta,
                copy=is_metadata_name(f.name, options.metadata_suffixes),
            )
        )
    return loose


def _clash(
    acc: _Collector,
    folder: str,
    target: str,
    sources: tuple[str, ...],
    protected: set[str],
    target_folder: str,
) -> None:
    """Record a clash; whatever the target holds under the clashing name stays."""
    acc.clashes.append(MovieClash(folder, target, sources))
    protected.add(join(target_folder, target))


def _plan_videos(
    folder: str,
    target_folder: str,
    nodes: list[tuple[FileNode, VideoName]],
    tgt_fmt: Format,
    acc: _Collector,
    protected: set[str],
) -> list[PlannedFile]:
    rendered: list[tuple[FileNode, VideoName, str, tuple[Loss, ...]]] = []
    for f, parsed in nodes:
        name, drops = render_video(tgt_fmt, target_folder, parsed)
        rendered.append((f, parsed, name, drops))
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(rendered):
        groups.setdefault(item[2], []).append(index)

    final: dict[int, tuple[str, tuple[Loss, ...], Disambiguation | None]] = {}
    for naive, members in groups.items():
        if len(members) == 1:
            f, _parsed, name, drops = rendered[members[0]]
            final[members[0]] = (name, drops, None)
            continue
        hashed: dict[int, tuple[str, tuple[Loss, ...]]] = {}
        for index in members:
            f, parsed, _name, _drops = rendered[index]
            with_hash = replace(parsed, disambiguator=short_hash(f.name))
            hashed[index] = render_video(tgt_fmt, target_folder, with_hash)
        if len({name for name, _ in hashed.values()}) != len(hashed):
            sources = tuple(rendered[i][0].name for i in members)
            _clash(acc, folder, naive, sources, protected, target_folder)
            continue
        for index in members:
            detail = f"hash from source filename '{rendered[index][0].name}'"
            final[index] = (*hashed[index], Disambiguation("hash_suffix", detail))

    # A hashed name may still meet another video's plain name: first come, first served.
    taken: dict[str, int] = {}
    planned: list[PlannedFile] = []
    for index, (f, _parsed, _name, _drops) in enumerate(rendered):
        if index not in final:
            continue
        name, drops, note = final[index]
        if name in taken:
            first = rendered[taken[name]][0].name
            _clash(acc, folder, name, (first, f.name), protected, target_folder)
            continue
        taken[name] = index
        planned.append(
            PlannedFile(
                source=join(folder, f.name),
                target=join(target_folder, name),
                meta=f.meta,
                drops=drops,
                disambiguation=note,
            )
        )
    return planned


def _asset_folder_name(name: str, tgt_fmt: Format, taken_lower: set[str], drops: list[Loss]) -> str:
    """Fix: Plex ignores Jellyfin's ``extras`` (and ``clips``, ``samples``): they become
    ``Other`` unless the movie already has an ``other`` folder."""
    if tgt_fmt != "plex" or name.lower() not in JELLYFIN_ONLY_EXTRA_FOLDERS:
        return name
    if "other" in taken_lower:
        drops.append(
            Loss("folder", None, name, "kept its name: the movie already has an Other folder")
        )
        return name
    taken_lower.add("other")
    return "Other"


def _plan_asset(
    node: DirNode,
    source_path: str,
    target_path: str,
    existing: DirNode | None,
    options: PlanOptions,
    acc: _Collector,
) -> PlannedAsset:
    files = tuple(
        PlannedFile(
            source=join(source_path, f.name),
            target=join(target_path, f.name),
            meta=f.meta,
            copy=is_metadata_name(f.name, options.metadata_suffixes),
        )
        for f in node.files
    )
    for special in node.specials:
        acc.ignored.append(
            Ignored(join(source_path, special.name), special.kind.value, special.kind)
        )
    target_dirs = {d.name: d for d in existing.dirs} if existing is not None else {}
    subfolders: list[PlannedAsset] = []
    for sub in node.dirs:
        sub_source = join(source_path, sub.name)
        if sub.marked:
            acc.marked_source.append(sub_source)
            continue
        if sub.error is not None:
            acc.ignored.append(
                Ignored(sub_source, f"unreadable: {sub.error}", SpecialKind.UNREADABLE)
            )
            continue
        target_sub = target_dirs.get(sub.name)
        sub_target = join(target_path, sub.name)
        if target_sub is not None and target_sub.marked:
            acc.marked_target.append(sub_target)
            continue
        subfolders.append(_plan_asset(sub, sub_source, sub_target, target_sub, options, acc))
    return PlannedAsset(source_path, target_path, files, tuple(subfolders))


def _plan_extras(
    node: DirNode,
    target_folder: str,
    extras: list[tuple[FileNode, VideoName]],
    assets: list[PlannedAsset],
    names: _Names,
    src_fmt: Format,
    tgt_fmt: Format,
    acc: _Collector,
    protected: set[str],
) -> list[PlannedFile]:
    """Inline extras keep their name, except Plex -> Jellyfin: they move to the matching
    extras folder (an existing asset folder of that name, compared case-insensitively)."""
    planned: list[PlannedFile] = []
    moved = src_fmt == "plex" and tgt_fmt == "jellyfin"
    asset_names = {a.folder_name.lower(): a for a in assets}
    used_in_folder: dict[str, _Names] = {}
    for f, parsed in extras:
        source = join(node.name, f.name)
        if not moved:
            if names.take(f.name):
                planned.append(PlannedFile(source, join(target_folder, f.name), f.meta))
            else:
                _clash(acc, node.name, f.name, (f.name,), protected, target_folder)
            continue
        kind = parsed.extra or "other"
        wanted_folder = JELLYFIN_EXTRA_FOLDERS.get(kind, "other")
        asset = asset_names.get(wanted_folder.lower())
        folder = asset.folder_name if asset is not None else wanted_folder
        used = used_in_folder.get(folder)
        if used is None:
            if asset is None and not names.take(folder):
                _clash(acc, node.name, folder, (f.name,), protected, target_folder)
                continue
            used = _Names()
            if asset is not None:
                for existing in asset.files:
                    used.take(existing.target_name)
                for sub in asset.subfolders:
                    used.take(sub.folder_name)
            used_in_folder[folder] = used
        stem, extension = split_suffix(f.name)
        base = stem[: -(len(kind) + 1)]
        if base == node.name or base.startswith(node.name + " "):
            base = target_folder + base[len(node.name) :]
        wanted = base + extension
        if not used.take(wanted):
            wanted = f.name if used.take(f.name) else ""
        if not wanted:
            _clash(acc, node.name, join(folder, f.name), (f.name,), protected, target_folder)
            continue
        planned.append(PlannedFile(source, join(target_folder, folder, wanted), f.meta))
    return planned
