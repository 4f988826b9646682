"""Imported first by the fork server (see ``app.adapters.processes``): there, it makes the
fork server die with the process that started it. Anywhere else it does nothing.

The fork server is ``python -c 'from multiprocessing.forkserver import main; ...'``, started
with ``CROSSFADE_FORKSERVER_PARENT`` set to the starting process's pid: only a process whose
parent is that pid, running that command, asks for the death signal; one whose parent is gone
already (it died before the signal was asked for) ends at once.
"""

from __future__ import annotations

import os
import sys

from app.adapters.processes import FORKSERVER_PARENT_ENV, die_with_parent


def in_fork_server() -> bool:
    parent = os.environ.get(FORKSERVER_PARENT_ENV, "")
    return (
        sys.argv[:1] == ["-c"]
        and "multiprocessing.forkserver" in sys.modules
        and parent == str(os.getppid())
    )


def _guard() -> None:
    if not in_fork_server():
        return
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:
        os._exit(0)


_guard()
