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
import resource
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
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(JPS_VENV)
        pip = [str(bin_dir / "python"), "-m", "pip"]
    except (OSError, subprocess.CalledProcessError):  # no ensurepip: let our pip fill it
        venv.EnvBuilder(with_pip=False, clear=True).create(JPS_VENV)
        pip = [sys.executable, "-m", "pip", "--python", str(bin_dir / "python")]
    subprocess.run([*pip, "install", "-q", *JPS_PACKAGES], check=True)
    return bin_dir


CPU: dict[str, list[float]] = {}


def timed(command: list[str], name: str) -> float:
    """Wall-clock seconds of one run; its CPU seconds (user + system) go to ``CPU[name]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} exited {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(name, []).append(cpu)
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

    def add(name: str, command: list[str]) -> None:
        times.setdefault(name, []).append(timed(command, name))

    jellyplex = str(jps / "jellyplex")
    src, ours_dst, jps_dst = str(source), str(ours_target), str(jps_target)
    for _ in range(args.repeat):
        for target in (ours_target, jps_target, cp_target):
            shutil.rmtree(target, ignore_errors=True)
        add("initial: ours", [*ours, "sync", "--create", src, ours_dst])
        add("initial: jellyplex-sync", [jellyplex, "sync", "--create", src, jps_dst])
        add("initial: cp -al", ["cp", "-al", src, str(cp_target)])
        # The run after a first sync walks and plans everything once more and records the
        # movies it finds in sync in the index; the no-change runs below start from there.
        add("first re-run: ours", [*ours, "sync", src, ours_dst])

    for _ in range(args.repeat):
        add("no-change: ours", [*ours, "sync", src, ours_dst])
        add("no-change: jellyplex-sync", [jellyplex, "sync", src, jps_dst])
        if crossfade:
            add("no-change: ours via `crossfade`", [crossfade, "mirror", "sync", src, ours_dst])

    for _ in range(args.repeat):
        add("diff: ours", [*ours, "diff", src, ours_dst])
        add("diff: jellyplex-sync", [jellyplex, "diff", src, jps_dst])
        add("diff: ours --full-scan", [*ours, "diff", "--full-scan", src, ours_dst])

    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu = {name: statistics.median(values) for name, values in CPU.items()}
    print(f"\nmedians of {args.repeat} runs{env_note} (wall-clock; CPU = user + system):")
    for name, value in medians.items():
        runs = ", ".join(f"{v:.2f}" for v in times[name])
        print(f"  {name:34s} {value:7.2f} s wall  {cpu[name]:6.2f} s CPU   (wall: {runs})")
    print("\nratios ours / jellyplex-sync (wall, CPU):")
    for phase, goal in (("initial", 0.5), ("no-change", 0.3), ("diff", None)):
        wall = medians[f"{phase}: ours"] / medians[f"{phase}: jellyplex-sync"]
        used = cpu[f"{phase}: ours"] / cpu[f"{phase}: jellyplex-sync"]
        target = f"   (target <= {goal})" if goal is not None else ""
        print(f"  {phase:12s} {wall:5.2f}  {used:5.2f}{target}")
    wall = medians["first re-run: ours"] / medians["no-change: jellyplex-sync"]
    used = cpu["first re-run: ours"] / cpu["no-change: jellyplex-sync"]
    print(f"  {'first re-run':12s} {wall:5.2f}  {used:5.2f}   (builds the index)")
    cp = medians["initial: cp -al"]
    print(f"\ncp -al baseline: {cp:.2f} s; ours initial = {medians['initial: ours'] / cp:.1f}x")


if __name__ == "__main__":
    main()
