"""µs per MP3 file: the lean ID3 reader vs mutagen's parse, each followed by the family functions.

Usage: python bench/tags_lean_id3.py [LIMIT]   (fixtures, then the bench library if present)
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mutagen.mp3 import MP3

from app.adapters.tags import id3
from app.adapters.tags.lean_id3 import read_lean

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [ROOT / "tests/fixtures/audio/mp3.mp3", ROOT / "tests/fixtures/audio/mp3_v23.mp3"]
BENCH_MUSIC = Path("/dev/shm/crossfade-bench/ratings-v2-n20000/music")
ROUNDS = 3


def _lean(path: Path) -> object:
    with path.open("rb") as handle:
        audio = read_lean(handle, path.stat().st_size)
        if audio is None:
            handle.seek(0)
            audio = MP3(handle)
    return id3.readings(audio, None), id3.meta(audio)


def _mutagen(path: Path) -> object:
    with path.open("rb") as handle:
        audio = MP3(handle)
    return id3.readings(audio, None), id3.meta(audio)


def _per_file_us(paths: list[Path], read: Callable[[Path], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for path in paths:
            read(path)
        best = min(best, time.perf_counter() - start)
    return best / len(paths) * 1e6


def _declined(paths: list[Path]) -> int:
    count = 0
    for path in paths:
        data = path.read_bytes()
        count += read_lean(io.BytesIO(data), len(data)) is None
    return count


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    sets = {"fixtures": FIXTURES * 200}
    if BENCH_MUSIC.is_dir():
        sets["bench library"] = sorted(BENCH_MUSIC.glob("*/*/*.mp3"))[:limit]
    for label, paths in sets.items():
        lean = _per_file_us(paths, _lean)
        slow = _per_file_us(paths, _mutagen)
        print(
            f"{label}: {len(paths)} files, lean {lean:.1f} µs/file, mutagen {slow:.1f} µs/file,"
            f" x{slow / lean:.1f}, declined {_declined(paths)}"
        )


if __name__ == "__main__":
    main()
