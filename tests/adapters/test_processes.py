import os
import socket
import subprocess
import sys

from app.adapters.processes import current_runner_id, process_start, runner_alive
from app.domain.jobs import RunnerId


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
