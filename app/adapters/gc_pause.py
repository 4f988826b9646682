"""Process-wide control of CPython's cyclic garbage collector, in one place.

Crossfade builds large trees of small objects without reference cycles (snapshots, listings,
plans); the cyclic collector would walk them again and again while they grow. Two tools:

- :func:`paused_gc` switches the collector off for a block (a command, a snapshot, a child
  process's whole life) and back on after it, if it was on before;
- :data:`FULL_GC` (:class:`FullCollections`) defers only the full (oldest generation)
  collections while ratings runs are going; several runs may overlap (threads of one worker
  process) and the thresholds found before the first come back when the last ends.

Both change state shared by the whole process; nothing else in ``app`` calls :mod:`gc`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switches the cyclic collector off for the block; on again after it if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class FullCollections:
    """Defers CPython's full (oldest generation) garbage collections while runs are going.

    A run keeps about ten objects per track alive until it ends, and every 25% of growth of the
    heap triggers a full collection that walks every object of the process: at 20,000 tracks
    that was a third of a no-change re-run. Young collections go on as usual, so short-lived
    reference cycles are still freed; full collections resume when the last of several
    concurrent runs (threads of one process) ends, with the thresholds found before the first.
    """

    DEFERRED = 1_000  # young collections between full ones, instead of CPython's 10

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs = 0
        self._saved: tuple[int, int, int] = gc.get_threshold()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        with self._lock:
            if self._runs == 0:
                self._saved = gc.get_threshold()
                youngest, middle, _ = self._saved
                gc.set_threshold(youngest, middle, self.DEFERRED)
            self._runs += 1
        try:
            yield
        finally:
            with self._lock:
                self._runs -= 1
                if self._runs == 0:
                    gc.set_threshold(*self._saved)


FULL_GC = FullCollections()
"""The process's one deferral: every ratings run enters :meth:`FullCollections.deferred`."""
