"""What stands between Crossfade and a MediaMonkey database it is about to write: MediaMonkey
must be closed (its process not running where it can be seen, the user's word where it cannot,
no ``-wal`` file left with content), and a time-named backup (SQLite's online backup API) is
made first, the last :data:`KEEP_BACKUPS` kept.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.domain.errors import SetupError

KEEP_BACKUPS = 5
PROCESS_NAMES = ("mediamonkey.exe", "mediamonkeyengine.exe", "mediamonkey")
BACKUP_SUFFIX = ".bak"


def process_visible() -> bool:
    """Whether MediaMonkey's process could be seen from here: on Windows only (a database on
    a share mounted from Windows belongs to a process this machine cannot see)."""
    return sys.platform == "win32"


def _windows_processes() -> list[str]:
    try:
        listed = subprocess.run(
            ["tasklist", "/fo", "csv", "/nh"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(",")[0].strip('"') for line in listed.stdout.splitlines() if line]


def _proc_processes() -> list[str]:
    names: list[str] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return names
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        names.append(os.path.basename(cmdline.decode("utf-8", "replace").replace("\\", "/")))
    return names


def running_mediamonkey() -> list[str]:
    """The MediaMonkey processes this machine can see (Windows, or Wine on Linux)."""
    names = _windows_processes() if sys.platform == "win32" else _proc_processes()
    return sorted({name for name in names if name.casefold() in PROCESS_NAMES})


def wal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-wal")


def check_closed(db_path: Path, *, confirmed_closed: bool) -> None:
    """Refuse to write while MediaMonkey may have the database open (a SetupError saying what
    to do)."""
    running = running_mediamonkey()
    if running:
        raise SetupError(f"MediaMonkey is running ({', '.join(running)}): close it, then run again")
    if not process_visible() and not confirmed_closed:
        raise SetupError(
            f"cannot see whether MediaMonkey is running on the machine that holds {db_path}: "
            'close MediaMonkey there, then tick "MediaMonkey is closed" in the library\'s '
            "settings (config mediamonkey_closed) and run again"
        )
    wal = wal_path(db_path)
    if wal.exists() and wal.stat().st_size > 0:
        raise SetupError(
            f"{wal.name} holds changes not yet in {db_path.name}: MediaMonkey is still open or "
            "did not close cleanly. Start and close MediaMonkey once, then run again"
        )


def backup_name(db_path: Path, now: datetime) -> str:
    return f"{db_path.name}.{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}{BACKUP_SUFFIX}"


def backups(db_path: Path, backup_dir: Path) -> list[Path]:
    """The backups of ``db_path`` in ``backup_dir``, oldest first (their names sort by time)."""
    if not backup_dir.is_dir():
        return []
    prefix = db_path.name + "."
    return sorted(
        p for p in backup_dir.iterdir() if p.name.startswith(prefix) and p.suffix == BACKUP_SUFFIX
    )


def back_up(db_path: Path, backup_dir: Path, *, keep: int = KEEP_BACKUPS) -> Path:
    """Copy the database with the online backup API (consistent, ``-wal`` content included)
    into a new time-named file; drop all but the newest ``keep``."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    target = backup_dir / backup_name(db_path, datetime.now(UTC))
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target)
    for old in backups(db_path, backup_dir)[:-keep]:
        old.unlink(missing_ok=True)
    return target
