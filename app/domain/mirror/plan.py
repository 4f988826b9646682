"""Plan a movie library mirror: a snapshot of the source tree in, target actions out.

Pure: the snapshots (:class:`DirNode` trees with one stat per file) are built by
``app.adapters.files``; this module decides. Three questions are answered here:

- :func:`plan_mirror`: what the target *should* hold (names translated by
  :mod:`app.domain.mirror.naming`, clashes, translation losses, ignored and marked entries);
- :func:`reconcile`: what a sync has to do to get there from the target as it is
  (``link``/``replace``/``skip`` per file, strays to remove, with the safety rules);
- :func:`diff_target`: how the target differs from the plan (recursive, identity-checking).

Paths inside plans are relative to the library roots, ``/``-separated, and may contain lone
surrogates (names that are not UTF-8); use :func:`app.domain.mirror.naming.printable` for output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from app.domain.mirror.naming import (
    JELLYFIN_EXTRA_FOLDERS,
    JELLYFIN_ONLY_EXTRA_FOLDERS,
    METADATA_SUFFIXES,
    Format,
    FormatGuess,
    Loss,
    MovieName,
    VideoName,
    has_undecodable,
    is_metadata_name,
    is_video_name,
    parse_folder,
    parse_video,
    render_folder,
    render_video,
    short_hash,
    sidecar_name,
    split_suffix,
)
from app.domain.special_files import SpecialKind

Mode = Literal["hardlink", "copy", "force-copy"]
MODES: tuple[Mode, ...] = ("hardlink", "copy", "force-copy")

LIBRARY_STRAY = "library_stray"
MOVIE_STRAY = "movie_stray"
ASSET_STRAY = "asset_stray"

# --------------------------------------------------------------------------------------------
# snapshots
# --------------------------------------------------------------------------------------------


class FileMeta(NamedTuple):
    """One ``stat`` of a file: enough to tell identity (dev, ino) and copies (size, mtime).

    Snapshot values are named tuples rather than dataclasses: a walk makes one per file
    (110,000 for a 10,000-movie mirror) and tuples are built several times faster."""

    size: int
    mtime_ns: int
    ino: int
    dev: int
    nlink: int


class FileNode(NamedTuple):
    name: str
    meta: FileMeta
    symlink: bool = False


class Special(NamedTuple):
    """An entry that is neither a regular file nor a directory to walk into."""

    name: str
    kind: SpecialKind = SpecialKind.OTHER


@dataclass(frozen=True, slots=True)
class DirNode:
    """A directory as walked. Dot-entries are left out. A ``marked`` directory holds an ignore
    marker and its children were not read; ``error`` says why a directory could not be read.
    ``specials`` are entries that are neither regular files nor directories (sockets, FIFOs,
    devices, dangling symlinks, symlink loops, symlinks out of the walked root), each with its
    kind; ``leftovers`` are temporary files of an interrupted run. ``stamp``
    is taken just before the directory was read, when the walk was asked for stamps."""

    name: str
    files: tuple[FileNode, ...] = ()
    dirs: tuple[DirNode, ...] = ()
    marked: bool = False
    error: str | None = None
    specials: tuple[Special, ...] = ()
    leftovers: tuple[str, ...] = ()
    stamp: tuple[int, int, int] | None = None

    def holds_marker(self) -> bool:
        """True if this directory or one below it is marked."""
        return self.marked or any(d.holds_marker() for d in self.dirs)

    def iter_files(self, prefix: str = "") -> Iterator[tuple[str, FileNode]]:
        for f in self.files:
            yield prefix + f.name, f
        for d in self.dirs:
            yield from d.iter_files(f"{prefix}{d.name}/")


class DirStamp(NamedTuple):
    """What changes when a directory's entries change: adding, removing or renaming an entry
    updates mtime and ctime, and ctime cannot be set back by anyone."""

    ino: int
    mtime_ns: int
    ctime_ns: int


RACY_WINDOW_NS = 100_000_000
COARSE_RACY_WINDOW_NS = 2_000_000_000


def is_racy(stamp: tuple[int, int, int], now_ns: int) -> bool:
    """True when a change right after ``now_ns`` could leave ``stamp`` (a :class:`DirStamp`)
    as it is: the same clock tick. File systems with whole-second times get a wider window."""
    _ino, mtime_ns, ctime_ns = stamp
    coarse = mtime_ns % 1_000_000_000 == 0 or ctime_ns % 1_000_000_000 == 0
    window = COARSE_RACY_WINDOW_NS if coarse else RACY_WINDOW_NS
    return max(mtime_ns, ctime_ns) >= now_ns - window


@dataclass(frozen=True, slots=True)
class SettledMovie:
    """A movie that was completely in sync at the end of the last real run, with a stamp of
    every directory on both sides (paths relative to the movie folders, ``""`` for the folder
    itself). While no stamp changed and the copied files still match, nothing can have changed
    in it, and a run needs neither to read nor to plan it.

    ``files`` are (source, target) paths relative to the movie folders; ``copies`` name the
    files materialized as copies, by index into ``files``, with their size and mtime."""

    source_folder: str
    target_folder: str
    source_dirs: tuple[tuple[str, tuple[int, int, int]], ...]
    target_dirs: tuple[tuple[str, tuple[int, int, int]], ...]
    files: tuple[tuple[str, str], ...] = ()
    copies: tuple[tuple[int, int, int], ...] = ()
    losses: tuple[Loss, ...] = ()


def join(*parts: str) -> str:
    """A relative path from non-empty names."""
    return "/".join(parts)


def guess_format(source: DirNode) -> Format | None:
    """jellyplex-sync's layout detection, over the video files of the snapshot."""
    guess = FormatGuess()
    for _path, node in source.iter_files():
        if is_video_name(node.name):
            guess.add(split_suffix(node.name)[0])
            if guess.decided is not None:
                break
    return guess.result()


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ignored:
    """A source entry the plan leaves out. ``kind`` is set for entries that are a hazard or a
    problem (a special file, a symlink not followed, an unreadable folder), None for entries
    that are simply not part of a movie library (a loose file, an unparseable folder name)."""

    path: str
    reason: str
    kind: SpecialKind | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Disambiguation:
    strategy: str
    detail: str


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """Put ``source`` at ``target`` (both relative to their library roots). ``copy`` marks a
    metadata file that is copied even when the run hardlinks."""

    source: str
    target: str
    meta: FileMeta
    copy: bool = False
    drops: tuple[Loss, ...] = ()
    disambiguation: Disambiguation | None = None

    @property
    def target_name(self) -> str:
        return self.target.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class PlannedAsset:
    """An asset folder, mirrored recursively; names pass through (but see ``Other``)."""

    source: str
    target: str
    files: tuple[PlannedFile, ...] = ()
    subfolders: tuple[PlannedAsset, ...] = ()

    @property
    def folder_name(self) -> str:
        return self.target.rsplit("/", 1)[-1]

    def file_count(self) -> int:
        return len(self.files) + sum(s.file_count() for s in self.subfolders)


