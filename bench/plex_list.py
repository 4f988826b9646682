"""Listing every track of a big Plex library: our adapter against plexapi's searchTracks().

The emulator serves a synthetic library (default 100,000 tracks) from this process; each
client runs in its own fresh Python process, so its wall time is its own and its memory is
measured as the growth of its peak resident set (VmHWM) while listing into a list. Request counts
come from the emulator's request log.

    python bench/plex_list.py [--tracks 100000] [--runs 1] [--also-plexapi-1000]

Exits non-zero if our listing breaks its request budget (ceil(N/1000) requests, no
/library/metadata requests) or misses a target (3x faster, 5x leaner than searchTracks()).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section

TOKEN = "bench-owner-token"

PEAK = """
def peak_kb():
    # VmHWM: this process's peak resident set; unlike ru_maxrss it starts afresh at exec
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
"""

OURS = (
    PEAK
    + """
import json, sys, time
from app.adapters.plex import PlexServerClient
url, token = sys.argv[1], sys.argv[2]
with PlexServerClient(url, token) as plex:
    section = plex.list_sections()[0]
    before = peak_kb()
    started, cpu = time.perf_counter(), time.process_time()
    tracks = list(plex.iter_tracks(section.section_id))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = peak_kb()
print(json.dumps({"count": len(tracks), "wall_s": wall, "cpu_s": cpu, "rss_kb": after - before}))
"""
)

PLEXAPI = (
    PEAK
    + """
import json, sys, time
from plexapi.server import PlexServer
url, token, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
plex = PlexServer(url, token)
section = plex.library.sections()[0]
before = peak_kb()
started, cpu = time.perf_counter(), time.process_time()
tracks = section.searchTracks(container_size=size) if size else section.searchTracks()
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
after = peak_kb()
print(json.dumps({"count": len(tracks), "wall_s": wall, "cpu_s": cpu, "rss_kb": after - before}))
"""
)


@dataclass(frozen=True)
class Run:
    name: str
    count: int
    wall_s: float
    cpu_s: float
    rss_mb: float
    requests: int
    metadata_requests: int


def best_of(runs: int, server: EmulatorServer, name: str, code: str, *args: str) -> Run:
    """The fastest of ``runs`` runs (the machine may be busy with other work)."""
    return min((run_client(server, name, code, *args) for _ in range(runs)), key=lambda r: r.wall_s)


def run_client(server: EmulatorServer, name: str, code: str, *args: str) -> Run:
    server.log.clear()
    env = {**os.environ, "PLEXAPI_CONFIG_PATH": os.devnull, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", code, server.url, TOKEN, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    listing = [e for e in server.log.entries() if e.path.endswith("/all")]
    return Run(
        name=name,
        count=result["count"],
        wall_s=result["wall_s"],
        cpu_s=result["cpu_s"],
        rss_mb=result["rss_kb"] / 1024,
        requests=len(listing),
        metadata_requests=server.log.count("/library/metadata"),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument(
        "--also-plexapi-1000",
        action="store_true",
        help="also time searchTracks(container_size=1000)",
    )
    parser.add_argument("--runs", type=int, default=1, help="best of this many runs each")
    options = parser.parse_args()

    started = time.perf_counter()
    state = EmulatorState()
    state.add_account("owner", TOKEN, owner=True)
    add_synthetic_music_section(state, options.tracks)
    print(
        f"emulator: {options.tracks} synthetic tracks built in {time.perf_counter() - started:.1f}s"
    )

    with EmulatorServer(state) as server:
        runs = [best_of(options.runs, server, "crossfade adapter (pages of 1000)", OURS)]
        runs.append(
            best_of(options.runs, server, "plexapi searchTracks() (pages of 100)", PLEXAPI, "0")
        )
        if options.also_plexapi_1000:
            name = "plexapi searchTracks(container_size=1000)"
            runs.append(best_of(options.runs, server, name, PLEXAPI, "1000"))

    print(
        f"{'client':45} {'tracks':>7} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} "
        f"{'requests':>8} {'metadata':>8}"
    )
    for run in runs:
        print(
            f"{run.name:45} {run.count:7d} {run.wall_s:7.2f} {run.cpu_s:7.2f} {run.rss_mb:8.1f} "
            f"{run.requests:8d} {run.metadata_requests:8d}"
        )
    ours, theirs = runs[0], runs[1:]
    for other in theirs:
        speed = other.wall_s / ours.wall_s
        cpu = other.cpu_s / ours.cpu_s
        lean = other.rss_mb / max(ours.rss_mb, 0.1)
        print(
            f"vs {other.name}: {speed:.1f}x faster ({cpu:.1f}x less CPU), {lean:.1f}x less memory"
        )

    budget = math.ceil(options.tracks / 1000)
    failures = []
    if ours.count != options.tracks:
        failures.append(f"listed {ours.count} of {options.tracks} tracks")
    if ours.requests != budget or ours.metadata_requests:
        failures.append(
            f"{ours.requests} listing requests (budget {budget}), "
            f"{ours.metadata_requests} metadata requests (budget 0)"
        )
    default = runs[1]
    if default.wall_s / ours.wall_s < 3:
        failures.append("less than 3x faster than searchTracks()")
    if default.rss_mb / max(ours.rss_mb, 0.1) < 5:
        failures.append("less than 5x leaner than searchTracks()")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
