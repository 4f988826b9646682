"""``app.cli.progress``: a live display on a terminal with log records above it, plain lines
with ``--progress``, nothing under cron."""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from app.cli.main import app
from app.cli.progress import (
    PlainLines,
    ProgressMode,
    plain_line,
    progress_display,
    progress_mode,
)

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"


@pytest.mark.parametrize(
    ("phase", "done", "total", "elapsed_s", "line"),
    [
        ("writing", 250, 1000, 10.0, "writing: 250/1000 (25%), 25/s, ETA 0:30"),
        ("writing", 1000, 1000, 10.0, "writing: 1000/1000 (100%), 100/s"),
        ("reading tags", 12000, None, 4.0, "reading tags: 12000, 3,000/s"),
        ("scan", 0, 2, 0.0, "scan: 0/2 (0%), 0/s"),
        ("apply", 1, 7201, 1.0, "apply: 1/7201 (0%), 1/s, ETA 2:00:00"),
    ],
)
def test_a_plain_line_gives_count_rate_and_eta(
    phase: str, done: int, total: int | None, elapsed_s: float, line: str
) -> None:
    assert plain_line(phase, done, total, elapsed_s) == line


def test_plain_lines_come_every_few_seconds_and_when_a_phase_ends() -> None:
    stream = io.StringIO()
    lines = PlainLines(stream, every_s=3600)
    for done in range(1, 101):
        lines.update("writing", done, 100)
    lines.update("reading tags", 5)
    lines.close()
    first, last = stream.getvalue().splitlines()
    assert first.startswith("writing: 100/100 (100%)")
    assert last.startswith("reading tags: 5,")

    every_time = io.StringIO()
    eager = PlainLines(every_time, every_s=0)
    for done in range(1, 4):
        eager.update("writing", done, 10)
    assert len(every_time.getvalue().splitlines()) == 3


@pytest.fixture
def pty_stream() -> Iterator[io.TextIOWrapper]:
    main_fd, child_fd = os.openpty()
    with open(child_fd, "w", closefd=True) as child:
        yield child
    os.close(main_fd)


def test_the_mode_follows_the_flag_and_the_terminal(pty_stream: io.TextIOWrapper) -> None:
    piped = io.StringIO()
    assert progress_mode(False, stream=piped) is ProgressMode.OFF
    assert progress_mode(True, stream=piped) is ProgressMode.LINES
    assert progress_mode(False, stream=pty_stream) is ProgressMode.LIVE
    assert progress_mode(False, enabled=False, stream=pty_stream) is ProgressMode.OFF
    assert progress_mode(True, enabled=False, stream=pty_stream) is ProgressMode.LINES


def test_the_live_display_draws_phase_bar_count_and_eta_with_logs_above() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    handler = logging.StreamHandler(io.StringIO())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with progress_display(ProgressMode.LIVE, console=console) as display:
            display.update("writing", 3, 10)
            logging.getLogger("crossfade.test").warning("a log line while drawing")
            display.update("writing", 7, 10)
            assert handler.stream is not None
        stream_after = handler.stream
    finally:
        root.removeHandler(handler)
    drawn = screen.getvalue()
    assert "a log line while drawing" in drawn
    assert "writing" in drawn
    assert re.search(r"7/10", drawn)
    assert "ETA" in drawn
    assert "━" in drawn  # the bar
    log_at = drawn.index("a log line while drawing")
    assert "\r" in drawn[:log_at] or "\x1b[" in drawn[:log_at]  # the bar was drawn, then the log
    assert isinstance(stream_after, io.StringIO)  # the handler's own stream is back
    assert "a log line" not in stream_after.getvalue()


def test_under_cron_nothing_is_drawn() -> None:
    stream = io.StringIO()
    with progress_display(ProgressMode.OFF, stream=stream) as display:
        display.update("writing", 1, 2)
    assert stream.getvalue() == ""


def test_tags_scan_prints_its_progress_when_asked() -> None:
    quiet = CliRunner().invoke(app, ["tags", "scan", str(AUDIO)])
    assert quiet.exit_code == 0, quiet.output
    assert "reading tags" not in quiet.stderr

    result = CliRunner().invoke(app, ["tags", "scan", "--progress", str(AUDIO)])
    assert result.exit_code == 0, result.output
    files = len([path for path in AUDIO.iterdir() if path.is_file()])
    assert re.search(rf"^reading tags: {files}, ", result.stderr, re.MULTILINE)