@dataclass(frozen=True, slots=True)
class MovieClash:
    movie_folder: str
    target_filename: str
    source_filenames: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FolderClash:
    target_folder_name: str
    source_folder_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlannedMovie:
    """Everything planned for one movie folder. ``extras`` are inline extras; in a Jellyfin
    target they sit in an extras folder (their ``target`` has one more path component).
    ``protected`` holds target paths (relative to the target root) that belong to the source
    but could not be planned (clashes, unreadable folders): they are never strays."""

    source_folder: str
    target_folder: str
    movie: MovieName
    videos: tuple[PlannedFile, ...] = ()
    loose_files: tuple[PlannedFile, ...] = ()
    extras: tuple[PlannedFile, ...] = ()
    assets: tuple[PlannedAsset, ...] = ()
    folder_drops: tuple[Loss, ...] = ()
    protected: frozenset[str] = frozenset()

    def file_count(self) -> int:
        files = len(self.videos) + len(self.loose_files) + len(self.extras)
        return files + sum(asset.file_count() for asset in self.assets)

    def all_files(self) -> Iterator[PlannedFile]:
        yield from self.videos
        yield from self.loose_files
        yield from self.extras
        stack = list(self.assets)
        while stack:
            asset = stack.pop()
            yield from asset.files
            stack.extend(asset.subfolders)


