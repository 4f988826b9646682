"""The journal on SQLite and PostgreSQL: entries are stored in bulk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.domain.jobs import JobTrigger
from app.domain.ratings.records import NewJournalEntry
from tests.adapters.db.sync_support import Linked, make_linked


@pytest.fixture
def linked(session_factory: SessionFactory) -> Linked:
    return make_linked(session_factory)


def test_journal_entries_are_stored_in_bulk(
    linked: Linked, session_factory: SessionFactory
) -> None:
    job = JobRepository(session_factory).insert(
        kind="ratings_sync",
        params={},
        dry_run=False,
        trigger=JobTrigger.CLI,
        lock_key="test:journal",
        now=datetime.now(UTC),
        link_id=linked.link_id,
    )
    entries = [
        NewJournalEntry(
            track_link_id=None,
            side="a" if n % 2 else "b",
            item_key=str(n),
            before=None,
            after=n % 10 + 1,
            baseline_known_before=bool(n % 3),
            baseline_before=None,
        )
        for n in range(6_000)
    ]

    linked.repository.add_journal(job.id, entries)

    stored = linked.repository.journal(job.id)
    assert len(stored) == 6_000
    assert {(e.item_key, e.side, e.after) for e in stored} == {
        (e.item_key, e.side, e.after) for e in entries
    }
    assert all(e.undone_by_job_id is None for e in stored)
