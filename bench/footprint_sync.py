"""The sync part of bench/footprint.py: a ratings sync of N tracks run by a live server.

The library and the Plex ratings are bench/ratings_sync.py's (bench/_ratings_world.py): a
cached tagged library copied afresh, served by the Plex emulator in its own process. The link
is configured in the server's database (as ``crossfade ratings`` does ad hoc), then run
through the API with a ``trigger`` token from ``crossfade token create``; returns when the
job has ended.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from _ratings_world import cached_library, copy_library, emulator_process, seed_plex

from app.bootstrap import build_container
from app.settings import load_settings


def run_sync(base: str, env: dict[str, str], work: Path, tracks_n: int, cache: str | None) -> None:
    pristine, tracks, _ = cached_library(tracks_n, cache)
    music = work / "music"
    copy_library(pristine, music)
    with emulator_process(music) as emulator:
        seed_plex(emulator, music, tracks)
        link_id = _configure(env, emulator.url, emulator.token, emulator.music_section_id(), music)
        token = subprocess.run(
            [
                *(sys.executable, "-c", "from app.cli.main import main; main()"),
                *("token", "create", "--name", "footprint", "--scope", "trigger"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        job = httpx.post(f"{base}/api/v1/links/{link_id}/run", headers=headers, timeout=30)
        job.raise_for_status()
        job_id = job.json()["id"]
        while True:
            state = httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=headers, timeout=30).json()
            if state["status"] not in ("queued", "running"):
                break
            time.sleep(1)
        took = time.perf_counter() - started
        print(f"sync of {tracks_n} tracks: job {job_id} {state['status']} in {took:.1f} s")


def _configure(env: dict[str, str], plex_url: str, token: str, section: int, music: Path) -> int:
    settings = load_settings(data_dir=Path(env["CROSSFADE_DATA_DIR"]), redis_url=None)
    container = build_container(settings)
    try:
        link = container.domains.adhoc.ratings_link(
            plex_url=plex_url,
            token=token,
            section=str(section),
            music_dir=os.fspath(music),
            path_maps=[],
            policy=None,
            profile=None,
        )
        return link.id
    finally:
        container.close()
