"""A big MediaMonkey database: list every song, and write ratings in one transaction.

    python bench/mediamonkey.py [--songs 100000] [--writes 1000] [--version 5] [--repeat 3]

Builds (once per size and version, cached under /tmp) an MM4- or MM5-shaped database of N
songs (tests/fixtures/mediamonkey.py; MM5 has the private full-text index and its triggers),
then times, best of ``--repeat``:

1. ``list``: ``MMDatabase.tracks()`` (one query, paths put back together), read-only;
2. ``scan``: the rating side's ``scan`` (the list plus a SideItem per song, paths mapped
   through two path mappings), what a ratings run pays;
3. ``write``: the pre-write checks, then ``write_ratings`` of ``--writes`` songs in one
   transaction on a fresh copy (online backup, trigger handling, updates, re-read,
   ``quick_check``, commit; the backup's own time shown apart), then the full
   ``PRAGMA integrity_check`` the database runs when closed after writes.

Exits 1 when listing misses its target (under 2 s) or a write did not stick.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.adapters.mediamonkey import MMDatabase
from app.domain.paths import PathMapping
from app.services.mediamonkey.rating_side import MediaMonkeyRatingSide
from tests.fixtures.mediamonkey import (
    MUSIC_DRIVE_ROOT,
    MUSIC_UNC_ROOT,
    build_mm_db,
    many_songs,
)

LIST_TARGET_S = 2.0


class Quiet:
    def progress(self, phase: str, done: int, total: int | None = None) -> None: ...
    def event(self, action: str, subject: str, **kw: object) -> None: ...
    def counter(self, name: str, n: int = 1) -> None: ...
    def check_cancelled(self) -> None: ...


def database(songs: int, version: int) -> Path:
    cache = Path("/tmp/crossfade-bench-mm") / f"v{version}-{songs}"
    path = cache / ("MM5.DB" if version == 5 else "MM.DB")
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        build_mm_db(path, version=version, songs=many_songs(songs), playlists=())
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return path


def best(repeat: int, run: callable) -> tuple[float, object]:  # type: ignore[valid-type]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def time_write(source: Path, writes: int) -> dict[str, float]:
    work = source.parent / "work" / source.name
    work.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, work)
    backups = work.parent / "backups"
    shutil.rmtree(backups, ignore_errors=True)
    db = MMDatabase(work, read_only=False, confirmed_closed=True, backup_dir=backups)
    ids = [song_id for (song_id,) in db.query(f"SELECT ID FROM Songs LIMIT {writes}")]
    values = {int(i): 10 + (int(i) % 10) * 10 for i in ids}  # type: ignore[call-overload]
    started = time.perf_counter()
    db.check_writable()
    checked = time.perf_counter()
    reread = db.write_ratings(values)
    written = time.perf_counter()
    db.close()  # runs the full integrity_check after writes
    closed = time.perf_counter()
    if reread != values:
        raise SystemExit("a rating did not stick")
    backup_s = _backup_time(work)
    return {"checks_s": checked - started, "write_txn_s": written - checked,
            "of_which_backup_s": backup_s, "integrity_check_at_close_s": closed - written,
            "total_s": closed - started}  # fmt: skip


def _backup_time(path: Path) -> float:
    target = path.with_name("timing-backup.db")
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    source = sqlite3.connect(path)
    copy = sqlite3.connect(target)
    source.backup(copy)
    copy.close()
    source.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=1_000)
    parser.add_argument("--version", type=int, choices=(4, 5), default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = database(args.songs, args.version)
    print(f"database: {path} ({path.stat().st_size / 1e6:.1f} MB)")

    def listing() -> int:
        db = MMDatabase(path, read_only=True)
        try:
            return len(db.tracks())
        finally:
            db.close()

    mappings = [PathMapping(MUSIC_DRIVE_ROOT, "/music"), PathMapping(MUSIC_UNC_ROOT, "/nas")]

    def scan() -> int:
        side = MediaMonkeyRatingSide(
            lambda: MMDatabase(path, read_only=True), mappings, label="bench"
        )
        try:
            return len(side.scan(Quiet(), "scan"))
        finally:
            side.close()

    list_s, count = best(args.repeat, listing)
    scan_s, scanned = best(args.repeat, scan)
    write = time_write(path, args.writes)
    print(f"list  {count:>7} songs  {list_s:6.3f} s  (target < {LIST_TARGET_S} s)")
    print(f"scan  {scanned:>7} items  {scan_s:6.3f} s  (list + SideItems + path mapping)")
    print(f"write {args.writes:>7} ratings in one transaction: " +
          ", ".join(f"{k} {v:.3f}" for k, v in write.items()))  # fmt: skip
    if list_s >= LIST_TARGET_S:
        raise SystemExit(f"listing took {list_s:.2f} s, target {LIST_TARGET_S} s")


if __name__ == "__main__":
    main()
