"""The threading of a ratings run: both sides scanned at once, writes sent at once.

A side that talks to a server (Plex) mostly waits for it, so it scans and writes on a helper
thread while the other side (a music folder) is walked and its tags written on the job's
thread. Outcomes, events and errors are the same as if everything had run in turn: the helper
reports through a :class:`Relay` that the job's thread replays (a job's reporter is not
thread-safe), and :func:`wait_for` keeps honouring cancellation while it waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TypeVar

from app.domain.links import Side
from app.domain.ratings.merge import Action
from app.services.ports import RatingSide, RatingWrite, Reporter, SideItem, Written
from app.services.ratings.run.journal import WriteJournal
from app.services.ratings.run.values import PlannedPair, RunPhase

WAIT_S = 0.2  # how often a wait for the helper thread checks for cancellation
JOURNAL_BATCH = 500  # writes journaled (one INSERT + commit) before they are sent
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class SyncSides:
    a: RatingSide
    b: RatingSide

    def side(self, which: Side) -> RatingSide:
        return self.a if which is Side.A else self.b

    def scan(
        self, reporter: Reporter, *, load: Callable[[], None] = lambda: None
    ) -> tuple[list[SideItem], list[SideItem]]:
        """Both sides' items, as ``a.scan`` then ``b.scan`` would give them.

        A side that lists a server (Plex) scans on a helper thread while the other scans on
        this one: a listing mostly waits for the server, and a folder walk fits in that wait.
        The helper's events and counters reach ``reporter`` from this thread once it is done.
        Errors are raised as in turn: side A's first.

        ``load`` (the caller's own database reads) and the folder's ``load_state`` run on this
        thread before the helper starts when the helper parses in this process (they would
        wait for its GIL at every row), after it has started when it parses in a child.
        """
        phase_a, phase_b = f"scanning {self.a.label}", f"scanning {self.b.label}"
        if self.a.holds_files and self.b.holds_files:
            load()
            return self.a.scan(reporter, phase_a), self.b.scan(reporter, phase_b)
        helper_is_a = not self.a.holds_files
        helper, here = (self.a, self.b) if helper_is_a else (self.b, self.a)
        if not helper.scans_in_child:
            load()
            here.load_state()
        relay = Relay()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossfade-scan") as pool:
            future = pool.submit(helper.scan, relay, phase_a if helper_is_a else phase_b)
            here_items: list[SideItem] = []
            here_error: BaseException | None = None
            try:
                if helper.scans_in_child:
                    load()
                    here.load_state()
                here_items = here.scan(reporter, phase_b if helper_is_a else phase_a)
                wait_for(future, reporter)
            except BaseException as error:
                here_error = error
                relay.stop.set()
            helper_error = future.exception()
        if here_error is not None and not isinstance(here_error, Exception):
            raise here_error  # cancelled or interrupted
        if isinstance(helper_error, _HelperStopped):
            helper_error = None
        error_a, error_b = (helper_error, here_error) if helper_is_a else (here_error, helper_error)
        if error_a is not None:
            raise error_a
        if error_b is not None:
            raise error_b
        relay.replay(reporter)
        helper_items = future.result()
        return (helper_items, here_items) if helper_is_a else (here_items, helper_items)

    def close(self) -> None:
        self.a.close()
        self.b.close()

    def __enter__(self) -> SyncSides:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def files_side(self) -> Side | None:
        if self.a.holds_files:
            return Side.A
        if self.b.holds_files:
            return Side.B
        return None


class _HelperStopped(BaseException):
    """Ends a helper thread's work when the calling thread stopped (error or cancel)."""


@dataclass(frozen=True, slots=True)
class _Event:
    action: str
    subject: str
    level: str
    before: object
    after: object
    detail: str | None


class Relay:
    """The reporter of work on a helper thread: it keeps what the work reports for the
    calling thread to pass on (a job's reporter is not thread-safe), and stops the work when
    asked to."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._events: list[_Event] = []
        self._counters: list[tuple[str, int]] = []
        self._progress: tuple[str, int, int | None] | None = None

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        self._progress = (phase, done, total)

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        self._events.append(_Event(action, subject, level, before, after, detail))

    def counter(self, name: str, n: int = 1) -> None:
        self._counters.append((name, n))

    def check_cancelled(self) -> None:
        if self.stop.is_set():
            raise _HelperStopped

    def replay(self, reporter: Reporter) -> None:
        if self._progress is not None:
            reporter.progress(*self._progress)
        for e in self._events:
            reporter.event(
                e.action, e.subject, level=e.level, before=e.before, after=e.after, detail=e.detail
            )
        for name, n in self._counters:
            reporter.counter(name, n)


def wait_for(
    future: Future[_T], reporter: Reporter, on_wait: Callable[[], None] | None = None
) -> None:
    """Wait for a helper thread's work, still honouring cancellation."""
    while True:
        try:
            future.result(timeout=WAIT_S)
            return
        except FutureTimeout:
            reporter.check_cancelled()
            if on_wait is not None:
                on_wait()
        except BaseException:
            return  # the caller reads the helper's error from the future


class Writes:
    """The planned writes of a run and their outcomes (the rating a re-read shows, or the
    error), by position. Each side writes its share through ``write_many`` (a folder on worker
    processes, Plex verified a batch at a time); the side that talks to a server (Plex) writes
    on a helper thread while the other writes here. A cancelled run stops sending writes, and
    the outcome of every write that was sent is still recorded (``attempted``)."""

    def __init__(
        self, writes: Sequence[PlannedPair], sides: SyncSides, journal: WriteJournal
    ) -> None:
        self.pairs = writes
        self._sides = sides
        self._journal = journal
        self.targets = [Side.A if p.decision.action is Action.WRITE_A else Side.B for p in writes]
        self.outcomes: list[Written] = [None] * len(writes)
        self.attempted = [False] * len(writes)
        self._done = [0, 0]  # written here, written on the helper thread (one writer each)

    def item(self, index: int) -> SideItem:
        pair = self.pairs[index]
        return pair.a if self.targets[index] is Side.A else pair.b

    def _request(self, index: int) -> RatingWrite:
        pair = self.pairs[index]
        source = pair.b if self.targets[index] is Side.A else pair.a
        return RatingWrite(self.item(index).key, pair.decision.value, source.rated_at_s)

    def _progress(self, reporter: Reporter) -> None:
        reporter.progress(RunPhase.WRITING, sum(self._done), len(self.pairs))

    def _write_all(
        self,
        indexes: Sequence[int],
        should_stop: Callable[[], bool],
        slot: int,
        on_outcome: Callable[[], None] = lambda: None,
    ) -> None:
        for which in (Side.A, Side.B):
            mine = [index for index in indexes if self.targets[index] is which]
            for start in range(0, len(mine), JOURNAL_BATCH):
                if should_stop():
                    return
                batch = mine[start : start + JOURNAL_BATCH]
                self._journal.pending(self, batch)  # committed before anything is written
                outcomes = self._sides.side(which).write_many(
                    [self._request(index) for index in batch], should_stop=should_stop
                )
                try:
                    for index, outcome in zip(batch, outcomes, strict=False):
                        self.outcomes[index] = outcome
                        self.attempted[index] = True
                        self._done[slot] += 1
                        on_outcome()
                finally:
                    self._journal.settle(self, batch)

    def run(self, reporter: Reporter) -> None:
        a, b = self._sides.a, self._sides.b
        helper_side = Side.A if not a.holds_files else Side.B if not b.holds_files else None
        here = [i for i, t in enumerate(self.targets) if t is not helper_side]
        there = [i for i, t in enumerate(self.targets) if t is helper_side]
        cancelled: list[BaseException] = []

        def should_stop() -> bool:
            if not cancelled:
                try:
                    reporter.check_cancelled()
                except BaseException as stop:  # the job's cancellation: drain, then raise
                    cancelled.append(stop)
            return bool(cancelled)

        def write_here() -> None:
            self._write_all(here, should_stop, 0, lambda: self._progress(reporter))
            if cancelled:
                raise cancelled[0]

        self._progress(reporter)
        if not there:
            write_here()
            return
        relay = Relay()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossfade-write") as pool:
            future = pool.submit(self._write_all, there, relay.stop.is_set, 1)
            try:
                write_here()
                wait_for(future, reporter, lambda: self._progress(reporter))
            except BaseException:
                relay.stop.set()
                raise
        future.result()
