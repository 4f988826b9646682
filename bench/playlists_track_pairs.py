"""Benchmark of pairing playlist entries between two libraries of tracks
(``app.services.playlists.track_pairs.TrackPairResolver``), as a playlists link between Plex
and MediaMonkey or a Subsonic server does once per run.

Side A is a synthetic library of N tracks (``bench/matching.py``'s generator); side B its noisy
copy (dropped and extra tracks, changed tags, no shared paths: every pair is made by MusicBrainz
id or tags, the expensive stages). A holds P playlists of 50 entries, B the same playlists of
its copies. Prints the time to resolve both ways and how many entries paired.

    python bench/playlists_track_pairs.py                      # 10k and 50k tracks, 40 playlists
    python bench/playlists_track_pairs.py --sizes 20000 --playlists 200
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds
from app.services.playlists.track_pairs import TrackPairResolver
from app.services.ports import SideEntry
from bench.matching import add_noise, make_library


@dataclass
class Library:
    label: str
    tracks: dict[str, TrackInfo]

    def track_catalog(self, reporter: object) -> dict[str, TrackInfo]:
        return self.tracks

    def track_entry(self, ident: str) -> SideEntry:
        return SideEntry(ident=ident, label=ident, track=self.tracks[ident])


class Quiet:
    def progress(self, phase: str, done: int, total: int | None = None) -> None: ...
    def event(self, action: str, subject: str, **details: object) -> None: ...
    def counter(self, name: str, n: int = 1) -> None: ...
    def check_cancelled(self) -> None: ...


def run(size: int, playlists: int, rng: random.Random) -> str:
    tracks_a = make_library(size, rng)
    tracks_b, _ = add_noise(tracks_a, rng)
    side_a = Library("A", {t.id: t for t in tracks_a})
    side_b = Library("B", {t.id: t for t in tracks_b})
    chosen = [rng.choice(tracks_a).id for _ in range(playlists * 50)]
    entries_a = [side_a.track_entry(ident) for ident in chosen]
    entries_b = [
        side_b.track_entry("b" + ident[1:]) for ident in chosen if "b" + ident[1:] in side_b.tracks
    ]
    started = time.perf_counter()
    resolver = TrackPairResolver(side_a, side_b, MatchThresholds())
    back = resolver.b_to_a(entries_b, Quiet(), known=entries_a)
    forth = resolver.a_to_b(entries_a, Quiet())
    took_s = time.perf_counter() - started
    right = sum(found.ident[1:] == ident[1:] for ident, found in forth.found.items())
    return (
        f"{size:>7} tracks, {len(set(chosen)):>5} distinct A entries: {took_s:6.2f} s; "
        f"A→B paired {len(forth.found)} ({right} right), B→A paired {len(back.found)} "
        f"of {len({e.ident for e in entries_b})}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--playlists", type=int, default=40)
    args = parser.parse_args()
    for size in args.sizes:
        print(run(size, args.playlists, random.Random(size)))


if __name__ == "__main__":
    main()
