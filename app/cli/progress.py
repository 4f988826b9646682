"""Progress of a long command on stderr, in the form the place it runs in can take.

- On a terminal: a live display (phase, bar, count, rate, ETA) redrawn in place; log records
  are printed above it, never through it.
- ``--progress`` (a log file, cron mail, CI): one plain line every few seconds.
- Otherwise (cron): nothing.

A command opens one with :func:`progress_display` and calls ``update(phase, done, total)``
as often as it likes; the display limits how often it draws. rich (a dependency of typer) is
imported only when a live display is drawn.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any, Protocol

import typer

from app.cli.forwarding import ForwardingReporter

if TYPE_CHECKING:
    from rich.console import Console

    from app.services.ports import Reporter

PLAIN_EVERY_S = 5.0

PROGRESS = typer.Option(
    False,
    "--progress",
    help="Print a plain progress line every few seconds (for logs; a terminal gets a live "
    "display without it).",
)


class ProgressMode(StrEnum):
    LIVE = "live"  # a terminal: redrawn in place
    LINES = "lines"  # --progress: a plain line every few seconds
    OFF = "off"


def progress_mode(
    plain: bool, *, enabled: bool = True, stream: IO[str] | None = None
) -> ProgressMode:
    """``--progress`` asks for plain lines; a terminal gets the live display; else nothing.
    ``enabled=False`` (e.g. ``--json`` on a terminal, where the document is the output) turns
    the live display off but not the lines asked for."""
    if plain:
        return ProgressMode.LINES
    target = stream if stream is not None else sys.stderr
    if enabled and target.isatty():
        return ProgressMode.LIVE
    return ProgressMode.OFF


class Display(Protocol):
    def update(self, phase: str, done: int, total: int | None = None) -> None: ...


class NoDisplay:
    def update(self, phase: str, done: int, total: int | None = None) -> None:
        _ = (phase, done, total)


class PlainLines:
    """``phase: done/total (pct), rate/s, ETA`` every ``every_s`` seconds, and when a phase
    ends (its count reaches its total)."""

    def __init__(self, stream: IO[str], *, every_s: float = PLAIN_EVERY_S) -> None:
        self.stream = stream
        self.every_s = every_s
        self.phase: str | None = None
        self.phase_started = time.monotonic()
        self.last_line_at = time.monotonic()  # the first line after ``every_s``
        self.finished: set[str] = set()
        self.unshown: tuple[str, int, int | None] | None = None

    def update(self, phase: str, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.phase, self.phase_started = phase, now
        finished = total is not None and done >= total and phase not in self.finished
        if not finished and now - self.last_line_at < self.every_s:
            self.unshown = (phase, done, total)
            return
        if finished:
            self.finished.add(phase)
        self._write(phase, done, total, now)

    def close(self) -> None:
        """The last state, when a line has not shown it yet (a phase without a total)."""
        if self.unshown is not None:
            self._write(*self.unshown, time.monotonic())

    def _write(self, phase: str, done: int, total: int | None, now: float) -> None:
        self.unshown = None
        self.last_line_at = now
        self.stream.write(plain_line(phase, done, total, now - self.phase_started) + "\n")
        self.stream.flush()


def plain_line(phase: str, done: int, total: int | None, elapsed_s: float) -> str:
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    count = f"{done}/{total} ({100 * done / total:.0f}%)" if total else f"{done}"
    line = f"{phase}: {count}, {rate:,.0f}/s"
    if total and rate > 0 and done < total:
        line += f", ETA {_clock((total - done) / rate)}"
    return line


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class LiveDisplay:
    """A rich progress bar; a new phase starts a new bar (its own count, rate and ETA)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskID,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            redirect_stderr=True,
            redirect_stdout=False,
        )
        self.task: TaskID | None = None
        self.phase: str | None = None

    def update(self, phase: str, done: int, total: int | None = None) -> None:
        if phase != self.phase or self.task is None:
            if self.task is not None:
                self.progress.stop_task(self.task)
            self.phase = phase
            self.task = self.progress.add_task(phase, total=total, rate="")
        task = self.progress.tasks[-1]
        speed = task.speed
        rate = f"{speed:,.0f}/s" if speed else ""
        self.progress.update(self.task, completed=done, total=total, rate=rate)


@contextmanager
def progress_display(
    mode: ProgressMode, *, stream: IO[str] | None = None, console: Console | None = None
) -> Iterator[Display]:
    """The display for ``mode`` on ``stream`` (default stderr), closed on exit. While a live
    display runs, log records go through it (printed above the bar)."""
    target = stream if stream is not None else sys.stderr
    if mode is ProgressMode.OFF:
        yield NoDisplay()
        return
    if mode is ProgressMode.LINES:
        lines = PlainLines(target)
        yield lines
        lines.close()
        return
    if console is None:
        from rich.console import Console

        console = Console(file=target, stderr=target is sys.stderr)
    live = LiveDisplay(console)
    with live.progress, _logs_through(console):
        yield live


class _ConsoleStream:
    """A file-like object for a logging handler: each record printed above the live display."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def write(self, text: str) -> int:
        if text.strip():
            self.console.print(text.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        return None


@contextmanager
def _logs_through(console: Console) -> Iterator[None]:
    """Point the root logger's stream handlers at the console for the display's lifetime."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and not isinstance(handler, logging.FileHandler)
    ]
    stream = _ConsoleStream(console)
    previous = [_swap_stream(handler, stream) for handler in handlers]
    try:
        yield
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            _swap_stream(handler, old)


def _swap_stream(handler: logging.StreamHandler[Any], stream: Any) -> Any:
    """Set the handler's stream and return the one it had, without flushing it (the old one
    may be closed already: a test runner's captured stderr)."""
    handler.acquire()
    try:
        old, handler.stream = handler.stream, stream
    finally:
        handler.release()
    return old


class ShowingProgress(ForwardingReporter):
    """A reporter (``app.services.ports.Reporter``) that also shows its progress on a display:
    for commands whose service reports to a reporter of their own (``crossfade mirror``)."""

    def __init__(self, reporter: Reporter, display: Display) -> None:
        super().__init__(reporter)
        self.display = display

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        self.display.update(phase, done, total)
        self.reporter.progress(phase, done, total)
