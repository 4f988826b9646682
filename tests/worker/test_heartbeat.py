"""The worker's heartbeat: beats only while redis answers on the worker's own loop; the
healthcheck (``python -m worker.heartbeat``) passes only while beats are fresh; a real
``crossfade worker`` beats."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Waiter
from worker.heartbeat import MAX_AGE_S, beat_forever, is_alive

START_WORKER = "from app.cli.main import main; main()"
CHECK = [sys.executable, "-m", "worker.heartbeat"]


async def answers() -> bool:
    return True


async def hangs() -> bool:
    await asyncio.sleep(3600)
    return True


async def fails() -> bool:
    raise ConnectionError("redis is gone")


@pytest.mark.parametrize(("ping", "beats"), [(answers, True), (hangs, False), (fails, False)])
def test_a_beat_needs_an_answer_from_redis(ping: object, beats: bool, tmp_path: Path) -> None:
    path = tmp_path / "alive"

    async def briefly() -> None:
        task = asyncio.create_task(beat_forever(ping, path, interval_s=0.05))  # type: ignore[arg-type]
        await asyncio.sleep(0.3)
        task.cancel()

    asyncio.run(briefly())
    assert path.exists() is beats


@pytest.mark.parametrize(
    ("age_s", "alive"), [(1.0, True), (MAX_AGE_S - 1, True), (MAX_AGE_S + 1, False)]
)
def test_only_a_fresh_beat_is_alive(age_s: float, alive: bool, tmp_path: Path) -> None:
    path = tmp_path / "alive"
    path.touch()
    assert is_alive(path, now=path.stat().st_mtime + age_s) is alive
    assert not is_alive(tmp_path / "never-written")


def check(path: Path) -> int:
    env = {**os.environ, "CROSSFADE_WORKER_HEARTBEAT": str(path)}
    return subprocess.run(CHECK, env=env, capture_output=True, check=False).returncode


@pytest.mark.redis
def test_a_running_worker_passes_its_healthcheck(
    tmp_path: Path, redis_url: str, wait: Waiter
) -> None:
    path = tmp_path / "worker.alive"
    assert check(path) == 1
    env = {
        **os.environ,
        "CROSSFADE_DATA_DIR": str(tmp_path / "data"),
        "CROSSFADE_REDIS_URL": redis_url,
        "CROSSFADE_WORKER_HEARTBEAT": str(path),
    }
    env.pop("CROSSFADE_DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-c", START_WORKER, "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait(path.exists, timeout_s=30, what="the worker's first heartbeat")
        assert check(path) == 0
    finally:
        worker.terminate()
        worker.wait(30)
    stale = time.time() + MAX_AGE_S + 1
    assert not is_alive(path, now=stale)
