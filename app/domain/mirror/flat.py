"""Plan an import: a staging area of loose videos (flat, or half sorted into any folders) into a
structured library, jellyplex-sync 0.5.0's ``import`` grouping rules.

Every video below the staging root is read by its own file name (the stem parsed like a movie
folder name of the source format); videos with the same title, year and provider ids form one
movie, named after the first of them in path order. Only videos are imported: other files are
ignored (``not a video file``), as are names that do not parse (``unparseable video filename``)
and inline extras (``-trailer`` and the like: there is no movie folder to read them against).
Dot entries and folders holding an ignore marker are left out (the marked ones are listed).
Two movies whose target folder names meet are a folder clash: neither is imported, the others
are. An existing target folder holding a marker is neither written nor counted. Pure: the
snapshots come from ``app.adapters.files``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.mirror.grammar import parse_folder, parse_video, render_folder
from app.domain.mirror.movie_plan import Collector, plan_videos
from app.domain.mirror.naming import Format, Loss, MovieName, VideoName, is_video_name, split_suffix
from app.domain.mirror.planned import (
    FolderClash,
    Ignored,
    MirrorPlan,
    PlannedFile,
    PlannedMovie,
    PlanOptions,
)
from app.domain.mirror.snapshot import DirNode, FileNode, join

NOT_A_VIDEO = "not a video file"
UNPARSEABLE = "unparseable video filename"
INLINE_EXTRA = "an inline extra: not imported (no movie folder to read it against)"

MovieKey = tuple[str, str | None, tuple[tuple[str, str], ...]]


@dataclass(slots=True)
class StagedMovie:
    """One movie of the staging area: ``name`` is the stem of its first video (for display),
    ``videos`` are (path relative to the staging root, file) in path order."""

    name: str
    movie: MovieName
    videos: list[tuple[str, FileNode]] = field(default_factory=list)


def movie_key(movie: MovieName) -> MovieKey:
    """Title, year and provider ids: what makes two videos one movie."""
    return (movie.title, movie.year, tuple(sorted(movie.ids)))


def staged_files(source: DirNode, acc: Collector) -> list[tuple[tuple[str, ...], FileNode]]:
    """Every regular file below ``source`` outside marked folders, by path parts in sorted
    order; marked folders, special entries and unreadable folders are recorded in ``acc``."""
    found: list[tuple[tuple[str, ...], FileNode]] = []
    stack: list[tuple[tuple[str, ...], DirNode]] = [((), source)]
    while stack:
        parts, node = stack.pop()
        for special in node.specials:
            path = join(*parts, special.name)
            acc.ignored.append(Ignored(path, special.kind.value, special.kind))
        for f in node.files:
            found.append(((*parts, f.name), f))
        for sub in node.dirs:
            sub_parts = (*parts, sub.name)
            if sub.marked:
                acc.marked_source.append(join(*sub_parts))
            elif sub.error is not None:
                acc.ignored.append(Ignored(join(*sub_parts), f"unreadable: {sub.error}"))
            else:
                stack.append((sub_parts, sub))
    found.sort(key=lambda item: item[0])
    return found


def group_videos(source: DirNode, fmt: Format, acc: Collector) -> list[StagedMovie]:
    """The staging area's videos grouped into movies, in order of their first video."""
    groups: dict[MovieKey, StagedMovie] = {}
    for parts, f in staged_files(source, acc):
        path = join(*parts)
        if not is_video_name(f.name):
            acc.ignored.append(Ignored(path, NOT_A_VIDEO))
            continue
        stem = split_suffix(f.name)[0]
        movie = parse_folder(fmt, stem)
        if movie is None:
            acc.ignored.append(Ignored(path, UNPARSEABLE))
            continue
        staged = groups.setdefault(movie_key(movie), StagedMovie(stem, movie))
        staged.videos.append((path, f))
    return list(groups.values())


def plan_import(source: DirNode, target: DirNode | None, options: PlanOptions) -> MirrorPlan:
    """What an import puts into the target; ``target`` is read only for ignore markers."""
    src_fmt, tgt_fmt = options.source_format, options.target_format
    if source.marked or (target is not None and target.marked):
        return MirrorPlan(
            source_format=src_fmt,
            target_format=tgt_fmt,
            marked_in_source=("",) if source.marked else (),
            marked_in_target=("",) if target is not None and target.marked else (),
        )
    acc = Collector()
    by_target: dict[str, list[tuple[StagedMovie, tuple[Loss, ...]]]] = {}
    for staged in group_videos(source, src_fmt, acc):
        name, drops = render_folder(tgt_fmt, staged.movie)
        by_target.setdefault(name, []).append((staged, drops))

    target_dirs = {d.name: d for d in target.dirs} if target is not None else {}
    movies: list[PlannedMovie] = []
    folder_clashes: list[FolderClash] = []
    protected: set[str] = set()
    clash_skipped = 0
    for target_name, staged_movies in by_target.items():
        existing = target_dirs.get(target_name)
        if existing is not None and existing.marked:
            acc.marked_target.append(target_name)
            continue
        if len(staged_movies) > 1:
            names = tuple(staged.name for staged, _drops in staged_movies)
            folder_clashes.append(FolderClash(target_name, names))
            protected.add(target_name)
            continue
        staged, drops = staged_movies[0]
        planned = _plan_staged(staged, target_name, drops, src_fmt, tgt_fmt, acc)
        if planned is None:
            clash_skipped += 1
        else:
            movies.append(planned)

    for node in target_dirs.values():
        if node.name not in by_target:
            acc.marked_target.extend(_marked_paths(node, node.name))
    return MirrorPlan(
        source_format=src_fmt,
        target_format=tgt_fmt,
        movies=tuple(movies),
        ignored=tuple(acc.ignored),
        clashes=tuple(acc.clashes),
        folder_clashes=tuple(folder_clashes),
        protected_folders=frozenset(protected),
        marked_in_source=tuple(sorted(acc.marked_source)),
        marked_in_target=tuple(sorted(acc.marked_target)),
        clash_skipped=clash_skipped,
    )


def _plan_staged(
    staged: StagedMovie,
    target_name: str,
    drops: tuple[Loss, ...],
    src_fmt: Format,
    tgt_fmt: Format,
    acc: Collector,
) -> PlannedMovie | None:
    """One movie's videos, named like a sync names them; the version part of each file name
    is read after the movie's own name in the source format (the folder it would have)."""
    prefix = render_folder(src_fmt, staged.movie)[0]
    nodes: list[tuple[FileNode, VideoName]] = []
    paths: dict[str, str] = {}
    for path, f in staged.videos:
        parsed = parse_video(src_fmt, f.name, prefix)
        if parsed.extra is not None:
            acc.ignored.append(Ignored(path, INLINE_EXTRA))
            continue
        nodes.append((f, parsed))
        paths.setdefault(f.name, path)
    videos = plan_videos(staged.name, target_name, nodes, tgt_fmt, acc, set())
    if not videos:
        return None
    placed = tuple(
        PlannedFile(
            source=paths[v.source.rsplit("/", 1)[-1]],
            target=v.target,
            meta=v.meta,
            copy=True,
            drops=v.drops,
            disambiguation=v.disambiguation,
        )
        for v in videos
    )
    return PlannedMovie(
        source_folder=staged.name,
        target_folder=target_name,
        movie=staged.movie,
        videos=placed,
        folder_drops=drops,
    )


def _marked_paths(node: DirNode, path: str) -> list[str]:
    if node.marked:
        return [path]
    found: list[str] = []
    for d in node.dirs:
        found.extend(_marked_paths(d, f"{path}/{d.name}"))
    return found
