import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.adapters.processes import current_runner_id, process_start, runner_alive
from app.domain.jobs import RunnerId
from plex_emulator.builder import Folder
from plex_emulator.knobs import Fault, Knobs
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library


def test_this_process_is_alive() -> None:
    me = current_runner_id()
    assert me.pid == os.getpid()
    assert me.host == socket.gethostname()
    assert runner_alive(str(me)) is True


def test_an_ended_process_is_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    started = "1"
    assert runner_alive(str(RunnerId(socket.gethostname(), child.pid, started))) is False


def test_a_reused_pid_is_not_the_old_process() -> None:
    me = current_runner_id()
    impostor = RunnerId(me.host, me.pid, "12345")
    assert runner_alive(str(impostor)) is False


def test_other_hosts_cannot_be_told() -> None:
    assert runner_alive("some-other-host:1:1") is None
    assert runner_alive("garbage") is None


def test_start_time_of_a_missing_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert process_start(child.pid) is None
    assert process_start(os.getpid()) not in (None, "-")


# -- children die with their parent -----------------------------------------------------------

ORPHAN_TIMEOUT_S = 5.0


def proc_stat(pid: int) -> tuple[int, str, str] | None:
    """``(ppid, state, start time)`` of ``pid``; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[1]), fields[0], fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root`` now: pid -> start time (a reused pid is another one)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = proc_stat(int(entry.name))
        if found is not None:
            children.setdefault(found[0], []).append(int(entry.name))
            starts[int(entry.name)] = found[2]
    below: dict[int, str] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            below[child] = starts[child]
            todo.append(child)
    return below


def still_running(recorded: dict[int, str]) -> list[int]:
    """The recorded processes that still run (a zombie waiting for its reaper has ended)."""
    alive = []
    for pid, started in recorded.items():
        found = proc_stat(pid)
        if found is not None and found[2] == started and found[1] not in ("Z", "X"):
            alive.append(pid)
    return alive


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_a_child_that_follows_its_parent_dies_with_it() -> None:
    """A middle process forks a grandchild that calls ``follow_parent``; SIGKILL of the middle
    one takes the grandchild down (without it, the grandchild sleeps on)."""
    script = (
        "import os, sys, time\n"
        "from app.adapters.processes import follow_parent\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    if sys.argv[1] == 'follow':\n"
        "        follow_parent(os.getppid())\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    for mode, dies in (("follow", True), ("stay", False)):
        with subprocess.Popen(
            [sys.executable, "-c", script, mode], stdout=subprocess.PIPE, text=True
        ) as middle:
            assert middle.stdout is not None
            grandchild = int(middle.stdout.readline())
            found = proc_stat(grandchild)
            assert found is not None
            recorded = {grandchild: found[2]}
            time.sleep(0.3)  # the grandchild has asked for its death signal
            middle.kill()
        if dies:
            gone = functools.partial(lambda pids: not still_running(pids), recorded)
            wait_for(gone, ORPHAN_TIMEOUT_S, "the grandchild")
        else:
            time.sleep(0.5)
            assert still_running(recorded) == [grandchild]
            os.kill(grandchild, signal.SIGKILL)


def test_the_guard_does_nothing_outside_a_fork_server() -> None:
    from app.adapters import child_guard

    assert child_guard.in_fork_server() is False
    assert proc_stat(os.getpid()) is not None  # still here: no death signal, no exit


def many_tracks(root: Path, factory: pytest.TempPathFactory, copies: int) -> Path:
    one = write_library(factory.mktemp("one") / "music", factory)
    for copy in range(copies):
        shutil.copytree(one, root / f"copy {copy:03d}")
    return root


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_sigkill_of_crossfade_mid_run_leaves_no_child_behind(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A real ``crossfade ratings import`` over 600 files with four worker processes: while
    its Plex listing child waits on a slow server and its tag workers have read the files, it
    is SIGKILLed; the fork server, the resource tracker, the tag workers and the listing child
    all end within a few seconds."""
    music = many_tracks(tmp_path / "music", tmp_path_factory, copies=100)
    listing = r"/library/sections/\d+/all"
    # The first request (the count) is answered at once, the listing (in the child) hangs.
    faults = [Fault(path_pattern=listing, times=1), Fault(path_pattern=listing, delay_s=90.0)]
    with running_emulator(
        music=[Folder(str(music))], knobs=Knobs(webhooks_sync=True, faults=faults)
    ) as emulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSFADE_")}
        env |= {"CROSSFADE_DATA_DIR": str(tmp_path / "data"), "CROSSFADE_WORKER_PROCESSES": "4"}
        crossfade = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from app.cli.main import main; main()",
                *("ratings", "import", "--dry-run", "--plex-url", emulator.url),
                *("--token", OWNER_TOKEN, "--section", "music", "--music-dir", str(music)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            recorded: dict[int, str] = {}

            def busy() -> bool:
                recorded.update(descendants(crossfade.pid))
                direct = [p for p in recorded if (proc_stat(p) or (0,))[0] == crossfade.pid]
                servers = [p for p in direct if "multiprocessing.forkserver" in cmdline(p)]
                trackers = [p for p in direct if "resource_tracker" in cmdline(p)]
                forked = [p for p in recorded if servers and (proc_stat(p) or (0,))[0] in servers]
                # the listing child and at least two tag workers
                return len(servers) == 1 and len(trackers) == 1 and len(forked) >= 3

            wait_for(busy, 80, "the fork server, tracker, tag workers and the listing child")
            time.sleep(0.5)
            recorded.update(descendants(crossfade.pid))
        finally:
            crossfade.kill()
            crossfade.wait()
        wait_for(lambda: not still_running(recorded), ORPHAN_TIMEOUT_S, "every child to end")
