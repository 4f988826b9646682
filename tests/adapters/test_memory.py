"""``app.adapters.memory``: after the last job the fork server and the resource tracker end
(the tracker only once no semaphore is alive), and the next job starts them again."""

from __future__ import annotations

import multiprocessing.forkserver
import sys
from multiprocessing import resource_tracker

import pytest

from app.adapters.memory import release_memory
from app.adapters.processes import pid_alive, worker_context


def _square(value: int) -> int:
    return value * value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is POSIX")
def test_release_stops_the_worker_machinery_and_the_next_use_starts_it_again() -> None:
    server = multiprocessing.forkserver._forkserver
    with worker_context().Pool(1) as pool:
        assert pool.apply(_square, (7,)) == 49
    del pool  # its semaphores go with it
    server_pid = server._forkserver_pid  # type: ignore[attr-defined]
    assert server_pid is not None
    assert pid_alive(server_pid)

    tracker = resource_tracker._resource_tracker
    tracker_pid = tracker._pid  # type: ignore[attr-defined]
    assert tracker_pid is not None

    holding = worker_context().Lock()  # a live semaphore: the tracker must stay
    release_memory()
    assert server._forkserver_pid is None  # type: ignore[attr-defined]
    assert not pid_alive(server_pid)  # ended and reaped, not a zombie
    assert tracker._pid == tracker_pid  # type: ignore[attr-defined]

    del holding
    release_memory()
    assert tracker._pid is None  # type: ignore[attr-defined]
    assert not pid_alive(tracker_pid)

    with worker_context().Pool(1) as pool:
        assert pool.apply(_square, (8,)) == 64
    assert server._forkserver_pid not in (None, server_pid)  # type: ignore[attr-defined]
    release_memory()


def test_release_with_nothing_running_is_harmless() -> None:
    release_memory()
    release_memory()
