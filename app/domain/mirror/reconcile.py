"""Reconcile: the steps of a sync, from a :class:`~app.domain.mirror.planned.MirrorPlan` and the
target as it is (``link``/``replace``/``skip`` per file, strays to remove, with the safety
rules: a last copy of data stays unless its removal was confirmed, a marked folder stays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from app.domain.mirror.naming import METADATA_SUFFIXES, is_metadata_name
from app.domain.mirror.planned import MirrorPlan, PlannedAsset, PlannedFile, PlannedMovie
from app.domain.mirror.snapshot import DirNode, FileNode, join, leaf

Mode = Literal["hardlink", "copy", "force-copy"]
MODES: tuple[Mode, ...] = ("hardlink", "copy", "force-copy")


class MirrorAction(StrEnum):
    """What a sync does with one target entry: ``link`` creates, ``replace`` atomically
    replaces, ``skip`` leaves it alone; ``remove`` a stray, ``keep`` a stray that is the last
    link to its data, ``error`` when it could not."""

    LINK = "link"
    REPLACE = "replace"
    SKIP = "skip"
    REMOVE = "remove"
    KEEP = "keep"
    ERROR = "error"


class StrayContext(StrEnum):
    """Where a stray was found: in the library root, in a movie folder, in an asset folder.
    ``imported_source`` marks the removal of a staged video an import moved (``--move``)."""

    LIBRARY_STRAY = "library_stray"
    MOVIE_STRAY = "movie_stray"
    ASSET_STRAY = "asset_stray"
    IMPORTED_SOURCE = "imported_source"


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MkdirStep:
    target: str


@dataclass(frozen=True, slots=True)
class FileStep:
    """``link`` creates, ``replace`` atomically replaces, ``skip`` leaves the target alone.
    ``copy`` says how to materialize: a copy, or a hardlink."""

    action: MirrorAction
    file: PlannedFile
    copy: bool


@dataclass(frozen=True, slots=True)
class RemoveStep:
    """Remove the stray ``target`` (a file or a tree): ``unlink`` files first, then ``rmdir``
    directories bottom-up. ``kept`` files are the last link to their data and stay unless
    removal of such files was confirmed; their directories stay with them."""

    target: str
    context: StrayContext
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
            return FileStep(MirrorAction.LINK, planned, copy)
        same_inode = (existing.meta.dev, existing.meta.ino) == (
            planned.meta.dev,
            planned.meta.ino,
        )
        if mode == "force-copy":
            return FileStep(MirrorAction.REPLACE, planned, copy)
        if copy:
            unchanged = (
                not existing.symlink
                and not same_inode
                and existing.meta.size == planned.meta.size
                and existing.meta.mtime_ns == planned.meta.mtime_ns
            )
        else:
            unchanged = not existing.symlink and same_inode
        return FileStep(MirrorAction.SKIP if unchanged else MirrorAction.REPLACE, planned, copy)

    def removal(
        self, path: str, context: StrayContext, file: FileNode | None, tree: DirNode | None
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
        context: StrayContext,
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
        context: StrayContext,
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
        context: StrayContext,
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
            steps.append(
                FileStep(
                    MirrorAction.LINK, planned, planned.copy or self.options.mode != "hardlink"
                )
            )
            return
        steps.append(self.file_step(planned, files.get(name)))

    def ensure_dir(
        self,
        path: str,
        parent_files: dict[str, FileNode],
        existing: DirNode | None,
        context: StrayContext,
        steps: list[Step],
    ) -> bool:
        """Make sure directory ``path`` will exist; False when a file blocks it."""
        if existing is not None:
            return True
        name = leaf(path)
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
    rec = _Reconciler(options, *_source_identities(source))
    root_files, root_dirs = _index(target)

    movies: list[MovieSteps] = []
    for movie in plan.movies:
        steps: list[Step] = []
        rec.protected = movie.protected
        existing = root_dirs.get(movie.target_folder)
        if rec.ensure_dir(
            movie.target_folder, root_files, existing, StrayContext.LIBRARY_STRAY, steps
        ):
            _reconcile_movie(rec, movie, existing, steps)
        movies.append(MovieSteps(movie, tuple(steps)))

    strays, removals = _library_strays(rec, plan, target)
    return SyncSteps(tuple(movies), tuple(strays), tuple(removals), tuple(rec.nested_strays))


def _source_identities(
    source: DirNode,
) -> tuple[frozenset[tuple[int, int]], frozenset[tuple[int, int]]]:
    """The (dev, ino) of every source file, and the (size, mtime) of every source file."""
    data: set[tuple[int, int]] = set()
    copies: set[tuple[int, int]] = set()
    stack = [source]
    while stack:
        node = stack.pop()
        for f in node.files:
            data.add((f.meta.dev, f.meta.ino))
            copies.add((f.meta.size, f.meta.mtime_ns))
        stack.extend(node.dirs)
    return frozenset(data), frozenset(copies)


def _library_strays(
    rec: _Reconciler, plan: MirrorPlan, target: DirNode | None
) -> tuple[list[str], list[RemoveStep]]:
    """The target root's entries the plan does not hold, and how to remove them (``--delete``)."""
    options = rec.options
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
                removals.append(RemoveStep(name, StrayContext.LIBRARY_STRAY, False, unlink=(name,)))
                continue
            step = rec.removal(name, StrayContext.LIBRARY_STRAY, file, tree)
            if step is not None:
                removals.append(step)
    return strays, removals


