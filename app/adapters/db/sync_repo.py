"""Repository of the ratings sync tables: track links with baselines, file states, conflicts,
journal. Bulk operations throughout: a library has 100,000 tracks.

One repository over four aggregates, each in its own module (``track_link_repo``,
``file_state_repo``, ``conflict_repo``, ``journal_repo``); services see the frozen records of
:mod:`app.domain.ratings.records`, never the table classes.
"""

from __future__ import annotations

from app.adapters.db.conflict_repo import ConflictStore
from app.adapters.db.engine import SessionFactory
from app.adapters.db.file_state_repo import FileStateStore
from app.adapters.db.journal_repo import JournalStore
from app.adapters.db.track_link_repo import TrackLinkStore


class SyncRepository(TrackLinkStore, FileStateStore, ConflictStore, JournalStore):
    """The ratings sync tables, one session factory for all four aggregates."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory
