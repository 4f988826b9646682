"""The crash loop: a real ``crossfade ratings run`` (its own process, forked off a warm
starter, ``crash_zygote.py``, with its tag worker and listing processes) over 300 real files
and the Plex emulator is SIGKILLed at a random moment of
its writing phase, 20 times. After every kill: no process of it is left, every file opens and
its audio bytes are the ones it started with, the job is marked interrupted, undo restores
every file's rating and every Plex rating to its value before the run, and the next run
reports no conflict.

The writing phase begins when the run journals its first batch of writes (write-ahead: the
entries are committed before any write goes out); the kill comes 0 to ``MAX_KILL_DELAY_S``
later, which spans the whole phase at this size (some runs end first: a kill after the end is
one of the moments too; after such a run the bound is halved, so on a machine where the phase
is shorter most kills still land inside it).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import Container
from app.domain.jobs import JobRecord, JobStatus, JobTrigger
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from plex_emulator.builder import Folder
from plex_emulator.demo_files import DemoTrack, make_library
from tests.adapters.tags_support import audio_fingerprint
from tests.emulator.support import running_emulator, template_cache
from tests.services.crash_support import alive, session_members, warm_zygote

pytestmark = pytest.mark.slow

TRACKS = 300
ITERATIONS = int(os.environ.get("CRASH_LOOP_ITERATIONS", "20"))
MAX_KILL_DELAY_S = 0.8
SECRET_KEY = "crash-loop-secret-key"
PROFILE = preset("musicbee")
FORMATS = (".mp3", ".flac", ".m4a", ".ogg")


def library(root: Path, factory: pytest.TempPathFactory) -> list[str]:
    tracks = [
        DemoTrack(
            f"Artist {i // 20}/Album {i // 20}/{i % 20 + 1:02d} Song {i}{FORMATS[i % 4]}",
            f"Song {i}",
            f"Artist {i // 20}",
            f"Album {i // 20}",
            None,
            i % 20 + 1,
            1,
        )
        for i in range(TRACKS)
    ]
    make_library(root, tracks, cache_dir=template_cache(factory))
    return [track.relative_path for track in tracks]


@dataclass
class Loop:
    music: Path
    paths: list[str]
    keys: dict[str, int]
    plex: PlexServerClient
    section_id: int
    container: Container
    link_id: int
    zygote: subprocess.Popen[str]

    def file_ratings(self) -> dict[str, int | None]:
        policy = ReadPolicy.for_profile(PROFILE)
        ratings = {}
        for path in self.paths:
            rating = read_file(self.music / path).resolve(policy).rating  # every file opens
            ratings[path] = None if rating is None else rating.half_stars
        return ratings

    def plex_ratings(self) -> dict[str, int | None]:
        by_key = {
            track.rating_key: track.user_rating for track in self.plex.iter_tracks(self.section_id)
        }
        return {path: by_key[key] for path, key in self.keys.items()}

    def journaled(self, job_id: int) -> bool:
        return bool(self.container.domains.sync_repository.journal(job_id))

    def newest_job(self) -> JobRecord | None:
        items = self.container.jobs.page(limit=1).items
        return items[0] if items else None

    def start(self, *arguments: str) -> int:
        """``crossfade <arguments>`` forked off the warm zygote, in its own session."""
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write("\t".join(arguments) + "\n")
        self.zygote.stdin.flush()
        return int(self.zygote.stdout.readline())

    def finished(self, job: JobRecord) -> JobRecord:
        deadline = time.monotonic() + 60
        while job.status.is_active:
            assert time.monotonic() < deadline, f"job {job.id} did not end"
            time.sleep(0.05)
            job = self.container.jobs.get(job.id)
        return job


@pytest.fixture
def loop(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    music = tmp_path / "music"
    paths = library(music, tmp_path_factory)
    with (
        warm_zygote(tmp_path, secret_key=SECRET_KEY, worker_processes=2) as (
            container,
            zygote,
        ),
        running_emulator(music=[Folder(str(music))]) as emulator,
    ):
        plex = PlexServerClient(emulator.url, emulator.owner_token)
        section = next(s for s in plex.list_sections() if s.is_music)
        by_file = {
            file_path: track.rating_key
            for track in plex.iter_tracks(section.section_id)
            for file_path in track.file_paths
        }
        keys = {path: by_file[str(music / path)] for path in paths}
        catalog = container.domains.libraries
        plex_library = catalog.add_library(
            kind="plex_music",
            name="Plex",
            config={"base_url": emulator.url, "section_ids": [section.section_id]},
            secret=emulator.owner_token,
        )
        files = catalog.add_library(
            kind="music_folder",
            name="Files",
            config={"root": str(music), "write_profile": "musicbee"},
        )
        link = catalog.add_link(kind="ratings", library_a_id=plex_library.id, library_b_id=files.id)
        yield Loop(music, paths, keys, plex, section.section_id, container, link.id, zygote)
        plex.close()


def change_both_sides(loop: Loop, rng: random.Random) -> None:
    """New whole-star ratings (every format holds them exactly): half the pairs changed in
    Plex, the other half in the files, each to a value the other side does not hold."""
    files, plex = loop.file_ratings(), loop.plex_ratings()
    shuffled = rng.sample(loop.paths, len(loop.paths))
    for index, path in enumerate(shuffled):
        taken = {files[path], plex[path]}
        value = rng.choice([v for v in (2, 4, 6, 8, 10) if v not in taken])
        if index % 2:
            loop.plex.rate(loop.keys[path], value)
        else:
            write_rating(loop.music / path, Rating(value), PROFILE, options=WriteOptions())


def test_sigkill_while_writing_then_undo_restores_everything(loop: Loop) -> None:
    rng = random.Random(20261207)
    audio = {path: audio_fingerprint(loop.music / path) for path in loop.paths}
    first = loop.container.link_runs.run(loop.link_id, trigger=JobTrigger.API)
    assert loop.finished(first).status is JobStatus.SUCCEEDED  # baselines for every pair
    killed_midway = 0
    max_delay_s = MAX_KILL_DELAY_S
    for iteration in range(ITERATIONS):
        change_both_sides(loop, rng)
        files_before, plex_before = loop.file_ratings(), loop.plex_ratings()
        newest = loop.newest_job()
        last_id = newest.id if newest is not None else 0
        # Every other run has worker processes (a fork server, tag workers, a listing child):
        # they must die with it. They take seconds to start on a busy machine.
        workers = "2" if iteration % 2 == 0 else "1"
        pid = loop.start(
            f"CROSSFADE_WORKER_PROCESSES={workers}", "ratings", "run", str(loop.link_id), "--json"
        )
        try:
            deadline = time.monotonic() + 60
            job: JobRecord | None = None
            while job is None or job.id <= last_id or not loop.journaled(job.id):
                assert alive(pid), "the run ended before its writes"
                assert time.monotonic() < deadline, "the run never reached its writes"
                time.sleep(0.005)
                job = loop.newest_job()
            time.sleep(rng.uniform(0, max_delay_s))
            if alive(pid):
                killed_midway += 1
            else:  # the run ended before the kill: aim earlier next time
                max_delay_s /= 2
        finally:
            with contextlib.suppress(ProcessLookupError):  # it may have ended already
                os.kill(pid, signal.SIGKILL)

        deadline = time.monotonic() + 5  # what the kernel is still ending
        while session_members(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session_members(pid) == [], f"iteration {iteration}: processes left behind"
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # reaped by the zygote: gone for the liveness check too
        loop.container.executor.recover()
        job = loop.container.jobs.get(job.id)
        assert job.status in (JobStatus.INTERRUPTED, JobStatus.SUCCEEDED)
        for path in loop.paths:
            assert audio_fingerprint(loop.music / path) == audio[path], path

        undo = loop.container.link_runs.undo(job.id, trigger=JobTrigger.API)
        undone = loop.finished(undo)
        assert undone.status is JobStatus.SUCCEEDED, undone.error
        assert loop.file_ratings() == files_before, f"iteration {iteration}: files"
        assert loop.plex_ratings() == plex_before, f"iteration {iteration}: Plex"

        after = loop.finished(loop.container.link_runs.run(loop.link_id, trigger=JobTrigger.API))
        assert after.status is JobStatus.SUCCEEDED, after.error
        assert not after.counters.get("conflicts"), f"iteration {iteration}: false conflict"
        assert not after.counters.get("errors")
    assert killed_midway >= ITERATIONS // 2  # most kills came while it was writing
