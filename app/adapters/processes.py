"""Who this process is, and whether another job runner process is still alive.

A runner id is ``host:pid:start`` where ``start`` is the process start time in clock ticks
since boot (``/proc/<pid>/stat``), so a pid reused after a restart is not mistaken for the old
process. Liveness can only be judged on the same host; elsewhere the answer is "unknown" and
the job service falls back to the heartbeat age.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import socket
import sys
from multiprocessing.context import ForkServerContext, SpawnContext
from pathlib import Path

from app.domain.jobs import RunnerId

# What worker processes run: imported once by the fork server, so a worker starts in ~10 ms.
WORKER_MODULES = ("app.adapters.tags.workers", "app.adapters.plex.listing_process")


def _preload() -> list[str]:
    """What the fork server imports once: the worker modules and every ``app`` module this
    process has imported. multiprocessing runs the main script again in each new process (for
    ``crossfade`` that imports the whole app: ~1.5 s a worker); with those modules already in
    the server, that is a few dictionary lookups. (Its own ``"__main__"`` preload does not work
    on CPython 3.11.) Our modules do nothing but define things when imported."""
    ours = sorted(name for name in sys.modules if name == "app" or name.startswith("app."))
    return [*WORKER_MODULES, *(name for name in ours if name not in WORKER_MODULES)]


def worker_context() -> ForkServerContext | SpawnContext:
    """How worker processes start: ``forkserver`` where the platform has it (workers fork from
    a small clean server that imported ``WORKER_MODULES`` once; never a plain ``fork`` of a
    threaded process), ``spawn`` elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(_preload())
        return forkserver
    return multiprocessing.get_context("spawn")


_PROC = Path("/proc")
UNKNOWN_START = "-"


def process_start(pid: int) -> str | None:
    """The start time of ``pid`` in ticks since boot; ``None`` if there is no such process."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return UNKNOWN_START
    # The command name (field 2) is in parentheses and may contain spaces or ")".
    fields = stat[stat.rfind(")") + 2 :].split()
    # fields[0] is field 3 (state); starttime is field 22.
    return fields[19] if len(fields) > 19 else UNKNOWN_START


def current_runner_id() -> RunnerId:
    pid = os.getpid()
    started = process_start(pid) if _PROC.is_dir() else None
    return RunnerId(host=socket.gethostname(), pid=pid, started=started or UNKNOWN_START)


def runner_alive(runner_id: str) -> bool | None:
    """True or False for a runner on this host; ``None`` when it cannot be told from here."""
    runner = RunnerId.parse(runner_id)
    if runner is None or runner.host != socket.gethostname():
        return None
    if _PROC.is_dir():
        started = process_start(runner.pid)
        if started is None:
            return False
        if UNKNOWN_START in (started, runner.started):
            return None
        return started == runner.started
    try:
        os.kill(runner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return None
    return None


def warm_up_workers() -> None:
    """Start the fork server now, in the background of whatever this process does next: it
    imports our modules once (about a second), which the first worker would otherwise wait
    for. Harmless to call again; nothing to do where there is no fork server."""
    context = worker_context()
    if context.get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()
