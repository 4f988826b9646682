"""A real Supysonic server on loopback for end-to-end tests.

``scripts/test`` installs Supysonic in a virtualenv of its own (scripts/test.d/30-supysonic.sh)
and exports ``CROSSFADE_TEST_SUPYSONIC_BIN``; without it the tests skip, except under CI where
they fail. :func:`running_supysonic` writes a config with absolute paths into a temporary
directory (``HOME`` too, so no user config is read), adds a user and the music folder, scans it
in the foreground and starts ``supysonic-server`` with waitress on 127.0.0.1 (its default host
is every interface), ready once ``ping`` answers ok.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPYSONIC_ENV = "CROSSFADE_TEST_SUPYSONIC_BIN"
USER, PASSWORD = "alice", "s3cret-Pässword"
READY_TIMEOUT_S = 15.0
EXTENSIONS = "mp3 flac m4a ogg opus"


@dataclass(frozen=True)
class Supysonic:
    url: str
    user: str
    password: str
    music: Path


def supysonic_bin() -> Path:
    found = os.environ.get(SUPYSONIC_ENV)
    if found and (Path(found) / "supysonic-server").exists():
        return Path(found)
    message = f"{SUPYSONIC_ENV} is not set (scripts/test installs Supysonic and sets it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ping(url: str) -> bool:
    query = f"u={USER}&p=enc:{PASSWORD.encode().hex()}&v=1.12.0&c=test&f=json"
    try:
        with urllib.request.urlopen(f"{url}/rest/ping.view?{query}", timeout=1) as answer:
            return bool(json.load(answer)["subsonic-response"]["status"] == "ok")
    except OSError:
        return False


@contextmanager
def running_supysonic(music: Path, work: Path) -> Iterator[Supysonic]:
    """Supysonic serving ``music`` (scanned once, at start) from ``work``."""
    bin_dir = supysonic_bin()
    work.mkdir(parents=True, exist_ok=True)
    (work / "supysonic.conf").write_text(
        f"[base]\ndatabase_uri = sqlite:///{work}/supysonic.db\n"
        f"scanner_extensions = {EXTENSIONS}\n"
        f"[webapp]\ncache_dir = {work}/cache\nmount_webui = no\n"
        f"[daemon]\nsocket = {work}/supysonic.sock\nrun_watcher = no\n",
        "utf-8",
    )
    env = {**os.environ, "HOME": str(work)}
    cli = str(bin_dir / "supysonic-cli")
    for args in (
        ["user", "add", USER, "-p", PASSWORD],
        ["folder", "add", "Music", str(music)],
        ["folder", "scan", "-f", "--foreground", "Music"],
    ):
        subprocess.run([cli, *args], cwd=work, env=env, check=True, capture_output=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(bin_dir / "supysonic-server"), "-S", "waitress", "-h", "127.0.0.1", "-p", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _ping(url):
            if server.poll() is not None:
                pytest.fail(f"supysonic-server exited with {server.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("supysonic-server did not answer ping")
            time.sleep(0.05)
        yield Supysonic(url=url, user=USER, password=PASSWORD, music=music)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
