"""One log format: the formatters, the health-check filter, and a real ``crossfade serve``
whose every stderr line (ours and uvicorn's) is one JSON object."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app.adapters.log_format import JsonFormatter, QuietHealthChecks, TextFormatter, configure


def access_record(path: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        level,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.7:5000", "GET", path, "1.1", 200),
        None,
    )


def test_json_lines_carry_time_with_offset_and_access_fields() -> None:
    line = json.loads(JsonFormatter().format(access_record("/links?x=1")))
    assert line["logger"] == "uvicorn.access"
    assert line["level"] == "INFO"
    assert line["path"] == "/links?x=1" and line["status"] == 200
    assert line["message"] == '10.0.0.7:5000 - "GET /links?x=1 HTTP/1.1" 200'
    assert datetime.fromisoformat(line["time"]).utcoffset() is not None


def test_text_lines_start_with_an_iso_time_with_offset() -> None:
    record = logging.LogRecord("app.main", logging.INFO, __file__, 1, "ready %s", ("x",), None)
    stamp, level, rest = TextFormatter().format(record).split(" ", 2)
    assert datetime.fromisoformat(stamp).utcoffset() is not None
    assert (level, rest) == ("INFO", "app.main: ready x")


@pytest.mark.parametrize(
    ("path", "level", "kept"),
    [
        ("/api/v1/health", "INFO", False),
        ("/api/v1/health?probe=1", "INFO", False),
        ("/api/v1/health", "DEBUG", True),
        ("/api/v1/jobs", "INFO", True),
    ],
)
def test_health_checks_are_logged_at_debug_only(path: str, level: str, kept: bool) -> None:
    root = logging.getLogger()
    saved = root.level, list(root.handlers)
    try:
        configure(level, "text")
        assert QuietHealthChecks().filter(access_record(path)) is kept
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[1]:
            root.addHandler(handler)
        root.setLevel(saved[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served_json(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {
        **os.environ,
        "CROSSFADE_DATA_DIR": str(tmp_path / "data"),
        "CROSSFADE_LOG_FORMAT": "json",
        "CROSSFADE_PORT": str(port),
    }
    env.pop("CROSSFADE_DATABASE_URL", None)
    env.pop("CROSSFADE_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from app.cli.main import main; main()", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/api/v1/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_serve_logs_one_json_object_per_line(
    served_json: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = served_json
    for _ in range(3):
        urllib.request.urlopen(url + "/api/v1/health", timeout=5).close()
    urllib.request.urlopen(url + "/login", timeout=5).close()
    process.terminate()
    _, stderr = process.communicate(timeout=20)
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    loggers = {line["logger"] for line in lines}
    assert {"app.main", "uvicorn.error", "uvicorn.access"} <= loggers, stderr
    paths = [line.get("path") for line in lines if line["logger"] == "uvicorn.access"]
    assert "/login" in paths
    assert "/api/v1/health" not in paths