def _reconcile_movie(
    rec: _Reconciler, movie: PlannedMovie, existing: DirNode | None, steps: list[Step]
) -> None:
    files, dirs = _index(existing)
    for planned in (*movie.videos, *movie.loose_files):
        rec.place(planned, files, dirs, StrayContext.MOVIE_STRAY, steps)

    extra_folders: dict[str, list[PlannedFile]] = {}
    for planned in movie.extras:
        parts = planned.target.split("/")
        if len(parts) == 2:
            rec.place(planned, files, dirs, StrayContext.MOVIE_STRAY, steps)
        else:
            extra_folders.setdefault(parts[1], []).append(planned)
    asset_names = {a.folder_name for a in movie.assets}
    for folder, planned_files in extra_folders.items():
        if folder in asset_names:
            continue  # placed with the asset folder of that name
        path = join(movie.target_folder, folder)
        folder_node = dirs.get(folder)
        if not rec.ensure_dir(path, files, folder_node, StrayContext.MOVIE_STRAY, steps):
            continue
        sub_files, sub_dirs = _index(folder_node)
        for planned in planned_files:
            rec.place(planned, sub_files, sub_dirs, StrayContext.ASSET_STRAY, steps)
        rec.strays(
            folder_node,
            path,
            {p.target_name for p in planned_files},
            StrayContext.ASSET_STRAY,
            steps,
        )

    expected = {leaf(p.target) for p in (*movie.videos, *movie.loose_files)}
    expected.update(p.target.split("/")[1] for p in movie.extras)
    expected.update(asset_names)
    rec.strays(existing, movie.target_folder, expected, StrayContext.MOVIE_STRAY, steps)

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
    context = StrayContext.MOVIE_STRAY if asset.target.count("/") == 1 else StrayContext.ASSET_STRAY
    if not rec.ensure_dir(asset.target, parent_files, existing, context, steps):
        return
    files, dirs = _index(existing)
    for planned in (*asset.files, *extra_files):
        rec.place(planned, files, dirs, StrayContext.ASSET_STRAY, steps)
    expected = {p.target_name for p in (*asset.files, *extra_files)}
    expected.update(s.folder_name for s in asset.subfolders)
    rec.strays(existing, asset.target, expected, StrayContext.ASSET_STRAY, steps)
    for sub in asset.subfolders:
        _reconcile_asset(rec, sub, dirs.get(sub.folder_name), files, [], steps)
