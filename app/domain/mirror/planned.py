"""What a mirror plan holds: the planned movies, files and asset folders, the entries left out
and the clashes. Built by :func:`app.domain.mirror.plan.plan_mirror`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from app.domain.mirror.naming import METADATA_SUFFIXES, Format, Loss, MovieName
from app.domain.mirror.snapshot import FileMeta, SettledMovie
from app.domain.special_files import SpecialKind


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
