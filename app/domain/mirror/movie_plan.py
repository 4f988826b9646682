"""Plan one movie folder of a mirror: its videos (renamed, disambiguated), inline extras, loose
files and sidecars, and asset folders, with the clashes and losses on the way. Called by
:func:`app.domain.mirror.plan.plan_mirror` for each movie that is not settled; the naming
rules are docs/MIRROR.md's."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.domain.mirror.grammar import parse_video, render_video
from app.domain.mirror.naming import (
    JELLYFIN_EXTRA_FOLDERS,
    JELLYFIN_ONLY_EXTRA_FOLDERS,
    Format,
    Loss,
    MovieName,
    VideoName,
    is_metadata_name,
    is_video_name,
    short_hash,
    sidecar_name,
    split_suffix,
)
from app.domain.mirror.planned import (
    Disambiguation,
    Ignored,
    MovieClash,
    PlannedAsset,
    PlannedFile,
    PlannedMovie,
    PlanOptions,
)
from app.domain.mirror.snapshot import DirNode, FileNode, join, leaf
from app.domain.special_files import SpecialKind


@dataclass(slots=True)
class Candidate:
    node: DirNode
    movie: MovieName
    drops: tuple[Loss, ...]


@dataclass(slots=True)
class Collector:
    """Mutable accumulators while one plan is built."""

    ignored: list[Ignored] = field(default_factory=list)
    marked_source: list[str] = field(default_factory=list)
    marked_target: list[str] = field(default_factory=list)
    clashes: list[MovieClash] = field(default_factory=list)
    undecodable: list[str] = field(default_factory=list)


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


def plan_movie(
    candidate: Candidate,
    target_folder: str,
    existing: DirNode | None,
    options: PlanOptions,
    acc: Collector,
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

    videos = plan_videos(node.name, target_folder, video_nodes, tgt_fmt, acc, protected)
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
    acc: Collector,
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
    acc: Collector,
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
    acc: Collector,
    folder: str,
    target: str,
    sources: tuple[str, ...],
    protected: set[str],
    target_folder: str,
) -> None:
    """Record a clash; whatever the target holds under the clashing name stays."""
    acc.clashes.append(MovieClash(folder, target, sources))
    protected.add(join(target_folder, target))


def plan_videos(
    folder: str,
    target_folder: str,
    nodes: list[tuple[FileNode, VideoName]],
    tgt_fmt: Format,
    acc: Collector,
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
    acc: Collector,
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
    acc: Collector,
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
