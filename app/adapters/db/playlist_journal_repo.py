"""Repository of the playlists sync's write-ahead journal (``playlist_journal``).

A run journals a playlist write (committed) before it makes it and settles it after; undo
reads a job's entries back. Playlists are few: one row at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import Job, utc_now
from app.adapters.db.playlist_journal_models import PlaylistJournalEntry
from app.domain.errors import NotFound
from app.domain.journal import WriteState
from app.domain.playlists.records import NewPlaylistWrite, PlaylistState, PlaylistWriteRecord


def _record(row: PlaylistJournalEntry) -> PlaylistWriteRecord:
    assert row.id is not None
    return PlaylistWriteRecord(
        id=row.id,
        job_id=row.job_id,
        pair_id=row.pair_id,
        side=row.side,
        ref=row.ref,
        title=row.title,
        before=row.before,
        after=row.after,
        state=row.state,
        undone_by_job_id=row.undone_by_job_id,
    )


class PlaylistJournalRepository:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    def add(self, job_id: int, write: NewPlaylistWrite) -> int:
        """Journal one write, committed; returns its id."""
        row = PlaylistJournalEntry(
            job_id=job_id,
            pair_id=write.pair_id,
            side=write.side,
            ref=write.ref,
            title=write.title,
            before=write.before,
            after=write.after,
            state=write.state,
            settled_at=None if write.state == WriteState.PENDING else utc_now(),
        )
        with self._sessions() as session:
            session.add(row)
            session.commit()
            assert row.id is not None
            return row.id

    def settle(
        self, entry_id: int, *, state: str, after: PlaylistState, ref: str | None = None
    ) -> None:
        """Settle a pending write: its state, what the playlist holds now, and its ref once a
        created Plex playlist has one."""
        with self._sessions() as session:
            row = session.get(PlaylistJournalEntry, entry_id)
            if row is None:
                raise NotFound(f"playlist journal entry {entry_id} does not exist")
            row.state = state
            row.after = after
            if ref is not None:
                row.ref = ref
            row.settled_at = utc_now()
            session.commit()

    def entries(self, job_id: int) -> list[PlaylistWriteRecord]:
        """A job's writes, newest first (the order undo takes them in)."""
        query = (
            select(PlaylistJournalEntry)
            .where(col(PlaylistJournalEntry.job_id) == job_id)
            .order_by(col(PlaylistJournalEntry.id).desc())
        )
        with self._sessions() as session:
            return [_record(row) for row in session.scalars(query)]

    def unsettled(self, link_id: int, *, except_job_id: int | None) -> list[PlaylistWriteRecord]:
        """Pending writes of other jobs of the link: a job died between journaling and
        settling them."""
        query = (
            select(PlaylistJournalEntry)
            .join(Job, col(Job.id) == col(PlaylistJournalEntry.job_id))
            .where(col(Job.link_id) == link_id)
            .where(col(PlaylistJournalEntry.state) == WriteState.PENDING)
            .order_by(col(PlaylistJournalEntry.id))
        )
        if except_job_id is not None:
            query = query.where(col(PlaylistJournalEntry.job_id) != except_job_id)
        with self._sessions() as session:
            return [_record(row) for row in session.scalars(query)]

    def mark_undone(self, entry_ids: Sequence[int], *, by_job_id: int) -> None:
        if not entry_ids:
            return
        with self._sessions() as session:
            session.execute(
                update(PlaylistJournalEntry)
                .where(col(PlaylistJournalEntry.id).in_(list(entry_ids)))
                .values(undone_by_job_id=by_job_id)
            )
            session.commit()
