"""What the crash loops share: a warm zygote that forks ``crossfade`` runs to be SIGKILLed,
the container the test inspects them through, and how to tell what a killed run left alive."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.bootstrap import Container, build_container
from app.settings import load_settings


@contextmanager
def warm_zygote(
    tmp_path: Path, *, secret_key: str, worker_processes: int
) -> Iterator[tuple[Container, subprocess.Popen[str]]]:
    """A started container on ``tmp_path/data`` and a ``tests.services.crash_zygote`` process
    over the same data directory (its runs are forked off it, each in its own session)."""
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "CROSSFADE_DATA_DIR": str(data_dir),
        "CROSSFADE_SECRET_KEY": secret_key,
        "CROSSFADE_WORKER_PROCESSES": str(worker_processes),
        "CROSSFADE_LOG_LEVEL": "WARNING",
    }
    env.pop("CROSSFADE_DATABASE_URL", None)
    env.pop("CROSSFADE_REDIS_URL", None)
    settings = load_settings(
        data_dir=data_dir, database_url=None, redis_url=None, secret_key=secret_key
    )
    container = build_container(settings, runner="inline")
    container.startup()
    with (tmp_path / "zygote.log").open("w") as log:
        zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.services.crash_zygote"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        yield container, zygote
    finally:
        zygote.kill()
        zygote.wait(30)
        for pipe in (zygote.stdin, zygote.stdout):
            if pipe is not None:
                pipe.close()
        container.close()


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def session_members(session_id: int) -> list[int]:
    """Live processes of a session (a run and everything it started, re-parented or not)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":
            found.append(int(entry))
    return found
