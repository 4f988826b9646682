"""Saying where the data lives: the one line a command prints when it creates the database.

Cron jobs and shells started in another directory all share the per-user data directory; a
person who finds a new, empty history should be told where it was made, once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from app.settings import Settings


@contextmanager
def announcing_new_database(settings: Settings) -> Iterator[None]:
    """Around the code that opens (and migrates) the database: if it made the SQLite file,
    print ``created a new database at PATH`` on stderr."""
    path = settings.sqlite_path
    existed = path is None or path.exists()
    yield
    if not existed and path is not None and path.exists():
        sys.stderr.write(
            f"crossfade: created a new database at {path} "
            "(CROSSFADE_DATA_DIR chooses another directory)\n"
        )
