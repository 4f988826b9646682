"""Crossfade does not hear its own echo: the emulator's real webhooks on, a run and an undo
each write to Plex, Plex (the emulator) posts ``media.rate`` for those writes, and no further
run is queued; the undone values stay after the debounce window and after a scheduled run."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import Container, HookTiming, build_container
from app.domain.hooks import hook_url
from app.domain.jobs import JobRecord, JobStatus, JobTrigger
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.main import create_app
from app.settings import Settings
from plex_emulator.builder import Folder
from tests.conftest import FAST_TIMING, Waiter
from tests.emulator.support import running_emulator, write_library

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
DEBOUNCE_S = 0.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(application: FastAPI) -> Iterator[str]:
    """The app on a real loopback port (the emulator must reach it over HTTP)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def file_half_stars(path: Path) -> int | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


def test_a_run_and_an_undo_queue_no_echo_run_and_the_undo_stays(
    settings: Settings,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    wait: Waiter,
) -> None:
    music = write_library(tmp_path / "music", tmp_path_factory)
    write_rating(music / FIRST, Rating(6), preset("musicbee"), options=WriteOptions())
    application = create_app(
        settings,
        container_factory=lambda s: build_container(
            s, timing=FAST_TIMING, hook_timing=HookTiming(debounce_s=DEBOUNCE_S)
        ),
    )
    with running_emulator(music=[Folder(str(music))]) as emulator, served(application) as base:
        container: Container = application.state.container
        # The test ticks the schedule itself, at the moment it chooses; the server's own
        # minute ticker would add a run whenever a minute boundary falls inside the test.
        container.scheduler.stop()
        with PlexServerClient(emulator.url, emulator.owner_token) as plex:
            section = next(s for s in plex.list_sections() if s.is_music)
            keys = {
                relative: next(
                    t.rating_key
                    for t in plex.iter_tracks(section.section_id)
                    if str(music / relative) in t.file_paths
                )
                for relative in (FIRST, CAFE)
            }
            catalog = container.domains.libraries
            plex_library = catalog.add_library(
                kind="plex_music",
                name="Emulated Plex",
                config={"base_url": emulator.url, "section_ids": [section.section_id]},
                secret=emulator.owner_token,
            )
            files = catalog.add_library(
                kind="music_folder", name="Files", config={"root": str(music)}
            )
            link = catalog.add_link(
                kind="ratings",
                library_a_id=plex_library.id,
                library_b_id=files.id,
                schedule="* * * * *",
            )
            endpoint = container.hooks.inbound.create_endpoint(name="Plex", source="plex")
            emulator.webhooks.add_target(hook_url(base, "plex", endpoint.secret))

            def finished(job_id: int) -> JobRecord:
                wait(
                    lambda: container.jobs.get(job_id).status.is_finished,
                    timeout_s=30,
                    what=f"job {job_id}",
                )
                job = container.jobs.get(job_id)
                assert job.status is JobStatus.SUCCEEDED, job.error
                return job

            def deliveries() -> list[tuple[str, str]]:
                emulator.webhooks.flush()
                found = container.hooks.inbound.deliveries(endpoint.endpoint.id, limit=100)
                return [(d.outcome, d.detail or "") for d in reversed(found)]

            def quiet_for_a_debounce_window(jobs_before: int) -> None:
                time.sleep(DEBOUNCE_S * 3)
                container.hooks.inbound.flush()  # anything still pending would start now
                time.sleep(DEBOUNCE_S)
                assert len(container.jobs.page(limit=100).items) == jobs_before

            # a run writes FIRST's 3★ to Plex: Plex's media.rate is its echo
            run = finished(container.link_runs.run(link.id, trigger=JobTrigger.API).id)
            assert plex.get_track(keys[FIRST]).user_rating == 6
            wait(lambda: len(deliveries()) == 1, timeout_s=10, what="the run's echo")
            [(outcome, detail)] = deliveries()
            assert outcome == "ignored" and f"echo of job {run.id}" in detail
            quiet_for_a_debounce_window(1)

            # a person's own rating in Plex is heard as ever (and synced)
            plex.rate(keys[CAFE], 4)
            wait(lambda: len(deliveries()) == 2, timeout_s=10, what="the person's rating")
            assert deliveries()[1][0] == "queued"
            wait(lambda: len(container.jobs.page(limit=100).items) == 2, what="the hook's run")
            heard = container.jobs.page(limit=100).items[0]
            assert heard.trigger is JobTrigger.WEBHOOK
            finished(heard.id)
            assert file_half_stars(music / CAFE) == 4
            wait(lambda: len(deliveries()) == 2, timeout_s=2, what="no further delivery")

            # the undo of the first run clears FIRST in Plex: its echo starts nothing either
            undo = finished(container.link_runs.undo(run.id, trigger=JobTrigger.API).id)
            assert plex.get_track(keys[FIRST]).user_rating is None
            wait(lambda: len(deliveries()) == 3, timeout_s=10, what="the undo's echo")
            outcome, detail = deliveries()[2]
            assert outcome == "ignored" and f"echo of job {undo.id}" in detail
            quiet_for_a_debounce_window(3)

            # a scheduled run leaves the undone pair as it is
            report = container.scheduler.tick(datetime.now(UTC))
            [(_, scheduled_id)] = report.started
            scheduled = finished(scheduled_id)
            assert not scheduled.counters.get("written_a")
            assert not scheduled.counters.get("written_b")
            assert plex.get_track(keys[FIRST]).user_rating is None
            assert file_half_stars(music / FIRST) == 6
            assert len(deliveries()) == 3
