"""``crossfade serve`` restarts itself (same pid) with the C allocator, so that a finished run's
memory can go back to the system."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.system import LEAN_ALLOCATOR
from tests.cli.test_system import Server
from tests.conftest import Waiter


def environ_of(pid: int) -> dict[str, str]:
    raw = (Path("/proc") / str(pid) / "environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {key.decode(): value.decode() for key, value in pairs}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path / "data", tmp_path / "serve.log")
    started.env.pop("PYTHONMALLOC", None)
    try:
        yield started
    finally:
        if started.process is not None:
            started.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and glibc")
def test_serve_runs_on_the_lean_allocator_under_the_same_pid(server: Server, wait: Waiter) -> None:
    server.start(wait)
    assert server.process is not None
    environ = environ_of(server.process.pid)
    assert {key: environ.get(key) for key in LEAN_ALLOCATOR} == LEAN_ALLOCATOR


def test_a_process_that_is_not_the_command_line_is_never_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.cli.system import _restart_with_lean_allocator

    monkeypatch.delenv("PYTHONMALLOC", raising=False)
    pid = os.getpid()
    _restart_with_lean_allocator("serve")  # pytest's argv: not ``crossfade serve``
    monkeypatch.setattr(sys, "argv", ["crossfade", "info"])
    _restart_with_lean_allocator("serve")  # the command line, another command
    assert os.getpid() == pid
