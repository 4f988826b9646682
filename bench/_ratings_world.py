"""The world of the ratings sync benchmark: a generated, tagged music library of N tracks with
ratings on both sides, and the Plex emulator serving it from its own process.

The library is built once per N (and layout version) under a cache folder on tmpfs when there
is one, and copied afresh for each tool that syncs it, so every tool starts from the same bytes
and the same Plex ratings.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, write_rating
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
LAYOUT_VERSION = 2
TOKEN = "bench-owner-token-5c1e"

FIXTURE_BY_FORMAT = {
    "mp3": "mp3.mp3",
    "flac": "flac.flac",
    "m4a": "m4a.m4a",
    "ogg": "ogg_vorbis.ogg",
    "opus": "opus.opus",
}
FORMATS = tuple(FIXTURE_BY_FORMAT)
TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 4

# Write profiles used to pre-rate files, per format: several dialects each. Picard (whole stars
# only) is left out, and ratings run from 1★ up: ½★ cannot be held by percent text tags
# (they start at "20"), and such lossy writes make a pair that can never agree.
FILE_PROFILES = {
    "mp3": ("musicbee", "windows", "mediamonkey", "foobar2000", "fmps"),
    "flac": ("musicbee", "fmps", "quodlibet"),
    "ogg": ("musicbee", "fmps", "quodlibet"),
    "opus": ("musicbee", "fmps"),
    "m4a": ("musicbee", "foobar2000"),
}

# Share of tracks per kind of starting point (the rest is unrated everywhere).
FILE_ONLY = 0.10
PLEX_ONLY = 0.10
BOTH_SAME = 0.05
BOTH_DIFFERENT = 0.05
MIN_HALF_STARS = 2


def next_rating(half_stars: int) -> int:
    """Another rating from 1★ to 5★."""
    return half_stars + 1 if half_stars < 10 else MIN_HALF_STARS


@dataclass(frozen=True, slots=True)
class BenchTrack:
    index: int
    relative_path: str
    title: str
    artist: str
    album: str
    track_no: int
    fmt: str
    file_rating: int | None
    file_profile: str | None
    plex_rating: int | None

    @property
    def agreed_after_first_sync(self) -> int | None:
        """What both sides hold after a first sync where Plex wins disagreements."""
        return self.plex_rating if self.plex_rating is not None else self.file_rating


def plan_tracks(n: int) -> list[BenchTrack]:
    """N tracks in Artist/Album/NN Title.ext folders; one format per album; ratings drawn
    from a generator seeded with N, so a given N always gives the same library."""
    draw = random.Random(n)
    tracks: list[BenchTrack] = []
    for index in range(n):
        album_index, track_index = divmod(index, TRACKS_PER_ALBUM)
        artist_index = album_index // ALBUMS_PER_ARTIST
        fmt = FORMATS[album_index % len(FORMATS)]
        artist = f"Artist {artist_index:05d}"
        album = f"Album {album_index:06d}"
        title = f"Song {index:06d} {draw.choice(WORDS)}"
        track_no = track_index + 1
        kind = draw.random()
        file_rating = plex_rating = None
        if kind < FILE_ONLY:
            file_rating = draw.randint(MIN_HALF_STARS, 10)
        elif kind < FILE_ONLY + PLEX_ONLY:
            plex_rating = draw.randint(MIN_HALF_STARS, 10)
        elif kind < FILE_ONLY + PLEX_ONLY + BOTH_SAME:
            file_rating = plex_rating = draw.randint(MIN_HALF_STARS, 10)
        elif kind < FILE_ONLY + PLEX_ONLY + BOTH_SAME + BOTH_DIFFERENT:
            file_rating = draw.randint(MIN_HALF_STARS, 10)
            plex_rating = next_rating(file_rating)
        profile = draw.choice(FILE_PROFILES[fmt]) if file_rating is not None else None
        tracks.append(
            BenchTrack(
                index=index,
                relative_path=f"{artist}/{album}/{track_no:02d} {title}.{fmt}",
                title=title,
                artist=artist,
                album=album,
                track_no=track_no,
                fmt=fmt,
                file_rating=file_rating,
                file_profile=profile,
                plex_rating=plex_rating,
            )
        )
    return tracks


WORDS = (
    "Blue", "Night", "Café", "River", "Echo", "Gold", "Rain", "Ça va", "Drift", "Neon",
    "Björk's Song", "Heat (Remastered)", "Lights", "Stone & Sky", "Wave",
)  # fmt: skip


def cache_root(base: str | None) -> Path:
    if base:
        return Path(base)
    shm = Path("/dev/shm")
    return (
        shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(os.environ.get("TMPDIR", "/tmp"))
    )


def _tag(path: Path, track: BenchTrack) -> None:
    audio: Any = mutagen.File(path, easy=True)
    if audio is None:
        raise ValueError(f"{path}: not an audio file mutagen knows")
    if audio.tags is None:
        audio.add_tags()
    audio["title"] = [track.title]
    audio["artist"] = [track.artist]
    audio["albumartist"] = [track.artist]
    audio["album"] = [track.album]
    audio["tracknumber"] = [str(track.track_no)]
    audio["discnumber"] = ["1"]
    # The fixtures all carry the same MusicBrainz id: give each track its own, as real ones do.
    audio["musicbrainz_trackid"] = [str(uuid.uuid5(uuid.NAMESPACE_URL, track.relative_path))]
    audio.save()


def build_library(target: Path, tracks: Sequence[BenchTrack], *, log: bool = True) -> None:
    """Copy a fixture per track, tag it, and write its file rating in its profile's dialect."""
    options = WriteOptions()
    started = time.perf_counter()
    made_dirs: set[Path] = set()
    for done, track in enumerate(tracks, start=1):
        path = target / track.relative_path
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        shutil.copyfile(FIXTURES / FIXTURE_BY_FORMAT[track.fmt], path)
        _tag(path, track)
        if track.file_rating is not None and track.file_profile is not None:
            write_rating(
                path, Rating(track.file_rating), preset(track.file_profile), options=options
            )
        if log and done % 5000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  built {done:,} of {len(tracks):,} files ({rate:,.0f}/s)", flush=True)


