"""Helpers for the Subsonic end-to-end tests: a container with a Subsonic library and a music
folder over the same files, jobs run to their end, ratings read on both sides."""

from __future__ import annotations

import time
from pathlib import Path

from app.adapters.subsonic import SubsonicClient
from app.adapters.tags import read_file
from app.bootstrap import Container
from app.domain.jobs import JobRecord, JobStatus
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from tests.subsonic_emulator.supysonic import Supysonic


def finished(container: Container, job: JobRecord, *, timeout_s: float = 60) -> JobRecord:
    deadline = time.monotonic() + timeout_s
    while job.status.is_active:
        assert time.monotonic() < deadline, f"job {job.id} did not end"
        time.sleep(0.05)
        job = container.jobs.get(job.id)
    assert job.status is JobStatus.SUCCEEDED, (job.status, job.error)
    return job


def file_half_stars(path: Path) -> int | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


def supysonic_client(server: Supysonic) -> SubsonicClient:
    return SubsonicClient(server.url, server.user, server.password, max_rate_per_s=0)


def server_stars(server: Supysonic) -> dict[str, int | None]:
    """Each song's ``userRating`` by its path relative to the music folder."""
    with supysonic_client(server) as client:
        return {song.path or song.song_id: song.user_rating for song in client.iter_songs()}


def song_ids(server: Supysonic) -> dict[str, str]:
    with supysonic_client(server) as client:
        return {song.path or "": song.song_id for song in client.iter_songs()}


def subsonic_config(server: Supysonic) -> dict[str, object]:
    return {
        "base_url": server.url,
        "user": server.user,
        "real_paths": True,
        "music_root": str(server.music),
        "max_requests_per_s": 0,
    }
