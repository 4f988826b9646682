"""Give memory back after a run: what a long-lived server does when its last job has ended.

A big run (20,000 tracks) leaves freed Python objects in the allocator's arenas and the
fork server and multiprocessing's resource tracker running. Between runs neither is needed:
:func:`release_memory` collects garbage, stops them (they start again with the next job that
needs worker processes) and asks glibc to return free heap pages to the system
(``malloc_trim``; ``crossfade serve`` runs on the C allocator for this, see
``app.cli.system.LEAN_ALLOCATOR``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys
from collections.abc import Callable
from functools import cache

from app.adapters.processes import stop_fork_server

logger = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)  # glibc only
    return trim


def release_memory() -> None:
    """Collect, stop the idle worker machinery, trim the heap. Safe to call at any time no
    job is running; never raises (it is housekeeping)."""
    try:
        gc.collect()
        stop_fork_server()
        trim = _malloc_trim()
        if trim is not None:
            trim(0)
    except Exception:  # housekeeping must not fail a job's ending
        logger.warning("could not release memory after the last job", exc_info=True)
