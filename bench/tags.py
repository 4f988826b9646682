"""Benchmark the tags adapter: reads/s and writes/s per format over generated files.

Usage: python bench/tags.py [--n 10000] [--formats mp3,flac] [--dir /dev/shm]

Copies each fixture of tests/fixtures/audio ``--n`` times into a temporary folder (tmpfs
/dev/shm when present, so the figures are about parsing and rendering, not the disk), in
album-sized subfolders of ``--per-folder`` files like a real library, then
times ``read_file`` over every file and ``write_rating`` (MusicBee profile, a different rating
per file, verified by re-reading as always) over every file, and prints a table.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"


@dataclass(frozen=True)
class Row:
    fixture: str
    size_bytes: int
    read_s: float
    write_s: float
    methods: Counter[str]


def bench_format(fixture: Path, folder: Path, n: int, per_folder: int) -> Row:
    paths = [folder / f"{i // per_folder:05d}" / f"{i:06d}{fixture.suffix}" for i in range(n)]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture, path)
    started = time.perf_counter()
    for path in paths:
        read_file(path)
    read_s = time.perf_counter() - started
    profile = preset("musicbee")
    options = WriteOptions()
    methods: Counter[str] = Counter()
    started = time.perf_counter()
    for i, path in enumerate(paths):
        methods[write_rating(path, Rating(i % 10 + 1), profile, options=options).method] += 1
    write_s = time.perf_counter() - started
    shutil.rmtree(folder)
    return Row(fixture.name, fixture.stat().st_size, read_s, write_s, methods)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="files per format")
    parser.add_argument("--per-folder", type=int, default=20, help="files per album folder")
    parser.add_argument("--formats", default="", help="fixture names or stems, comma separated")
    parser.add_argument("--dir", default="/dev/shm" if Path("/dev/shm").is_dir() else None)
    args = parser.parse_args()
    wanted = {f.strip() for f in args.formats.split(",") if f.strip()}
    fixtures = [f for f in sorted(FIXTURES.iterdir()) if not wanted or {f.name, f.stem} & wanted]
    print(f"{args.n:,} files per format in {args.dir or tempfile.gettempdir()}")
    print(f"{'fixture':<16}{'bytes':>7}{'reads/s':>10}{'writes/s':>10}  write methods")
    total_reads = total_writes = 0.0
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="crossfade-bench-") as tmp:
        for fixture in fixtures:
            row = bench_format(fixture, Path(tmp) / fixture.stem, args.n, args.per_folder)
            methods = ", ".join(f"{m} {c:,}" for m, c in sorted(row.methods.items()))
            print(
                f"{row.fixture:<16}{row.size_bytes:>7}{args.n / row.read_s:>10,.0f}"
                f"{args.n / row.write_s:>10,.0f}  {methods}"
            )
            total_reads += row.read_s
            total_writes += row.write_s
    count = args.n * len(fixtures)
    print(
        f"{'all':<16}{'':>7}{count / total_reads:>10,.0f}{count / total_writes:>10,.0f}"
        f"  ({count:,} files)"
    )


if __name__ == "__main__":
    main()
