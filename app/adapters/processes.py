"""Who this process is, and whether another job runner process is still alive.

A runner id is ``host:pid:start`` where ``start`` is the process start time in clock ticks
since boot (``/proc/<pid>/stat``), so a pid reused after a restart is not mistaken for the old
process. Liveness can only be judged on the same host; elsewhere the answer is "unknown" and
the job service falls back to the heartbeat age.

Children die with their parent (Linux): the fork server, and every worker it forks, ask the
kernel to SIGKILL them when their parent ends (``PR_SET_PDEATHSIG``, :func:`die_with_parent`),
then check that the parent is still there (it may have died before they asked). So a SIGKILL
of the server or worker takes the fork server down, which takes its tag workers and listing
children down; the resource tracker then reads EOF (no process holds its pipe any more) and
ends. The signal follows the *thread* that forked: the fork server is started from a thread
that lives as long as the process (:func:`worker_context` sees to it), never from a job's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.forkserver
import os
import queue
import signal
import socket
import sys
import threading
from collections.abc import Callable
from functools import cache
from multiprocessing.context import ForkServerContext, SpawnContext
from pathlib import Path

from app.domain.jobs import RunnerId

# What worker processes run: imported once by the fork server, so a worker starts in ~10 ms.
# The first, imported before anything else, makes the fork server die with its parent.
GUARD_MODULE = "app.adapters.child_guard"
WORKER_MODULES = (GUARD_MODULE, "app.adapters.tags.workers", "app.adapters.plex.listing_process")
# The pid of the process that starts a fork server, for the guard to check its parent by.
FORKSERVER_PARENT_ENV = "CROSSFADE_FORKSERVER_PARENT"
_PR_SET_PDEATHSIG = 1


@cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    prctl: Callable[..., int] = libc.prctl
    return prctl


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent (the thread that forked it)
    ends; False where that cannot be asked (not Linux)."""
    prctl = _prctl()
    if prctl is None:
        return False
    return int(prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def follow_parent(parent_pid: int) -> None:
    """The first thing a worker process does: die with its parent, and end now if the
    process that started it (``parent_pid``, our server or worker) is gone already."""
    die_with_parent()
    if not pid_alive(parent_pid):
        os._exit(0)


def _preload() -> list[str]:
    """What the fork server imports once: the worker modules (and what they import), nothing
    else, so that it holds only what workers run. multiprocessing imports the main script
    again in each new process; ``crossfade``'s (``app.cli.main``) is light, and ``app`` modules
    do nothing but define things when imported."""
    return list(WORKER_MODULES)


def worker_context() -> ForkServerContext | SpawnContext:
    """How worker processes start: ``forkserver`` where the platform has it (workers fork from
    a small clean server that imported ``WORKER_MODULES`` once; never a plain ``fork`` of a
    threaded process), ``spawn`` elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(_preload())
        _FORK_SERVER_KEEPER.ensure_running()
        return forkserver
    return multiprocessing.get_context("spawn")


class _ForkServerKeeper:
    """Starts (or restarts) the fork server from one daemon thread that lives as long as this
    process, so its death signal fires when the process ends, not when a job's thread does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: queue.SimpleQueue[tuple[threading.Event, list[BaseException]]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._owner_pid = 0

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or self._owner_pid != os.getpid():
                self._owner_pid = os.getpid()
                self._requests = queue.SimpleQueue()
                self._thread = threading.Thread(
                    target=self._serve, name="crossfade-forkserver-keeper", daemon=True
                )
                self._thread.start()
            requests = self._requests
        done = threading.Event()
        errors: list[BaseException] = []
        requests.put((done, errors))
        done.wait()
        if errors:
            raise errors[0]

    def _serve(self) -> None:
        requests = self._requests
        while True:
            done, errors = requests.get()
            try:
                os.environ[FORKSERVER_PARENT_ENV] = str(os.getpid())
                multiprocessing.forkserver.ensure_running()
            except BaseException as exc:  # handed to the caller, which raises it
                errors.append(exc)
            finally:
                done.set()


_FORK_SERVER_KEEPER = _ForkServerKeeper()


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


def stop_fork_server() -> None:
    """Stop the fork server when this process started one, and multiprocessing's resource
    tracker when no named semaphore is alive any more (the tracker would unlink a live one's
    name); the next :func:`worker_context` starts both again. Call it only when no worker
    process is in use (no job running), after a garbage collection."""
    from multiprocessing import resource_tracker

    stop = getattr(multiprocessing.forkserver._forkserver, "_stop", None)  # CPython's own
    if stop is not None:
        stop()
    if _named_semaphores_alive():
        return
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()


def _named_semaphores_alive() -> bool:
    """Whether a multiprocessing semaphore still waits for its clean-up: each registers a
    finalizer (``SemLock._cleanup``) that unlinks its name when it is collected. Read from
    multiprocessing's registry of finalizers, not by scanning every object (``gc`` hands out
    objects other threads are still building). True when it cannot be told."""
    from multiprocessing import synchronize, util

    registry = getattr(util, "_finalizer_registry", None)
    if registry is None:
        return True
    try:
        finalizers = list(registry.values())
    except RuntimeError:  # changed while read: another thread is busy with them
        return True
    cleanup = getattr(synchronize.SemLock, "_cleanup", None)
    if cleanup is None:
        return True
    return any(getattr(f, "_callback", None) is cleanup for f in finalizers)
