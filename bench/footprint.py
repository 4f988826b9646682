"""Benchmark the server's memory: the idle ``crossfade serve`` and the same after a big sync.

Starts ``crossfade serve`` on a fresh data folder (SQLite, in-process job runner), waits for
``/api/v1/health``, lets it settle, and sums the resident memory of its whole process tree
(RSS from ``/proc/<pid>/status``; PSS from ``/proc/<pid>/smaps_rollup`` too, which counts a
page shared by several processes once). Prints each process and the totals, for the first
start (the schema is created by a child ``crossfade db upgrade``, so the server itself never
loads Alembic) and for a second start on the same folder (a restart, the schema at head).
Crossfade's packages are byte-compiled first, as an install does (bench/installed.py).

With ``--tracks N`` (e.g. 20000) it then runs a ratings sync of N tracks inside that server
(the library and the Plex emulator of bench/ratings_sync.py; the link is made and run through
the API with a token from ``crossfade token create``), waits for the job to end and for the
server to settle, and measures again: a finished run should give its memory back.

    python bench/footprint.py                 # idle only (target: <= 120 MB RSS in all)
    python bench/footprint.py --tracks 20000  # and after a 20,000-track sync (target: idle + 30 MB)
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
IDLE_TARGET_MB = 120
AFTER_RUN_TARGET_MB = 30


@dataclass(frozen=True)
class Process:
    pid: int
    name: str
    rss_kb: int
    pss_kb: int | None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rfind(")") + 2 :].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def _field_kb(text: str, name: str) -> int | None:
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return None


def measure(pid: int) -> list[Process]:
    processes = []
    for member in process_tree(pid):
        base = Path("/proc") / str(member)
        try:
            status = (base / "status").read_text()
            cmdline = (base / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        try:
            pss = _field_kb((base / "smaps_rollup").read_text(), "Pss")
        except OSError:
            pss = None
        rss = _field_kb(status, "VmRSS") or 0
        processes.append(Process(member, cmdline[:90], rss, pss))
    return processes


def report(title: str, processes: list[Process]) -> int:
    print(f"{title}:")
    for process in processes:
        pss = f"{process.pss_kb / 1024:7.1f} MB PSS" if process.pss_kb is not None else ""
        print(f"  {process.pid:>7}  {process.rss_kb / 1024:7.1f} MB RSS {pss}  {process.name}")
    rss_kb = sum(p.rss_kb for p in processes)
    pss_kb = sum(p.pss_kb or 0 for p in processes)
    count = len(processes)
    print(f"  total: {rss_kb / 1024:.1f} MB RSS, {pss_kb / 1024:.1f} MB PSS, {count} processes")
    return rss_kb


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def crossfade_command() -> list[str]:
    installed = Path(sys.executable).parent / "crossfade"
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-c", "from app.cli.main import main; main()"]


@contextmanager
def running_server(
    data_dir: Path, env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    server = subprocess.Popen(
        [*crossfade_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"crossfade serve did not come up (exit {server.poll()})")
            time.sleep(0.2)
        yield server, base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    from installed import compile_sources  # bench/installed.py, beside this file

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--settle", type=float, default=3.0, help="Seconds to wait before measuring."
    )
    parser.add_argument(
        "--tracks", type=int, default=0, help="Also measure after a sync of N tracks."
    )
    parser.add_argument(
        "--cache", default=None, help="Library cache folder (bench/ratings_sync.py's)."
    )
    args = parser.parse_args()

    compile_sources()  # bench/installed.py: measured as an installed copy runs
    work = Path(tempfile.mkdtemp(prefix="crossfade-footprint-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSFADE_")}
    env |= {"CROSSFADE_DATA_DIR": str(work / "data"), "CROSSFADE_LOG_LEVEL": "warning"}
    try:
        with running_server(work / "data", env) as (server, _base):
            time.sleep(args.settle)
            first_kb = report(
                "idle `crossfade serve`, first start (it created the schema)", measure(server.pid)
            )
        with running_server(work / "data", env) as (server, base):
            time.sleep(args.settle)
            idle_kb = report("idle `crossfade serve`, started again", measure(server.pid))
            verdict = "ok" if max(first_kb, idle_kb) / 1024 <= IDLE_TARGET_MB else "MISSED"
            print(f"  idle target <= {IDLE_TARGET_MB} MB RSS, both starts: {verdict}")
            if args.tracks:
                from footprint_sync import run_sync  # bench/footprint_sync.py, beside this file

                run_sync(base, env, work, args.tracks, args.cache)
                time.sleep(args.settle)
                after_kb = report(f"after a {args.tracks}-track sync", measure(server.pid))
                growth_mb = (after_kb - idle_kb) / 1024
                verdict = "ok" if growth_mb <= AFTER_RUN_TARGET_MB else "MISSED"
                print(
                    f"  growth {growth_mb:+.1f} MB (target <= {AFTER_RUN_TARGET_MB} MB): {verdict}"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
