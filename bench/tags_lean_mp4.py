"""µs per MP4 file: the lean MP4 reader vs mutagen's parse, each followed by the family functions
and ``format_of``; once from open files, once from bytes in memory (the parse alone).

Usage: python bench/tags_lean_mp4.py [LIMIT]   (fixtures, then the bench library if present)
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from mutagen.mp4 import MP4

from app.adapters.tags import mp4
from app.adapters.tags.formats import KINDS, format_of
from app.adapters.tags.lean_mp4 import read_lean

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [ROOT / "tests/fixtures/audio" / name for name in ("m4a.m4a", "m4b.m4b", "alac.m4a")]
BENCH_MUSIC = Path("/dev/shm/crossfade-bench/ratings-v2-n20000/music")
MP4_KIND = next(kind for kind in KINDS if kind.file_type is MP4)
ROUNDS = 3


def _use(audio: Any, handle: BinaryIO, name: str) -> object:
    return (
        mp4.readings(audio, None),
        mp4.meta(audio),
        format_of(MP4_KIND, audio, handle, name),
    )


def _lean(handle: BinaryIO, size_bytes: int, name: str) -> object:
    audio: Any = read_lean(handle, size_bytes)
    if audio is None:
        handle.seek(0)
        audio = MP4(handle)
    return _use(audio, handle, name)


def _mutagen(handle: BinaryIO, size_bytes: int, name: str) -> object:
    return _use(MP4(handle), handle, name)


Reader = Callable[[BinaryIO, int, str], object]


def _from_files(paths: list[Path], read: Reader) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for path in paths:
            with path.open("rb") as handle:
                read(handle, path.stat().st_size, path.name)
        best = min(best, time.perf_counter() - start)
    return best / len(paths) * 1e6


def _from_memory(files: list[tuple[bytes, str]], read: Reader) -> float:
    handles = [(io.BytesIO(data), len(data), name) for data, name in files]
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for handle, size_bytes, name in handles:
            read(handle, size_bytes, name)
        best = min(best, time.perf_counter() - start)
    return best / len(files) * 1e6


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    sets = {"fixtures": FIXTURES * 200}
    if BENCH_MUSIC.is_dir():
        found = sorted(p for p in BENCH_MUSIC.glob("*/*/*") if p.suffix in {".m4a", ".m4b"})
        sets["bench library"] = found[:limit]
    for label, paths in sets.items():
        files = [(path.read_bytes(), path.name) for path in paths]
        declined = sum(read_lean(io.BytesIO(data), len(data)) is None for data, _name in files)
        lean_file, slow_file = _from_files(paths, _lean), _from_files(paths, _mutagen)
        lean_mem, slow_mem = _from_memory(files, _lean), _from_memory(files, _mutagen)
        print(
            f"{label}: {len(paths)} files, declined {declined}\n"
            f"  open files: lean {lean_file:.1f} µs/file, mutagen {slow_file:.1f} µs/file,"
            f" x{slow_file / lean_file:.1f}\n"
            f"  in memory:  lean {lean_mem:.1f} µs/file, mutagen {slow_mem:.1f} µs/file,"
            f" x{slow_mem / lean_mem:.1f}"
        )


if __name__ == "__main__":
    main()
