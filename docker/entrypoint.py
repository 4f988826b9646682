#!/usr/bin/env python3
"""The container's entrypoint: run the command as ``PUID``:``PGID`` with ``UMASK``, in ``TZ``.

As the linuxserver.io images do, the user is chosen when the container starts, not when the
image is built, so the files Crossfade writes belong to whoever owns the media:

1. ``PUID``/``PGID`` (default 1000/1000), ``UMASK`` (octal, default 022) and ``TZ`` (an IANA
   zone, default UTC; the app and its schedules read it) are read from the environment;
2. the data volume (``CROSSFADE_DATA_DIR``, default ``/data``) is created if missing and
   every entry in it not owned by ``PUID:PGID`` is handed over (a bind mount that Docker
   created as root becomes writable); the media mounts are never touched;
3. the process drops to ``PUID:PGID`` (no supplementary groups), sets the umask and replaces
   itself with the command (``crossfade serve`` by default), which so keeps PID 1's signals.

Started as a non-root user (``docker run --user``, rootless Podman), it only sets the umask and
runs the command. Standard library only: it runs before anything else is known to work.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_ID = 1000
DEFAULT_UMASK = "022"
DEFAULT_DATA_DIR = "/data"
ZONEINFO = Path("/usr/share/zoneinfo")


def fail(message: str) -> None:
    print(f"crossfade-entrypoint: {message}", file=sys.stderr)
    raise SystemExit(2)


def id_from_env(name: str) -> int:
    text = os.environ.get(name, "").strip() or str(DEFAULT_ID)
    if not text.isdigit():
        fail(f"{name}={text!r} is not a numeric id")
    return int(text)


def umask_from_env() -> int:
    text = os.environ.get("UMASK", "").strip() or DEFAULT_UMASK
    try:
        value = int(text, 8)
    except ValueError:
        value = -1
    if not 0 <= value <= 0o777:
        fail(f"UMASK={text!r} is not an octal mask such as 022 or 002")
    return value


def check_time_zone() -> None:
    zone = os.environ.get("TZ", "").strip()
    if zone and ZONEINFO.is_dir() and not (ZONEINFO / zone.removeprefix(":")).is_file():
        print(
            f"crossfade-entrypoint: TZ={zone!r} is no known zone; times will be UTC",
            file=sys.stderr,
        )


def hand_over(data_dir: Path, uid: int, gid: int) -> int:
    """``data_dir`` and everything in it owned by ``uid:gid``; returns how many entries
    changed. Symbolic links are changed themselves, never followed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    changed = 0
    for path in [data_dir, *_entries(data_dir)]:
        info = path.lstat()
        if (info.st_uid, info.st_gid) != (uid, gid):
            os.lchown(path, uid, gid)
            changed += 1
    return changed


def _entries(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        found.extend(Path(root) / name for name in (*dirs, *files))
    return found


def drop_to(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def main(argv: list[str]) -> None:
    command = argv or ["crossfade", "serve"]
    mask = umask_from_env()
    check_time_zone()
    if os.geteuid() == 0:
        uid, gid = id_from_env("PUID"), id_from_env("PGID")
        data_dir = Path(os.environ.get("CROSSFADE_DATA_DIR") or DEFAULT_DATA_DIR)
        changed = hand_over(data_dir, uid, gid)
        if changed:
            print(
                f"crossfade-entrypoint: {data_dir} handed to {uid}:{gid} ({changed} entries)",
                file=sys.stderr,
            )
        os.environ["HOME"] = str(data_dir)
        os.environ.setdefault("USER", "crossfade")
        drop_to(uid, gid)
    os.umask(mask)
    try:
        os.execvp(command[0], command)  # noqa: S606 - exec the given argv, no shell
    except OSError as exc:
        fail(f"cannot run {command[0]!r}: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