def cached_library(n: int, base: str | None) -> tuple[Path, list[BenchTrack], float]:
    """The pristine library for N (built now if missing) and the seconds building took."""
    tracks = plan_tracks(n)
    home = cache_root(base) / "crossfade-bench" / f"ratings-v{LAYOUT_VERSION}-n{n}"
    music = home / "music"
    done_marker = home / "complete"
    if done_marker.exists():
        return music, tracks, 0.0
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    print(f"building a library of {n:,} tracks in {music} (cached for later runs)", flush=True)
    started = time.perf_counter()
    build_library(music, tracks)
    done_marker.write_text(f"{n}\n")
    return music, tracks, time.perf_counter() - started


def copy_library(source: Path, target: Path) -> float:
    """A fresh copy keeping mtimes (cp -a); returns the seconds it took."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return time.perf_counter() - started


# --- the emulator in its own process ---------------------------------------------------------


@dataclass
class RunningEmulator:
    url: str
    token: str
    startup_s: float
    process: subprocess.Popen[str]

    def client(self, *, timeout_s: float = 60.0) -> PlexServerClient:
        return PlexServerClient(self.url, self.token, timeout_s=timeout_s)

    def music_section_id(self) -> int:
        with self.client() as client:
            return next(s.section_id for s in client.list_sections() if s.is_music)


@contextmanager
def emulator_process(music: Path) -> Iterator[RunningEmulator]:
    """``crossfade emulator --music DIR`` on a free loopback port, stopped on exit."""
    command = [
        sys.executable, "-c", "from app.cli.main import main; main()", "emulator",
        "--music", str(music), "--port", "0", "--token", TOKEN,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            if line.startswith("Plex emulator at "):
                url = line.split(" at ", 1)[1].strip()
                break
        if url is None:
            raise RuntimeError(f"the emulator ended before serving (exit {process.wait()})")
        yield RunningEmulator(url, TOKEN, time.perf_counter() - started, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def plex_keys(client: PlexServerClient, section_id: int, music: Path) -> dict[str, int]:
    """Relative file path -> rating key, as the server lists them."""
    root = str(music) + os.sep
    keys: dict[str, int] = {}
    for track in client.iter_tracks(section_id):
        for plex_path in track.file_paths:
            if plex_path.startswith(root):
                keys[plex_path[len(root) :]] = track.rating_key
    return keys


def rate_in_plex(
    client: PlexServerClient, keys: dict[str, int], ratings: Iterable[tuple[str, int | None]]
) -> int:
    count = 0
    for relative_path, half_stars in ratings:
        client.rate(keys[relative_path], half_stars)
        count += 1
    return count


def seed_plex(emulator: RunningEmulator, music: Path, tracks: Sequence[BenchTrack]) -> float:
    """Give the emulator the planned Plex ratings; returns the seconds it took."""
    started = time.perf_counter()
    section_id = emulator.music_section_id()
    with emulator.client() as client:
        keys = plex_keys(client, section_id, music)
        missing = [t.relative_path for t in tracks if t.relative_path not in keys]
        if missing:
            raise RuntimeError(f"the emulator lists {len(keys)} tracks; missing {missing[:3]}")
        rate_in_plex(
            client,
            keys,
            ((t.relative_path, t.plex_rating) for t in tracks if t.plex_rating is not None),
        )
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class Changes:
    plex: int
    files: int


def change_one_percent(
    emulator: RunningEmulator, music: Path, tracks: Sequence[BenchTrack], *, seed: int
) -> Changes:
    """Change 1% of ratings in Plex (through its API) and another 1% in files (tags written by
    another player's profile); each new value differs from the one both sides agreed on."""
    draw = random.Random(seed)
    count = max(1, len(tracks) // 100)
    chosen = draw.sample(list(tracks), 2 * count)
    in_plex, in_files = chosen[:count], chosen[count:]

    def changed(track: BenchTrack) -> int:
        before = track.agreed_after_first_sync
        return draw.randint(MIN_HALF_STARS, 10) if before is None else next_rating(before)

    section_id = emulator.music_section_id()
    with emulator.client() as client:
        keys = plex_keys(client, section_id, music)
        rate_in_plex(client, keys, ((t.relative_path, changed(t)) for t in in_plex))
    options = WriteOptions()
    for track in in_files:
        profile = preset(draw.choice(FILE_PROFILES[track.fmt]))
        write_rating(music / track.relative_path, Rating(changed(track)), profile, options=options)
    return Changes(plex=len(in_plex), files=len(in_files))


def expected_first_sync(tracks: Sequence[BenchTrack]) -> Changes:
    """Writes a first sync makes when Plex wins disagreements: (to Plex, to files)."""
    to_plex = sum(1 for t in tracks if t.file_rating is not None and t.plex_rating is None)
    to_files = sum(
        1 for t in tracks if t.plex_rating is not None and t.plex_rating != t.file_rating
    )
    return Changes(plex=to_plex, files=to_files)
