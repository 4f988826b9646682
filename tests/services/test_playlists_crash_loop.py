"""The playlists crash loop: a real ``crossfade playlists run`` (forked off the warm starter of
``crash_zygote.py``) over 30 Plex playlists and their playlist files is SIGKILLed at a random
moment of its writing phase (after it journaled its first write). After every kill: no process
of it is left, undo puts every playlist file's bytes and every Plex playlist's items back as
they were before the run, and the next run reports no conflict."""

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

from app.adapters.playlist_files import is_playlist_name
from app.adapters.plex import PlexServerClient
from app.bootstrap import Container
from app.domain.jobs import JobRecord, JobStatus, JobTrigger
from plex_emulator.builder import Folder
from tests.emulator.support import running_emulator, write_library
from tests.services.crash_support import alive, session_members, warm_zygote

pytestmark = pytest.mark.slow

PLAYLISTS = 30
ITERATIONS = 20
MAX_KILL_DELAY_S = 0.6
SECRET_KEY = "playlists-crash-loop-secret-key"


@dataclass
class World:
    lists: Path
    plex: PlexServerClient
    keys: list[int]
    container: Container
    link_id: int
    zygote: subprocess.Popen[str]

    def start(self, *arguments: str) -> int:
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write("\t".join(arguments) + "\n")
        self.zygote.stdin.flush()
        return int(self.zygote.stdout.readline())

    def plex_playlists(self) -> dict[str, list[int]]:
        return {
            p.title: [i.track.rating_key for i in self.plex.playlist_items(p.playlist_id)]
            for p in self.plex.list_audio_playlists()
        }

    def files(self) -> dict[str, bytes]:
        """The playlist files (a write killed midway may leave its temporary file: the
        playlists sync ignores it, and removes it once stale)."""
        return {
            path.name: path.read_bytes()
            for path in sorted(self.lists.iterdir())
            if is_playlist_name(path.name)
        }

    def finished(self, job: JobRecord) -> JobRecord:
        deadline = time.monotonic() + 60
        while job.status.is_active:
            assert time.monotonic() < deadline, f"job {job.id} did not end"
            time.sleep(0.05)
            job = self.container.jobs.get(job.id)
        return job

    def newest_job(self) -> JobRecord | None:
        items = self.container.jobs.page(limit=1).items
        return items[0] if items else None

    def journaled(self, job_id: int) -> bool:
        return bool(self.container.domains.playlists.journal.entries(job_id))


@pytest.fixture
def world(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    music = write_library(tmp_path / "music", tmp_path_factory)
    lists = tmp_path / "lists"
    lists.mkdir()
    with (
        warm_zygote(tmp_path, secret_key=SECRET_KEY, worker_processes=1) as (
            container,
            zygote,
        ),
        running_emulator(music=[Folder(str(music))]) as emulator,
    ):
        plex = PlexServerClient(emulator.url, emulator.owner_token)
        section = next(s for s in plex.list_sections() if s.is_music)
        keys = [track.rating_key for track in plex.iter_tracks(section.section_id)]
        catalog = container.domains.libraries
        plex_library = catalog.add_library(
            kind="plex_music",
            name="Plex",
            config={"base_url": emulator.url, "section_ids": [section.section_id]},
            secret=emulator.owner_token,
        )
        files = catalog.add_library(kind="music_folder", name="Files", config={"root": str(music)})
        link = catalog.add_link(
            kind="playlists",
            library_a_id=plex_library.id,
            library_b_id=files.id,
            options={"playlist_dir": str(lists)},
        )
        rng = random.Random(7)
        for number in range(PLAYLISTS):
            plex.create_playlist(f"List {number:02d}", section.section_id, rng.sample(keys, 4))
        yield World(lists, plex, keys, container, link.id, zygote)
        plex.close()


def shuffle_playlists(world: World, rng: random.Random, iteration: int) -> None:
    """Every playlist gets a new order: in Plex on even iterations (the run writes the
    files), in its file on odd ones (the run writes Plex)."""
    if iteration % 2 == 0:
        for playlist in world.plex.list_audio_playlists():
            items = [i.track.rating_key for i in world.plex.playlist_items(playlist.playlist_id)]
            world.plex.replace_playlist_items(playlist.playlist_id, rng.sample(items, len(items)))
        return
    for path in world.lists.iterdir():
        if not is_playlist_name(path.name):
            continue
        lines = path.read_text().splitlines()
        entries = [line for line in lines if line and not line.startswith("#")]
        path.write_text("#EXTM3U\n" + "\n".join(rng.sample(entries, len(entries))) + "\n")


def test_sigkill_while_writing_playlists_then_undo_restores_them(world: World) -> None:
    rng = random.Random(20261207)
    first = world.finished(world.container.link_runs.run(world.link_id, trigger=JobTrigger.API))
    assert first.status is JobStatus.SUCCEEDED and len(world.files()) == PLAYLISTS
    killed_midway = restored = 0
    max_delay_s = MAX_KILL_DELAY_S
    for iteration in range(ITERATIONS):
        shuffle_playlists(world, rng, iteration)
        files_before, plex_before = world.files(), world.plex_playlists()
        newest = world.newest_job()
        last_id = newest.id if newest is not None else 0
        pid = world.start("playlists", "run", str(world.link_id), "--json")
        try:
            deadline = time.monotonic() + 60
            job: JobRecord | None = None
            while job is None or job.id <= last_id or not world.journaled(job.id):
                assert alive(pid), "the run ended before its writes"
                assert time.monotonic() < deadline, "the run never reached its writes"
                time.sleep(0.005)
                job = world.newest_job()
            time.sleep(rng.uniform(0, max_delay_s))
            if alive(pid):
                killed_midway += 1
            else:  # the run ended before the kill: aim earlier next time
                max_delay_s /= 2
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while (session_members(pid) or Path(f"/proc/{pid}").exists()) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.01)
        assert session_members(pid) == [], f"iteration {iteration}: processes left behind"
        world.container.executor.recover()

        undo = world.finished(world.container.link_runs.undo(job.id, trigger=JobTrigger.API))
        assert undo.status is JobStatus.SUCCEEDED, undo.error
        restored += undo.counters.get("restored_a", 0) + undo.counters.get("restored_b", 0)
        assert world.files() == files_before, f"iteration {iteration}: files"
        assert world.plex_playlists() == plex_before, f"iteration {iteration}: Plex"

        after = world.finished(world.container.link_runs.run(world.link_id, trigger=JobTrigger.API))
        assert after.status is JobStatus.SUCCEEDED, after.error
        assert not after.counters.get("conflicts"), f"iteration {iteration}: false conflict"
        assert not after.counters.get("errors")
    assert killed_midway >= ITERATIONS // 2
    assert restored >= PLAYLISTS  # the kills came after writes, which undo put back
