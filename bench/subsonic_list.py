"""Listing every song of a big Subsonic library beside listing the same number of tracks from
Plex, both through our adapters against our emulators on loopback.

The Subsonic emulator (tests/subsonic_emulator) and the Plex emulator serve N synthetic tracks
(default 100,000) from this process; each client runs in its own fresh Python process, so its
wall time is its own and its memory is the growth of its peak resident set (VmHWM) while
listing into a list. Request counts come from the emulators' logs.

    python bench/subsonic_list.py [--tracks 100000] [--page 500] [--runs 1]

Exits non-zero if the Subsonic listing breaks its request budget: ceil(N/page) search3 pages,
plus one ping (auth detection) and one empty page when N is a multiple of the page size; no
per-song request.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section
from tests.subsonic_emulator import SubsonicEmulator, serve

PLEX_TOKEN = "bench-owner-token"
USER, PASSWORD = "bench", "bench-password"

PEAK = """
def peak_kb():
    # VmHWM: this process's peak resident set; unlike ru_maxrss it starts afresh at exec
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
"""

SUBSONIC = (
    PEAK
    + """
import json, sys, time
from app.adapters.subsonic import SubsonicClient
url, user, password, page = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with SubsonicClient(url, user, password, max_rate_per_s=0, page_size=page) as client:
    before = peak_kb()
    started, cpu = time.perf_counter(), time.process_time()
    songs = list(client.iter_songs())
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = peak_kb()
print(json.dumps({"count": len(songs), "wall_s": wall, "cpu_s": cpu, "rss_kb": after - before}))
"""
)

PLEX = (
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


@dataclass(frozen=True)
class Run:
    name: str
    count: int
    wall_s: float
    cpu_s: float
    rss_mb: float
    requests: int


def run_client(name: str, code: str, args: list[str], requests: Callable[[], int]) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return Run(name, result["count"], result["wall_s"], result["cpu_s"],
               result["rss_kb"] / 1024, requests())  # fmt: skip


def best_of(runs: int, make: Callable[[], Run]) -> Run:
    """The fastest of ``runs`` runs (the machine may be busy with other work)."""
    return min((make() for _ in range(runs)), key=lambda run: run.wall_s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500, help="search3 songCount")
    parser.add_argument("--runs", type=int, default=1, help="best of this many runs each")
    options = parser.parse_args()

    started = time.perf_counter()
    subsonic = SubsonicEmulator(token_auth=True)
    subsonic.library.add_user(USER, PASSWORD)
    subsonic.library.add_synthetic(options.tracks)
    plex_state = EmulatorState()
    plex_state.add_account("owner", PLEX_TOKEN, owner=True)
    add_synthetic_music_section(plex_state, options.tracks)
    print(f"emulators: {options.tracks} synthetic tracks each, built in "
          f"{time.perf_counter() - started:.1f}s")  # fmt: skip

    url, stop = serve(subsonic)
    try:

        def subsonic_run() -> Run:
            subsonic.log.clear()
            return run_client(
                f"Subsonic adapter (search3 pages of {options.page})",
                SUBSONIC,
                [url, USER, PASSWORD, str(options.page)],
                lambda: len(subsonic.log),
            )

        ours = best_of(options.runs, subsonic_run)
        per_song = sum(subsonic.log.count(m) for m in ("getSong", "getAlbum"))
    finally:
        stop()
    with EmulatorServer(plex_state) as plex:

        def plex_run() -> Run:
            plex.log.clear()
            return run_client(
                "Plex adapter (pages of 1000)",
                PLEX,
                [plex.url, PLEX_TOKEN],
                lambda: len([e for e in plex.log.entries() if e.path.endswith("/all")]),
            )

        plex_listing = best_of(options.runs, plex_run)

    print(f"{'client':40} {'tracks':>7} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'requests':>8}")
    for run in (ours, plex_listing):
        print(f"{run.name:40} {run.count:7d} {run.wall_s:7.2f} {run.cpu_s:7.2f} "
              f"{run.rss_mb:8.1f} {run.requests:8d}")  # fmt: skip

    pages = math.ceil(options.tracks / options.page)
    budget = pages + 1 + (1 if options.tracks % options.page == 0 else 0)
    failures = []
    if ours.count != options.tracks:
        failures.append(f"listed {ours.count} of {options.tracks} songs")
    if ours.requests != budget or per_song:
        failures.append(f"{ours.requests} requests (budget {budget}), {per_song} per-song")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