@dataclass(frozen=True)
class MirrorPlan:
    source_format: Format
    target_format: Format
    movies: tuple[PlannedMovie, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    clashes: tuple[MovieClash, ...] = ()
    folder_clashes: tuple[FolderClash, ...] = ()
    protected_folders: frozenset[str] = frozenset()
    marked_in_source: tuple[str, ...] = ()
    marked_in_target: tuple[str, ...] = ()
    undecodable: tuple[str, ...] = ()
    clash_skipped: int = 0
    settled: tuple[SettledMovie, ...] = ()

    @property
    def locked(self) -> Literal["source", "target"] | None:
        """Which library root holds an ignore marker: such a run changes nothing."""
        if "" in self.marked_in_source:
            return "source"
        if "" in self.marked_in_target:
            return "target"
        return None

    @property
    def movies_total(self) -> int:
        clash_sources = sum(len(fc.source_folder_names) for fc in self.folder_clashes)
        return len(self.movies) + len(self.settled) + clash_sources + self.clash_skipped

    def losses(self) -> tuple[Loss, ...]:
        """Every translation loss once, in plan order."""
        return dedupe_losses(self._all_losses())

    def _all_losses(self) -> Iterator[Loss]:
        for settled in self.settled:
            yield from settled.losses
        for movie in self.movies:
            yield from movie.folder_drops
            for video in movie.videos:
                yield from video.drops


def dedupe_losses(losses: Iterable[Loss]) -> tuple[Loss, ...]:
    return tuple(dict.fromkeys(losses))


@dataclass(frozen=True, slots=True)
class PlanOptions:
    source_format: Format
    target_format: Format
    metadata_suffixes: frozenset[str] = METADATA_SUFFIXES


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

    grouped: dict[str, list[_Candidate | SettledMovie]] = {}
    for known in settled:
        grouped[known.target_folder] = [known]
    protected: set[str] = set()
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

    target_dirs = {d.name: d for d in target.dirs} if target is not None else {}
    movies: list[PlannedMovie] = []
    still_settled: list[SettledMovie] = []
    folder_clashes: list[FolderClash] = []
    clash_skipped = 0
    for target_name, candidates in grouped.items():
        existing = target_dirs.get(target_name)
        if existing is not None and existing.marked:
            acc.marked_target.append(target_name)
            continue
        if len(candidates) > 1:
            names = sorted(_source_folder(c) for c in candidates)
            folder_clashes.append(FolderClash(target_name, tuple(names)))
            protected.add(target_name)
            continue
        candidate = candidates[0]
        if isinstance(candidate, SettledMovie):
            still_settled.append(candidate)
            continue
        planned = _plan_movie(candidate, target_name, existing, options, acc)
        if planned is None:
            protected.add(target_name)
            clash_skipped += 1
        else:
            movies.append(planned)

    planned_names = {m.target_folder for m in movies}
    planned_names.update(s.target_folder for s in still_settled)
    for node in target_dirs.values():
        if node.name in planned_names or node.name in protected or node.name in grouped:
            continue
        acc.marked_target.extend(_marked_paths(node, node.name))

    return MirrorPlan(
        source_format=options.source_format,
        target_format=options.target_format,
        movies=tuple(movies),
        ignored=tuple(acc.ignored),
        clashes=tuple(acc.clashes),
        folder_clashes=tuple(folder_clashes),
        protected_folders=frozenset(protected),
        marked_in_source=tuple(sorted(acc.marked_source)),
        marked_in_target=tuple(sorted(acc.marked_target)),
        undecodable=tuple(acc.undecodable),
        clash_skipped=clash_skipped,
        settled=tuple(still_settled),
    )


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

    # Asset folders, with Jellyfin-only extras folders renamed to ``Other`` in Plex targets.
    target_subdirs = {d.name: d for d in existing.dirs} if existing is not None else {}
    taken_lower = {d.name.lower() for d in node.dirs}
    drops = list(candidate.drops)
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

    extras = _plan_extras(
        node, target_folder, inline_extras, assets, names, src_fmt, tgt_fmt, acc, protected
    )

    renamed = {
        split_suffix(_leaf(v.source))[0]: split_suffix(v.target_name)[0]
        for v in videos
        if _leaf(v.source) != v.target_name
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


def _leaf(path: str) -> str:
    return path.rsplit("/", 1)[-1]


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


# --------------------------------------------------------------------------------------------
# reconcile: the steps of a sync
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MkdirStep:
    target: str


@dataclass(frozen=True, slots=True)
class FileStep:
    """``link`` creates, ``replace`` atomically replaces, ``skip`` leaves the target alone.
    ``copy`` says how to materialize: a copy, or a hardlink."""

    action: Literal["link", "replace", "skip"]
    file: PlannedFile
    copy: bool


@dataclass(frozen=True, slots=True)
class RemoveStep:
    """Remove the stray ``target`` (a file or a tree): ``unlink`` files first, then ``rmdir``
    directories bottom-up. ``kept`` files are the last link to their data and stay unless
    removal of such files was confirmed; their directories stay with them."""

    target: str
    context: str
    is_dir: bool
    unlink: tuple[str, ...] = ()
    rmdir: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErrorStep:
    target: str
    reason: str


Step = MkdirStep | FileStep | RemoveStep | ErrorStep


@dataclass(frozen=True, slots=True)
class MovieSteps:
    movie: PlannedMovie
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class SyncSteps:
    movies: tuple[MovieSteps, ...]
    library_strays: tuple[str, ...]
    library_removals: tuple[RemoveStep, ...]
    nested_strays: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReconcileOptions:
    mode: Mode = "hardlink"
    delete: bool = False
    delete_last_copies: bool = False
    metadata_suffixes: frozenset[str] = METADATA_SUFFIXES


@dataclass(slots=True)
class _Reconciler:
    options: ReconcileOptions
    source_data: frozenset[tuple[int, int]]
    source_copies: frozenset[tuple[int, int]]
    nested_strays: list[str] = field(default_factory=list)
    protected: frozenset[str] = frozenset()

    def file_step(self, planned: PlannedFile, existing: FileNode | None) -> FileStep:
        mode = self.options.mode
        copy = planned.copy or mode != "hardlink"
        if existing is None:
            return FileStep("link", planned, copy)
        same_inode = (existing.meta.dev, existing.meta.ino) == (
            planned.meta.dev,
            planned.meta.ino,
        )
        if mode == "force-copy":
            return FileStep("replace", planned, copy)
        if copy:
            unchanged = (
                not existing.symlink
                and not same_inode
                and existing.meta.size == planned.meta.size
                and existing.meta.mtime_ns == planned.meta.mtime_ns
            )
        else:
            unchanged = not existing.symlink and same_inode
        return FileStep("skip" if unchanged else "replace", planned, copy)

    def removal(
        self, path: str, context: str, file: FileNode | None, tree: DirNode | None
    ) -> RemoveStep | None:
        """How to remove one stray entry; None when it holds a marked folder (kept)."""
        if tree is not None:
            if tree.holds_marker():
                return None
            unlink: list[str] = []
            rmdir: list[str] = []
            kept: list[str] = []
            self._plan_tree_removal(tree, path, unlink, rmdir, kept)
            return RemoveStep(path, context, True, tuple(unlink), tuple(rmdir), tuple(kept))
        assert file is not None
        if self._is_last_copy(file):
            return RemoveStep(path, context, False, kept=(path,))
        return RemoveStep(path, context, False, unlink=(path,))

    def _plan_tree_removal(
        self, tree: DirNode, path: str, unlink: list[str], rmdir: list[str], kept: list[str]
    ) -> bool:
        """Fill the lists for ``tree``; True when the directory itself can go."""
        empty = True
        for f in tree.files:
            if self._is_last_copy(f):
                kept.append(f"{path}/{f.name}")
                empty = False
            else:
                unlink.append(f"{path}/{f.name}")
        for name in (*(s.name for s in tree.specials), *tree.leftovers):
            unlink.append(f"{path}/{name}")
        if tree.error is not None:
            empty = False
        for sub in tree.dirs:
            if not self._plan_tree_removal(sub, f"{path}/{sub.name}", unlink, rmdir, kept):
                empty = False
        if empty:
            rmdir.append(path)
        return empty

    def _is_last_copy(self, node: FileNode) -> bool:
        """The only link to data that exists nowhere in the source: never removed unless the
        removal of such files was confirmed. Metadata files are exempt (they are copies by
        design); so is a file whose inode, or size and mtime, a source file still has."""
        if self.options.delete_last_copies or node.symlink or node.meta.nlink > 1:
            return False
        if is_metadata_name(node.name, self.options.metadata_suffixes):
            return False
        if (node.meta.dev, node.meta.ino) in self.source_data:
            return False
        return (node.meta.size, node.meta.mtime_ns) not in self.source_copies

    def strays(
        self,
        existing: DirNode | None,
        path: str,
        expected: set[str],
        context: str,
        steps: list[Step],
    ) -> None:
        if existing is None:
            return
        for f in existing.files:
            if f.name not in expected:
                self._stray(f"{path}/{f.name}", context, f, None, steps)
        for special in existing.specials:
            if special.name not in expected:
                self._stray(f"{path}/{special.name}", context, None, None, steps)
        for d in existing.dirs:
            if d.name not in expected:
                self._stray(f"{path}/{d.name}", context, None, d, steps)

    def _stray(
        self,
        path: str,
        context: str,
        file: FileNode | None,
        tree: DirNode | None,
        steps: list[Step],
    ) -> None:
        if path in self.protected or (tree is not None and tree.holds_marker()):
            return
        if not self.options.delete:
            self.nested_strays.append(path)
            return
        if file is None and tree is None:
            steps.append(RemoveStep(path, context, False, unlink=(path,)))
            return
        step = self.removal(path, context, file, tree)
        if step is not None:
            steps.append(step)

    def place(
        self,
        planned: PlannedFile,
        files: dict[str, FileNode],
        dirs: dict[str, DirNode],
        context: str,
        steps: list[Step],
    ) -> None:
        name = planned.target_name
        in_the_way = dirs.get(name)
        if in_the_way is not None:
            if not self.options.delete or in_the_way.holds_marker():
                steps.append(ErrorStep(planned.target, "a directory is in the way"))
                return
            step = self.removal(planned.target, context, None, in_the_way)
            if step is None or step.kept:
                steps.append(ErrorStep(planned.target, "a directory is in the way"))
                return
            steps.append(step)
            steps.append(FileStep("link", planned, planned.copy or self.options.mode != "hardlink"))
            return
        steps.append(self.file_step(planned, files.get(name)))

    def ensure_dir(
        self,
        path: str,
        parent_files: dict[str, FileNode],
        existing: DirNode | None,
        context: str,
        steps: list[Step],
    ) -> bool:
        """Make sure directory ``path`` will exist; False when a file blocks it."""
        if existing is not None:
            return True
        name = _leaf(path)
        blocking = parent_files.get(name)
        if blocking is not None:
            if not self.options.delete:
                steps.append(ErrorStep(path, "a file is in the way"))
                return False
            step = self.removal(path, context, blocking, None)
            if step is None or step.kept:
                steps.append(ErrorStep(path, "a file is in the way"))
                return False
            steps.append(step)
        steps.append(MkdirStep(path))
        return True


def _index(node: DirNode | None) -> tuple[dict[str, FileNode], dict[str, DirNode]]:
    if node is None:
        return {}, {}
    return {f.name: f for f in node.files}, {d.name: d for d in node.dirs}


def reconcile(
    plan: MirrorPlan,
    source: DirNode,
    target: DirNode | None,
    options: ReconcileOptions,
) -> SyncSteps:
    """The steps that make ``target`` match ``plan``, in jellyplex-sync's order: per movie its
    videos, loose files and extras, its strays, then its asset folders recursively; library
    strays last. Nothing is planned for a locked plan or one with folder clashes."""
    if plan.locked is not None or plan.folder_clashes:
        return SyncSteps((), (), (), ())
    data: set[tuple[int, int]] = set()
    copies: set[tuple[int, int]] = set()
    stack = [source]
    while stack:
        node = stack.pop()
        for f in node.files:
            data.add((f.meta.dev, f.meta.ino))
            copies.add((f.meta.size, f.meta.mtime_ns))
        stack.extend(node.dirs)
    rec = _Reconciler(options, frozenset(data), frozenset(copies))
    root_files, root_dirs = _index(target)

    movies: list[MovieSteps] = []
    for movie in plan.movies:
        steps: list[Step] = []
        rec.protected = movie.protected
        existing = root_dirs.get(movie.target_folder)
        if rec.ensure_dir(movie.target_folder, root_files, existing, LIBRARY_STRAY, steps):
            _reconcile_movie(rec, movie, existing, steps)
        movies.append(MovieSteps(movie, tuple(steps)))

    planned_folders = {m.target_folder for m in plan.movies}
    keep = planned_folders | plan.protected_folders | {s.target_folder for s in plan.settled}
    strays: list[str] = []
    removals: list[RemoveStep] = []
    if target is not None:
        entries: list[tuple[str, FileNode | None, DirNode | None]] = [
            *((f.name, f, None) for f in target.files),
            *((special.name, None, None) for special in target.specials),
            *((d.name, None, d) for d in target.dirs),
        ]
        for name, file, tree in sorted(entries, key=lambda e: e[0]):
            if name in keep or (tree is not None and tree.holds_marker()):
                continue
            if file is not None and name in planned_folders:
                continue  # a file in a planned folder's place: handled with its movie
            strays.append(name)
            if not options.delete:
                continue
            if file is None and tree is None:
                removals.append(RemoveStep(name, LIBRARY_STRAY, False, unlink=(name,)))
                continue
            step = rec.removal(name, LIBRARY_STRAY, file, tree)
            if step is not None:
                removals.append(step)
    return SyncSteps(tuple(movies), tuple(strays), tuple(removals), tuple(rec.nested_strays))


def _reconcile_movie(
    rec: _Reconciler, movie: PlannedMovie, existing: DirNode | None, steps: list[Step]
) -> None:
    files, dirs = _index(existing)
    for planned in (*movie.videos, *movie.loose_files):
        rec.place(planned, files, dirs, MOVIE_STRAY, steps)

    extra_folders: dict[str, list[PlannedFile]] = {}
    for planned in movie.extras:
        parts = planned.target.split("/")
        if len(parts) == 2:
            rec.place(planned, files, dirs, MOVIE_STRAY, steps)
        else:
            extra_folders.setdefault(parts[1], []).append(planned)
    asset_names = {a.folder_name for a in movie.assets}
    for folder, planned_files in extra_folders.items():
        if folder in asset_names:
            continue  # placed with the asset folder of that name
        path = join(movie.target_folder, folder)
        folder_node = dirs.get(folder)
        if not rec.ensure_dir(path, files, folder_node, MOVIE_STRAY, steps):
            continue
        sub_files, sub_dirs = _index(folder_node)
        for planned in planned_files:
            rec.place(planned, sub_files, sub_dirs, ASSET_STRAY, steps)
        rec.strays(folder_node, path, {p.target_name for p in planned_files}, ASSET_STRAY, steps)

    expected = {_leaf(p.target) for p in (*movie.videos, *movie.loose_files)}
    expected.update(p.target.split("/")[1] for p in movie.extras)
    expected.update(asset_names)
    rec.strays(existing, movie.target_folder, expected, MOVIE_STRAY, steps)

    for asset in movie.assets:
        extra_files = extra_folders.get(asset.folder_name, [])
        _reconcile_asset(rec, asset, dirs.get(asset.folder_name), files, extra_files, steps)


def _reconcile_asset(
    rec: _Reconciler,
    asset: PlannedAsset,
    existing: DirNode | None,
    parent_files: dict[str, FileNode],
    extra_files: list[PlannedFile],
    steps: list[Step],
) -> None:
    context = MOVIE_STRAY if asset.target.count("/") == 1 else ASSET_STRAY
    if not rec.ensure_dir(asset.target, parent_files, existing, context, steps):
        return
    files, dirs = _index(existing)
    for planned in (*asset.files, *extra_files):
        rec.place(planned, files, dirs, ASSET_STRAY, steps)
    expected = {p.target_name for p in (*asset.files, *extra_files)}
    expected.update(s.folder_name for s in asset.subfolders)
    rec.strays(existing, asset.target, expected, ASSET_STRAY, steps)
    for sub in asset.subfolders:
        _reconcile_asset(rec, sub, dirs.get(sub.folder_name), files, [], steps)


# --------------------------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------------------------


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
                if step.action == "link":
                    src_only.append(path.removeprefix(prefix))
                elif step.action == "replace":
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
