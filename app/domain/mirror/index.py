"""The index a mirror run leaves behind, and what a later run may conclude from it.

The index records the last real run (source, target, formats, how many movies: the shrink
guard of ``--delete`` compares against it) and every movie that ended that run completely in
sync, as a :class:`~app.domain.mirror.snapshot.SettledMovie` with a stamp of each of its
directories.
A later run that finds all stamps of a movie unchanged (and its copied files too) knows that
nothing in it can have changed, and neither reads nor plans it: a run with nothing to do costs
little more than one ``stat`` per directory.

Pure: bytes in, values out (JSON, so a hand-edited or foreign file fails to decode instead of
executing anything); the stats are taken by the service.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.domain.mirror.naming import FORMATS, Format, Loss
from app.domain.mirror.planned import PlannedMovie, dedupe_losses
from app.domain.mirror.reconcile import MODES, Mode
from app.domain.mirror.snapshot import DirNode, FileNode, SettledMovie, is_racy

INDEX_VERSION = 2


@dataclass(frozen=True)
class RunIndex:
    source: str
    target: str
    source_format: Format
    target_format: Format
    format_choices: tuple[str, str]
    mode: Mode
    metadata_suffixes: tuple[str, ...]
    movies_total: int
    files_total: int
    finished_at: str
    settled: tuple[SettledMovie, ...] = ()

    def matches(
        self,
        *,
        source: str,
        target: str,
        format_choices: tuple[str, str],
        mode: Mode,
        metadata_suffixes: frozenset[str],
    ) -> bool:
        """True when this index describes runs like the one asked for, so that its settled
        movies mean something for it."""
        return (
            self.source == source
            and self.target == target
            and self.format_choices == format_choices
            and self.mode == mode
            and frozenset(self.metadata_suffixes) == metadata_suffixes
        )


def _flat(pairs: tuple[tuple[str, tuple[int, int, int]], ...]) -> tuple[list[str], list[int]]:
    return [rel for rel, _ in pairs], [value for _, stamp in pairs for value in stamp]


def _encode_settled(movie: SettledMovie) -> list[object]:
    """Flat lists: cheap to encode, and decoded by slicing rather than item by item."""
    source_rels, source_stamps = _flat(movie.source_dirs)
    target_rels, target_stamps = _flat(movie.target_dirs)
    return [
        movie.source_folder,
        movie.target_folder,
        source_rels,
        source_stamps,
        target_rels,
        target_stamps,
        [name for src, tgt in movie.files for name in (src, "" if tgt == src else tgt)],
        [value for copy in movie.copies for value in copy],
        [[loss.kind, loss.key, loss.value, loss.reason] for loss in movie.losses],
    ]


def encode_index(index: RunIndex) -> bytes:
    """ASCII JSON: names that are not UTF-8 survive as ``\\udcXX`` escapes."""
    data = {
        "version": INDEX_VERSION,
        "source": index.source,
        "target": index.target,
        "source_format": index.source_format,
        "target_format": index.target_format,
        "format_choices": list(index.format_choices),
        "mode": index.mode,
        "metadata_suffixes": sorted(index.metadata_suffixes),
        "movies_total": index.movies_total,
        "files_total": index.files_total,
        "finished_at": index.finished_at,
        "settled": [_encode_settled(movie) for movie in index.settled],
    }
    return json.dumps(data, separators=(",", ":")).encode("ascii")


class _Malformed(ValueError):
    pass


def _ints(value: object, multiple: int) -> list[int]:
    if not isinstance(value, list) or len(value) % multiple or not set(map(type, value)) <= {int}:
        raise _Malformed("integers")
    return value


def _strs(value: object) -> list[str]:
    if not isinstance(value, list) or not set(map(type, value)) <= {str}:
        raise _Malformed("strings")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _Malformed("string")
    return value


def _pairs(rels: list[str], flat: list[int]) -> tuple[tuple[str, tuple[int, int, int]], ...]:
    if len(flat) != 3 * len(rels):
        raise _Malformed("stamps")
    values = iter(flat)
    return tuple(zip(rels, zip(values, values, values, strict=True), strict=True))


def _decode_settled(raw: object) -> SettledMovie:
    if not isinstance(raw, list) or len(raw) != 9:
        raise _Malformed("settled movie")
    names = iter(_strs(raw[6]))
    files = tuple((src, tgt or src) for src, tgt in zip(names, names, strict=True))
    copies_flat = iter(_ints(raw[7], 3))
    copies = tuple(zip(copies_flat, copies_flat, copies_flat, strict=True))
    if any(not 0 <= index < len(files) for index, _size, _mtime in copies):
        raise _Malformed("copy index")
    losses: list[Loss] = []
    for item in raw[8]:
        kind, key, value, reason = item
        losses.append(
            Loss(_str(kind), None if key is None else _str(key), _str(value), _str(reason))
        )
    return SettledMovie(
        source_folder=_str(raw[0]),
        target_folder=_str(raw[1]),
        source_dirs=_pairs(_strs(raw[2]), _ints(raw[3], 3)),
        target_dirs=_pairs(_strs(raw[4]), _ints(raw[5], 3)),
        files=files,
        copies=copies,
        losses=tuple(losses),
    )


def decode_index(raw: bytes) -> RunIndex | None:
    """The index in ``raw``, or None when it is of another version or not an index at all."""
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return None
        source_format, target_format = data["source_format"], data["target_format"]
        mode = data["mode"]
        if source_format not in FORMATS or target_format not in FORMATS or mode not in MODES:
            return None
        choices = _strs(data["format_choices"])
        movies_total, files_total = data["movies_total"], data["files_total"]
        if not isinstance(movies_total, int) or not isinstance(files_total, int):
            return None
        return RunIndex(
            source=_str(data["source"]),
            target=_str(data["target"]),
            source_format=source_format,
            target_format=target_format,
            format_choices=(choices[0], choices[1]),
            mode=mode,
            metadata_suffixes=tuple(_strs(data["metadata_suffixes"])),
            movies_total=movies_total,
            files_total=files_total,
            finished_at=_str(data["finished_at"]),
            settled=tuple(_decode_settled(item) for item in data["settled"]),
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return None


# --------------------------------------------------------------------------------------------
# what a movie found in sync records
# --------------------------------------------------------------------------------------------


def _stamped_dirs(
    node: DirNode, now_ns: int
) -> tuple[tuple[str, tuple[int, int, int]], ...] | None:
    """Every directory of ``node`` (``""`` for itself) with its stamp; None when one has no
    stamp or one too fresh to trust."""
    found: list[tuple[str, tuple[int, int, int]]] = []
    stack: list[tuple[str, DirNode]] = [("", node)]
    while stack:
        rel, current = stack.pop()
        stamp = current.stamp
        if stamp is None or is_racy(stamp, now_ns):
            return None
        found.append((rel, stamp))
        prefix = f"{rel}/" if rel else ""
        stack.extend((prefix + d.name, d) for d in current.dirs)
    return tuple(found)


def settle_movie(
    movie: PlannedMovie,
    source_node: DirNode,
    target_node: DirNode,
    mode: Mode,
    now_ns: int,
) -> SettledMovie | None:
    """The index record of a movie a run found in sync, from the snapshots that run read:
    the stamps were taken before each directory was read, so a change made while the run
    went on shows as a changed stamp next time. None when a stamp is missing or too fresh
    (``now_ns`` is when the walk began), or a copy does not match."""
    source_dirs = _stamped_dirs(source_node, now_ns)
    target_dirs = _stamped_dirs(target_node, now_ns)
    if source_dirs is None or target_dirs is None:
        return None
    source_cut = len(movie.source_folder) + 1
    target_cut = len(movie.target_folder) + 1
    all_copies = mode != "hardlink"
    target_files: dict[str, FileNode] | None = None
    files: list[tuple[str, str]] = []
    copies: list[tuple[int, int, int]] = []
    for planned in movie.all_files():
        target_rel = planned.target[target_cut:]
        if all_copies or planned.copy:
            if target_files is None:
                target_files = dict(target_node.iter_files())
            copy = target_files.get(target_rel)
            if copy is None or (copy.meta.size, copy.meta.mtime_ns) != (
                planned.meta.size,
                planned.meta.mtime_ns,
            ):
                return None
            copies.append((len(files), planned.meta.size, planned.meta.mtime_ns))
        files.append((planned.source[source_cut:], target_rel))
    losses = list(movie.folder_drops)
    for video in movie.videos:
        losses.extend(video.drops)
    return SettledMovie(
        source_folder=movie.source_folder,
        target_folder=movie.target_folder,
        source_dirs=source_dirs,
        target_dirs=target_dirs,
        files=tuple(files),
        copies=tuple(copies),
        losses=dedupe_losses(losses),
    )
