"""Reading and writing tags in worker processes, so a large scan or write batch uses every core.

mutagen parses in pure Python: one process reads about 4,000 small files a second and holds the
GIL while it does. :class:`TagWorkers` sends batches of paths to a process pool and hands the
results back **in order**, one per request, each a value or the :class:`MediaFileError` the
file raised (errors travel as values, so one bad file never costs its batch).

* Few items (under ``min_items``), or fewer processes than the operation gains from (reads 3,
  writes 2: see ``MIN_READ_PROCESSES``): everything runs in this process, the same functions,
  no pool.
* The pool starts on first use and lives until :meth:`TagWorkers.close` (a run's sides close
  it); its processes start as ``app.adapters.processes.worker_context`` says, and die with
  their parent (``follow_parent``).
* At most ``2 × processes`` batches are in flight. ``should_stop`` is asked before each new batch
  is sent: once it says yes nothing more is sent, but every batch already sent is waited for and
  its results are yielded — a write that happened is always reported (the sync journals it).
* A pool that breaks (a worker killed by the OOM killer, say) is not fatal: that batch and the
  rest run in this process. Re-running a write batch is harmless: a write of the value the file
  already holds is ``unchanged``.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Final, TypeVar

from app.adapters.processes import follow_parent, worker_context
from app.adapters.tags.model import FileTags, WriteOptions, WriteOutcome
from app.adapters.tags.reader import read_file
from app.adapters.tags.writer import write_rating
from app.domain.errors import MediaFileError
from app.domain.ratings.profiles import WriteProfile
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating

READ_BATCH: Final = 128
WRITE_BATCH: Final = 8
MIN_ITEMS: Final = 256

log = logging.getLogger(__name__)
# Reads go to the pool only with this many processes: a lean read costs ~100 µs and taking its
# result in (unpickling, building the item) ~40 µs, so with two cores the consumer competes
# with the workers and a pool read was slower than reading in-process (measured: 2.8 s against
# 2.5 s for a 20,000-file scan). Writes (~800 µs each, mutagen) gain from two.
MIN_READ_PROCESSES: Final = 3
MIN_WRITE_PROCESSES: Final = 2

_Request = TypeVar("_Request")
_Result = TypeVar("_Result")

ReadResult = FileTags | MediaFileError
WriteResult = WriteOutcome | MediaFileError


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """One rating to write into one file (``rating`` None clears it)."""

    path: str
    rating: Rating | None
    profile: WriteProfile
    options: WriteOptions
    pinned_scale: TextScale | None = None


def read_batch(paths: Sequence[str], pinned_scale: TextScale | None) -> list[ReadResult]:
    """:func:`read_file` of each path; a file's error is its result."""
    results: list[ReadResult] = []
    for path in paths:
        try:
            results.append(read_file(path, pinned_scale=pinned_scale))
        except MediaFileError as error:
            results.append(error)
    return results


def write_batch(requests: Sequence[WriteRequest]) -> list[WriteResult]:
    """:func:`write_rating` of each request, in order; a file's error is its result."""
    results: list[WriteResult] = []
    for request in requests:
        try:
            results.append(
                write_rating(
                    request.path,
                    request.rating,
                    request.profile,
                    options=request.options,
                    pinned_scale=request.pinned_scale,
                )
            )
        except MediaFileError as error:
            results.append(error)
    return results


def default_processes() -> int:
    """One worker per core this process may use, at most four (the GIL-free part of a scan
    is file I/O and parsing; past four the in-order consumer is the limit)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


class TagWorkers:
    """Tag reads and writes on ``processes`` worker processes (see the module docstring)."""

    def __init__(self, processes: int, *, min_items: int = MIN_ITEMS) -> None:
        self.processes = max(1, processes)
        self.min_items = min_items
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    def read_many(
        self,
        paths: Sequence[str],
        *,
        pinned_scale: TextScale | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[ReadResult]:
        """One result per path, in order (fewer if ``should_stop`` said yes)."""
        work = functools.partial(read_batch, pinned_scale=pinned_scale)
        batches = _batches(paths, READ_BATCH)
        for results in self._ordered(
            work, batches, len(paths), should_stop, min_processes=MIN_READ_PROCESSES
        ):
            yield from results

    def write_many(
        self,
        requests: Sequence[WriteRequest],
        *,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[WriteResult]:
        """One result per request, in order; when ``should_stop`` says yes, the results of
        every request already sent, then nothing more."""
        batches = _batches(requests, WRITE_BATCH)
        for results in self._ordered(
            write_batch, batches, len(requests), should_stop, min_processes=MIN_WRITE_PROCESSES
        ):
            yield from results

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> TagWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    def _uses_pool(self, items: int, min_processes: int) -> bool:
        return self.processes >= min_processes and items >= self.min_items and not self._broken

    def _started(self) -> ProcessPoolExecutor | None:
        if self._pool is None:
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=worker_context(),
                    initializer=follow_parent,
                    initargs=(os.getpid(),),
                )
            except (OSError, ImportError, NotImplementedError) as exc:  # no sem_open, say
                log.warning("tag worker processes unavailable (%s); working in-process", exc)
                self._broken = True
        return self._pool

    def _ordered(
        self,
        work: Callable[[list[_Request]], list[_Result]],
        batches: Iterator[list[_Request]],
        items: int,
        should_stop: Callable[[], bool],
        *,
        min_processes: int,
    ) -> Iterator[list[_Result]]:
        if not self._uses_pool(items, min_processes):
            for batch in batches:
                if should_stop():
                    return
                yield work(batch)
            return
        pool = self._started()
        # A batch whose future is None runs here when its turn comes: the pool could not take
        # it (it broke, or worker processes cannot start in this environment).
        in_flight: deque[tuple[list[_Request], Future[list[_Result]] | None]] = deque()
        depth = 2 * self.processes
        stopped = False

        def send() -> None:
            nonlocal stopped
            while not stopped and len(in_flight) < depth:
                if should_stop():
                    stopped = True
                    return
                batch = next(batches, None)
                if batch is None:
                    return
                in_flight.append((batch, self._submit(pool, work, batch)))

        send()
        while in_flight:
            batch, future = in_flight.popleft()
            if future is None:
                results = work(batch)
            else:
                try:
                    results = future.result()
                except BrokenProcessPool:
                    # A worker died and the batches in flight went down with the pool: they
                    # and the rest run here (a write batch run twice writes nothing new).
                    self._broken = True
                    log.warning("a tag worker process died; going on in-process")
                    results = work(batch)
                    in_flight = deque((b, None) for b, _ in in_flight)
            send()
            yield results

    def _submit(
        self,
        pool: ProcessPoolExecutor | None,
        work: Callable[[list[_Request]], list[_Result]],
        batch: list[_Request],
    ) -> Future[list[_Result]] | None:
        if pool is None or self._broken:
            return None
        try:
            return pool.submit(work, batch)
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            self._broken = True
            log.warning("tag worker processes unavailable (%s); going on in-process", exc)
            return None


def _batches(items: Sequence[_Request], size: int) -> Iterator[list[_Request]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
