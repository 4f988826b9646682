"""Benchmark of app.domain.matching.match_tracks on synthetic libraries with noise.

Side A is a generated library (artists, albums of about 12 tracks, titles of 1-4 words, 20% with
a MusicBrainz id, no paths: the tag stages are the expensive ones). Side B is a shuffled copy
with noise: dropped and extra tracks, remaster suffixes, "feat." credits, "The" and case
changes on artists, deluxe album names, typos in titles, duration jitter, renumbered tracks.

Prints, per size, the time to match, the tag comparisons per track (near-constant means
near-linear), and the outcome against the known truth.

    python bench/matching.py                 # 10k, 50k and 100k per side
    python bench/matching.py --sizes 20000   # other sizes
"""

from __future__ import annotations

import argparse
import random
import string
import time
from dataclasses import replace

from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchResult, match_tracks

SYLLABLES = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"] + ["ch", "sh", "th"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(_word(rng) for _ in range(rng.randint(low, high)))


def make_library(n: int, rng: random.Random) -> list[TrackInfo]:
    tracks: list[TrackInfo] = []
    while len(tracks) < n:
        artist = ("The " if rng.random() < 0.2 else "") + _words(rng, 1, 2)
        for _ in range(rng.randint(1, 8)):
            album = _words(rng, 1, 3)
            for track_no in range(1, rng.randint(6, 18) + 1):
                if len(tracks) == n:
                    break
                tracks.append(
                    TrackInfo(
                        id=f"a{len(tracks)}",
                        title=_words(rng, 1, 4),
                        artist=artist,
                        album=album,
                        album_artist=artist,
                        track_no=track_no,
                        disc_no=1,
                        duration_s=float(rng.randint(90, 480)),
                        mbid=f"mbid-{len(tracks)}" if rng.random() < 0.2 else None,
                    )
                )
    return tracks


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text + rng.choice(string.ascii_lowercase)
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def add_noise(
    tracks: list[TrackInfo], rng: random.Random, *, all_noisy: bool = False
) -> tuple[list[TrackInfo], int]:
    """A noisy copy of ``tracks`` (ids ``b<same number>``) plus extra tracks; returns the copy
    and how many of its tracks have a true partner. About one track in five gets a change to
    its tags, or every track with ``all_noisy``."""
    copies: list[TrackInfo] = []
    for track in tracks:
        roll = rng.random()
        if roll < 0.03:
            continue  # not on side B
        title, artist, album = track.title or "", track.artist or "", track.album or ""
        duration_s = track.duration_s
        track_no = track.track_no
        noise = rng.random() * (0.21 if all_noisy else 1.0)
        if noise < 0.05:
            title += rng.choice([" (Remastered 2011)", " - 2009 Remaster", " [Remastered]"])
        elif noise < 0.08:
            title += " (feat. " + _words(rng, 1, 2) + ")"
        elif noise < 0.11:
            title = _typo(title, rng)
        elif noise < 0.16:
            artist = artist[4:] if artist.startswith("The ") else artist.upper()
        elif noise < 0.19:
            album += " (Deluxe Edition)"
        elif noise < 0.21:
            track_no = (track_no or 0) + 2
        if rng.random() < 0.05 and duration_s is not None:
            duration_s += rng.uniform(-1.5, 1.5)
        copies.append(
            replace(
                track,
                id="b" + track.id[1:],
                title=title,
                artist=artist,
                album=album,
                duration_s=duration_s,
                track_no=track_no,
            )
        )
    true_pairs = len(copies)
    extra = make_library(len(tracks) // 33, rng)
    copies.extend(replace(track, id=f"bx{i}", mbid=None) for i, track in enumerate(extra))
    rng.shuffle(copies)
    return copies, true_pairs


def outcome(result: MatchResult) -> str:
    right = sum(pair.a_id[1:] == pair.b_id[1:] for pair in result.confident)
    wrong = len(result.confident) - right
    return (
        f"confident {len(result.confident):>6} (wrong {wrong}), review {len(result.review):>5}, "
        f"unmatched A {len(result.unmatched_a):>5}, B {len(result.unmatched_b):>5}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    for all_noisy in (False, True):
        label = "every B track changed" if all_noisy else "one B track in five changed"
        print(f"\n{label}")
        print("tracks/side   seconds   µs/track   compared/track   outcome (true pairs)")
        for size in args.sizes:
            rng = random.Random(args.seed)
            side_a = make_library(size, rng)
            side_b, true_pairs = add_noise(side_a, rng, all_noisy=all_noisy)
            started = time.perf_counter()
            result = match_tracks(side_a, side_b)
            elapsed_s = time.perf_counter() - started
            print(
                f"{size:>11,}   {elapsed_s:7.2f}   {elapsed_s / size * 1e6:8.1f}   "
                f"{result.compared_pairs / size:14.2f}   {outcome(result)} ({true_pairs})"
            )


if __name__ == "__main__":
    main()
