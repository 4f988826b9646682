"""Benchmark the lean Vorbis-comment readers against mutagen, each with the family functions.

Usage: python -m bench.tags_lean_vorbis [--rounds 2000] [--files 2000]

For the FLAC, Ogg Vorbis and Opus fixtures (each opened once, ``--rounds`` reads), then for up to
``--files`` files per format of the benchmark library when it exists (each opened, read once
per path, cache warm): microseconds per file for lean read + ``vorbis.readings`` +
``vorbis.meta``, the same with mutagen's parse, the lean read alone, and how many files lean
declined.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from mutagen.flac import FLAC
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from app.adapters.tags import vorbis
from app.adapters.tags.lean_vorbis import read_lean_flac, read_lean_ogg_vorbis, read_lean_opus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
BENCH_MUSIC = Path("/dev/shm/crossfade-bench/ratings-v2-n20000/music")

Parse = Callable[[BinaryIO, int], Any]
FORMATS: dict[str, tuple[str, Parse, Parse]] = {
    # suffix: (fixture, lean, mutagen)
    ".flac": ("flac.flac", read_lean_flac, lambda f, _size: FLAC(f)),
    ".ogg": ("ogg_vorbis.ogg", read_lean_ogg_vorbis, lambda f, _size: OggVorbis(f)),
    ".opus": ("opus.opus", read_lean_opus, lambda f, _size: OggOpus(f)),
}


def _use(audio: Any) -> None:
    vorbis.readings(audio, None)
    vorbis.meta(audio)


def _timed(
    parse: Parse, handle: BinaryIO, size_bytes: int, *, use: bool = True
) -> tuple[float, bool]:
    started = time.perf_counter()
    handle.seek(0)
    audio = parse(handle, size_bytes)
    if audio is not None and use:
        _use(audio)
    return time.perf_counter() - started, audio is not None


def fixtures(rounds: int) -> None:
    print(f"fixtures, {rounds:,} reads each, µs per file")
    print(f"{'file':<18}{'mutagen':>9}{'lean':>9}{'speed-up':>10}{'lean read only':>16}")
    for _suffix, (name, lean, reference) in FORMATS.items():
        path = FIXTURES / name
        size_bytes = path.stat().st_size
        with path.open("rb") as handle:
            lean_s = sum(_timed(lean, handle, size_bytes)[0] for _ in range(rounds))
            reference_s = sum(_timed(reference, handle, size_bytes)[0] for _ in range(rounds))
            read_s = sum(_timed(lean, handle, size_bytes, use=False)[0] for _ in range(rounds))
        lean_us, reference_us = lean_s / rounds * 1e6, reference_s / rounds * 1e6
        print(
            f"{name:<18}{reference_us:>9.1f}{lean_us:>9.1f}{reference_us / lean_us:>9.1f}x"
            f"{read_s / rounds * 1e6:>16.1f}"
        )


def library(files_per_format: int) -> None:
    if not BENCH_MUSIC.is_dir():
        print(f"(no benchmark library at {BENCH_MUSIC})")
        return
    found: dict[str, list[Path]] = {suffix: [] for suffix in FORMATS}
    for path in sorted(BENCH_MUSIC.rglob("*")):
        if path.suffix in found and len(found[path.suffix]) < files_per_format:
            found[path.suffix].append(path)
    print(f"\nbenchmark library, up to {files_per_format:,} files per format, µs per file")
    print(
        f"{'format':<18}{'files':>7}{'mutagen':>9}{'lean':>9}{'speed-up':>10}"
        f"{'lean read only':>16}{'declined':>10}"
    )
    for suffix, (_name, lean, reference) in FORMATS.items():
        lean_s = reference_s = read_s = 0.0
        declined = 0
        for path in found[suffix]:
            size_bytes = os.stat(path).st_size
            with path.open("rb") as handle:
                reference_s += _timed(reference, handle, size_bytes)[0]
                seconds, read = _timed(lean, handle, size_bytes)
                lean_s += seconds
                declined += not read
                read_s += _timed(lean, handle, size_bytes, use=False)[0]
        count = len(found[suffix]) or 1
        lean_us, reference_us = lean_s / count * 1e6, reference_s / count * 1e6
        print(
            f"{suffix:<18}{len(found[suffix]):>7}{reference_us:>9.1f}{lean_us:>9.1f}"
            f"{reference_us / lean_us:>9.1f}x{read_s / count * 1e6:>16.1f}{declined:>10}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="reads per fixture")
    parser.add_argument("--files", type=int, default=2000, help="library files per format")
    args = parser.parse_args()
    fixtures(args.rounds)
    library(args.files)


if __name__ == "__main__":
    main()
