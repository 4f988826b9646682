"""Benchmark format detection: ``detect`` (magic-byte fast path) against the scoring alone.

Usage: python bench/tags_detect.py [--n 20000]

Opens every fixture of tests/fixtures/audio once (a real buffered file, as the reader and the
writer hand to ``detect``), then calls ``detect`` and ``_detect_by_score`` ``--n`` times on each
and prints the microseconds per call per fixture, which path answered, and the mean over all.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from app.adapters.tags.formats import HEADER_BYTES, Kind, _by_magic, _detect_by_score, detect

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"

Detector = Callable[[BinaryIO, str], Kind]


def per_call_us(detector: Detector, handle: BinaryIO, name: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        detector(handle, name)
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="calls per fixture and path")
    args = parser.parse_args()
    print(f"{args.n:,} calls per fixture and path, µs per call")
    print(f"{'fixture':<16}{'scoring':>9}{'detect':>9}{'speed-up':>10}  answered by")
    total_old = total_new = 0.0
    fixtures = sorted(FIXTURES.iterdir())
    for fixture in fixtures:
        with fixture.open("rb") as handle:
            name = str(fixture)
            old_us = per_call_us(_detect_by_score, handle, name, args.n)
            new_us = per_call_us(detect, handle, name, args.n)
            handle.seek(0)
            fast = _by_magic(handle.read(HEADER_BYTES)) is not None
        total_old += old_us
        total_new += new_us
        print(
            f"{fixture.name:<16}{old_us:>9.2f}{new_us:>9.2f}{old_us / new_us:>9.1f}x"
            f"  {'magic bytes' if fast else 'scoring'}"
        )
    count = len(fixtures)
    print(
        f"{'mean':<16}{total_old / count:>9.2f}{total_new / count:>9.2f}"
        f"{total_old / total_new:>9.1f}x"
    )


if __name__ == "__main__":
    main()
