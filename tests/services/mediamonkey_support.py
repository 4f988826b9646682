"""A world for MediaMonkey end-to-end tests: the demo music folder, an MM4- or MM5-shaped
database describing it (drive D: and a \\\\nas share, both mapped to the folder), a started
container, and helpers to run a link's jobs through the real job path."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

from app.adapters.mediamonkey import backups
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import Container
from app.domain.jobs import JobRecord
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.services.mediamonkey.kind import FileTags
from tests.fixtures.mediamonkey import MUSIC_DRIVE_ROOT, MUSIC_UNC_ROOT, iunicode

PROFILE = "fmps"  # exact half stars in every format the demo library has
FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
ZWEITE = "Björk & Friends/Ünïcødé Album/2-01 Zweite <Seite>.ogg"
OOPS = "Various Artists/Hits/03 Oops.opus"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_stars(path: Path) -> int | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset(PROFILE))).rating
    return None if rating is None else rating.half_stars


def rate_file(path: Path, half_stars: int | None) -> None:
    rating = None if half_stars is None else Rating(half_stars)
    write_rating(path, rating, preset(PROFILE), options=WriteOptions())


def mm_ratings(db_path: Path) -> dict[str, int | None]:
    """Song title → Songs.Rating, read as a bystander would."""
    con = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.create_collation("IUNICODE", iunicode)
        return dict(con.execute("SELECT SongTitle, Rating FROM Songs").fetchall())
    finally:
        con.close()


def integrity(db_path: Path) -> str:
    con = sqlite3.connect(db_path)
    try:
        con.create_collation("IUNICODE", iunicode)
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def add_mediamonkey(
    container: Container,
    db_path: Path,
    music: Path,
    *,
    file_tags: FileTags = FileTags.MEDIAMONKEY,
) -> LibraryRecord:
    return container.domains.libraries.add_library(
        kind=LibraryKind.MEDIAMONKEY,
        name="MediaMonkey",
        config={
            "database": str(db_path),
            "mediamonkey_closed": True,
            "file_tags": file_tags.value,
            "backup_dir": str(db_path.parent / "backups"),
        },
        path_mappings=[f"{MUSIC_DRIVE_ROOT}={music}", f"{MUSIC_UNC_ROOT}={music}"],
    )


def wait(container: Container, job: JobRecord) -> JobRecord:
    deadline = time.monotonic() + 60
    while job.status.is_active:
        assert time.monotonic() < deadline, f"job {job.id} did not end"
        time.sleep(0.05)
        job = container.jobs.get(job.id)
    return job


def backups_of(db_path: Path) -> list[Path]:
    return backups(db_path, db_path.parent / "backups")
