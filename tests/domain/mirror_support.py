"""Snapshots from dicts and the plans, targets and sources the mirror domain tests share."""

from __future__ import annotations

import itertools
from typing import Any

from app.domain.mirror.naming import Format
from app.domain.mirror.plan import plan_mirror
from app.domain.mirror.planned import MirrorPlan, PlanOptions
from app.domain.mirror.snapshot import (
    DirNode,
    FileMeta,
    FileNode,
    SettledMovie,
)

_inodes = itertools.count(1000)


def meta(*, ino: int | None = None, size: int = 10, mtime: int = 1, nlink: int = 1) -> FileMeta:
    return FileMeta(size, mtime, next(_inodes) if ino is None else ino, 1, nlink)


MARKED: dict[str, Any] = {"!marked": True}


def snap(spec: dict[str, Any], name: str = "") -> DirNode:
    """A snapshot from a dict: dicts are directories, FileMeta/None are files;
    ``{"!marked": True}`` a marked directory, ``{"!error": reason}`` an unreadable one."""
    if spec.get("!marked"):
        return DirNode(name, marked=True)
    if "!error" in spec:
        return DirNode(name, error=spec["!error"])
    files: list[FileNode] = []
    dirs: list[DirNode] = []
    for key in sorted(spec):
        value = spec[key]
        if isinstance(value, dict):
            dirs.append(snap(value, key))
        elif isinstance(value, FileNode):
            files.append(value._replace(name=key))
        else:
            files.append(FileNode(key, value if isinstance(value, FileMeta) else meta()))
    return DirNode(name, tuple(files), tuple(dirs))


def plan(
    source: DirNode,
    target: DirNode | None = None,
    src: Format = "plex",
    tgt: Format = "jellyfin",
    settled: tuple[SettledMovie, ...] = (),
) -> MirrorPlan:
    return plan_mirror(source, target, PlanOptions(src, tgt), settled)


def targets(result: MirrorPlan) -> set[str]:
    return {f.target for m in result.movies for f in m.all_files()}


def mirror_of(source: DirNode, result: MirrorPlan) -> DirNode:
    """The target a hardlink sync of ``result`` produces (same inodes)."""
    by_path = dict(source.iter_files())
    spec: dict[str, Any] = {}
    for movie in result.movies:
        folder = spec.setdefault(movie.target_folder, {})
        for asset in movie.assets:
            node = folder
            for part in asset.target.split("/")[1:]:
                node = node.setdefault(part, {})
        for planned in movie.all_files():
            node = spec
            *dirs, leaf = planned.target.split("/")
            for part in dirs:
                node = node.setdefault(part, {})
            node[leaf] = by_path[planned.source]
    return snap(spec)


SOURCE_SPEC: dict[str, Any] = {
    "M (2020) {imdb-tt1}": {
        "M (2020) {imdb-tt1}.mkv": meta(ino=1, size=100, mtime=5),
        "M (2020) {imdb-tt1}.nfo": meta(ino=2, size=3, mtime=6),
        "Trailers": {"t.mkv": meta(ino=3, size=7, mtime=7)},
    }
}
JF = "M (2020) [imdbid-tt1]"


def in_sync_target(**overrides: FileMeta) -> DirNode:
    spec: dict[str, Any] = {
        JF: {
            f"{JF}.mkv": meta(ino=1, size=100, mtime=5, nlink=2),
            f"{JF}.nfo": meta(ino=50, size=3, mtime=6),
            "Trailers": {"t.mkv": meta(ino=3, size=7, mtime=7, nlink=2)},
        }
    }
    for name, value in overrides.items():
        spec[JF][name] = value
    return snap(spec)
