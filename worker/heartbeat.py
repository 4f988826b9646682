"""Proof that a worker itself is alive, for a container's healthcheck.

While ``crossfade worker`` runs, a task on arq's own event loop pings redis and then touches a
heartbeat file every ``INTERVAL_S`` seconds (:func:`beat_forever`, started by the worker's
``on_startup``). A hung loop or a lost redis connection stops the beats; the healthcheck,
``python -m worker.heartbeat`` (exit 0 when the file was touched less than ``MAX_AGE_S`` ago,
1 otherwise), then reports the worker unhealthy, where pinging redis alone would not.

The file is ``$CROSSFADE_WORKER_HEARTBEAT`` or ``crossfade-worker.alive`` in the temporary
directory: one per container, never in the shared data volume.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

logger = logging.getLogger(__name__)

INTERVAL_S = 10.0
MAX_AGE_S = 60.0
ENV_NAME = "CROSSFADE_WORKER_HEARTBEAT"


def heartbeat_path() -> Path:
    configured = os.environ.get(ENV_NAME)
    return (
        Path(configured) if configured else Path(tempfile.gettempdir()) / "crossfade-worker.alive"
    )


def beat(path: Path) -> None:
    path.touch()
    os.utime(path)


async def beat_forever(
    ping: Callable[[], Awaitable[object]], path: Path, interval_s: float = INTERVAL_S
) -> None:
    """Until cancelled: ``ping`` (redis), then touch ``path``; a failed ping skips the beat."""
    while True:
        try:
            await asyncio.wait_for(ping(), timeout=interval_s)
        except Exception as exc:
            logger.warning("worker heartbeat: redis did not answer (%s)", exc)
        else:
            beat(path)
        await asyncio.sleep(interval_s)


def is_alive(path: Path, max_age_s: float = MAX_AGE_S, now: float | None = None) -> bool:
    try:
        age_s = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age_s <= max_age_s


def main() -> int:
    path = heartbeat_path()
    if is_alive(path):
        return 0
    print(f"no worker heartbeat in {path} for {MAX_AGE_S:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
