"""Benchmark the movie mirror against jellyplex-sync 0.5.0 and ``cp -al``.

Generates a library with jellyplex-gen (seeded, with extras) on tmpfs, then times, each
``--repeat`` times with the tools interleaved so that both see the same machine load:

- the initial hardlink sync into an empty target (ours, jellyplex-sync, ``cp -al``);
- a re-run with nothing to do;
- a diff of the synced trees.

Both tools run as their command line does for a user (a fresh process, default verbosity,
output to /dev/null). Ours runs as ``python -m app.cli.mirror`` (the mirror commands alone);
a line for the full ``crossfade`` entry point shows what the other commands' imports add.
Prints medians and the ratios ours / jellyplex-sync.

    python bench/mirror.py                 # 10,000 movies, 3 repeats
    python bench/mirror.py --movies 2000 --repeat 5

jellyplex-sync 0.5.0 and jellyplex-gen 0.1.1 are installed from PyPI into a virtualenv under
``~/.cache/crossfade-test/jps-0.5.0`` (reused when present).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

JPS_VENV = Path.home() / ".cache" / "crossfade-test" / "jps-0.5.0"
JPS_PACKAGES = ("jellyplex-sync==0.5.0", "jellyplex-gen==0.1.1")


def ensure_jps_venv() -> Path:
    """The virtualenv's bin directory, created and filled when missing."""
    bin_dir = JPS_VENV / "bin"
    if (bin_dir / "jellyplex").exists() and (bin_dir / "jellyplex-gen").exists():
        return bin_dir
    venv.EnvBuilder(with_pip=True, clear=True).create(JPS_VENV)
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", *JPS_PACKAGES], check=True
    )
    return bin_dir


def timed(command: list[str], *, check_codes: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode not in check_codes:
        raise SystemExit(f"{command[:3]} exited {done.returncode}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--movies", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", default="bench")
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm"))
    args = parser.parse_args()

    jps = ensure_jps_venv()
    work = Path(tempfile.mkdtemp(prefix="crossfade-bench-", dir=args.dir))
    try:
        run(args, jps, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, jps: Path, work: Path) -> None:
    source = work / "plex"
    subprocess.run(
        [
            str(jps / "jellyplex-gen"),
            "plex",
            f"--seed={args.seed}",
            f"--movies={args.movies}",
            "--with-extras",
            f"--out={source}",
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    files = sum(len(names) for _root, _dirs, names in os.walk(source))
    print(f"library: {args.movies} movies, {files} files on {args.dir} (seed {args.seed!r})")

    repo = Path(__file__).resolve().parents[1]
    ours = [sys.executable, "-m", "app.cli.mirror"]
    crossfade = shutil.which("crossfade")
    env_note = "" if crossfade else " (crossfade entry point not installed: skipped)"
    os.chdir(repo)

    ours_target, jps_target, cp_target = work / "ours", work / "jps", work / "cp"
    times: dict[str, list[float]] = {}

    def add(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds)

    for _ in range(args.repeat):
        for target in (ours_target, jps_target, cp_target):
            shutil.rmtree(target, ignore_errors=True)
        add("initial: ours", timed([*ours, "sync", "--create", str(source), str(ours_target)]))
        add(
            "initial: jellyplex-sync",
            timed([str(jps / "jellyplex"), "sync", "--create", str(source), str(jps_target)]),
        )
        add("initial: cp -al", timed(["cp", "-al", str(source), str(cp_target)]))

    for _ in range(args.repeat):
        add("no-change: ours", timed([*ours, "sync", str(source), str(ours_target)]))
        add(
            "no-change: jellyplex-sync",
            timed([str(jps / "jellyplex"), "sync", str(source), str(jps_target)]),
        )
        if crossfade:
            add(
                "no-change: ours via `crossfade`",
                timed([crossfade, "mirror", "sync", str(source), str(ours_target)]),
            )

    for _ in range(args.repeat):
        add("diff: ours", timed([*ours, "diff", str(source), str(ours_target)]))
        add(
            "diff: jellyplex-sync",
            timed([str(jps / "jellyplex"), "diff", str(source), str(jps_target)]),
        )
        add(
            "diff: ours --full-scan",
            timed([*ours, "diff", "--full-scan", str(source), str(ours_target)]),
        )

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nmedians of {args.repeat} runs{env_note}:")
    for name, value in medians.items():
        runs = ", ".join(f"{v:.2f}" for v in times[name])
        print(f"  {name:34s} {value:7.2f} s   ({runs})")
    print("\nratios (ours / jellyplex-sync):")
    for phase, target in (("initial", 0.5), ("no-change", 0.3), ("diff", None)):
        ratio = medians[f"{phase}: ours"] / medians[f"{phase}: jellyplex-sync"]
        goal = f"   (target <= {target})" if target is not None else ""
        print(f"  {phase:10s} {ratio:5.2f}{goal}")
    cp = medians["initial: cp -al"]
    print(
        f"\ncp -al baseline: {cp:.2f} s; ours initial = {medians['initial: ours'] / cp:.1f}x cp -al"
    )


if __name__ == "__main__":
    main()
