"""The ratings sync repository's bulk operations, on SQLite and PostgreSQL: inserted ids come
back in input order, file states round-trip, agreeing pairs close only their open conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.jobs import JobTrigger
from app.domain.ratings.records import FileStateRecord, NewConflict, NewJournalEntry, NewTrackLink


@dataclass(frozen=True)
class Linked:
    repository: SyncRepository
    link_id: int
    folder_id: int


@pytest.fixture
def linked(session_factory: SessionFactory) -> Linked:
    libraries = LibraryRepository(session_factory)
    plex = libraries.add_library(
        kind="plex_music",
        name="Plex",
        config={"base_url": "http://127.0.0.1:32400", "section_ids": [1]},
        secret="token",
    )
    folder = libraries.add_library(
        kind="music_folder", name="Folder", config={"root": "/music"}, secret=None
    )
    link = libraries.add_link(
        kind="ratings",
        library_a_id=plex.id,
        library_b_id=folder.id,
        direction="both",
        policy="ask",
        options={},
    )
    return Linked(SyncRepository(session_factory), link.id, folder.id)


def new_link(n: int, *, status: str = "auto") -> NewTrackLink:
    return NewTrackLink(
        a_key=str(1000 + n),
        b_key=f"Artist/Album/{n:05d} Song.flac",
        method="path",
        score=100.0 - n % 7,
        status=status,
        a_label=f"Artist – Song {n}" if n % 2 else None,
        b_label=f"Song {n} [{n}]",
        note="weak" if status == "review" else None,
    )


def test_bulk_insert_returns_ids_in_input_order_across_batches(linked: Linked) -> None:
    wanted = [new_link(n) for n in range(5_555)]

    ids = linked.repository.add_track_links(linked.link_id, wanted)

    assert len(ids) == len(set(ids)) == len(wanted)
    stored = {record.id: record for record in linked.repository.track_links(linked.link_id)}
    for track_link_id, new in zip(ids, wanted, strict=True):
        record = stored[track_link_id]
        assert (record.a_key, record.b_key, record.score, record.a_label, record.b_label) == (
            new.a_key,
            new.b_key,
            new.score,
            new.a_label,
            new.b_label,
        )
        assert record.status == "auto" and record.method == "path"
        assert record.baseline_known is False and record.baseline_rating is None


def test_track_links_filter_by_status_and_carry_baselines(linked: Linked) -> None:
    ids = linked.repository.add_track_links(
        linked.link_id, [new_link(1), new_link(2, status="review"), new_link(3)]
    )
    linked.repository.set_baselines(
        [(ids[0], 6), (ids[2], None), (ids[0], 8)], at=datetime.now(UTC)
    )

    review = linked.repository.track_links(linked.link_id, status="review")
    every = linked.repository.track_links(linked.link_id)

    assert [(r.id, r.note) for r in review] == [(ids[1], "weak")]
    assert [r.id for r in every] == ids
    assert [(r.baseline_known, r.baseline_rating) for r in every] == [
        (True, 8),
        (False, None),
        (True, None),
    ]
    assert linked.repository.add_track_links(linked.link_id, []) == []


def state(n: int, tags: tuple[tuple[str, str], ...]) -> FileStateRecord:
    return FileStateRecord(
        rel_path=f"Artist/Album/{n:02d} Ünïcødé & Song.mp3",
        size_bytes=1_000 + n,
        mtime_ns=1_700_000_000_123_456_789 + n,
        format="mp3",
        tags=tags,
        meta={"title": f"Song {n}", "track_number": n, "duration_s": 1.5, "mbid": None},
    )


def test_file_states_round_trip_and_replace(linked: Linked) -> None:
    rated = (("popm:musicbee", "196"), ("txxx:fmps_rating", "0.8"))
    first = [state(n, rated if n % 3 == 0 else ()) for n in range(30)]
    linked.repository.save_file_states(linked.folder_id, first)

    loaded = linked.repository.file_states(linked.folder_id)

    assert loaded == {s.rel_path: s for s in first}
    changed = state(3, (("popm:musicbee", "255"),))
    linked.repository.save_file_states(
        linked.folder_id, [changed], gone=[first[4].rel_path, first[5].rel_path]
    )
    again = linked.repository.file_states(linked.folder_id)
    assert len(again) == 28
    assert again[changed.rel_path] == changed
    assert first[4].rel_path not in again


def test_agreeing_pairs_close_only_their_open_conflicts(linked: Linked) -> None:
    ids = linked.repository.add_track_links(linked.link_id, [new_link(n) for n in range(4)])
    for track_link_id in ids[:3]:
        linked.repository.record_conflict(
            link_id=linked.link_id,
            track_link_id=track_link_id,
            job_id=None,
            value_a=4,
            value_b=8,
            baseline_known=True,
            baseline_rating=6,
            evidence={"a": "Plex 2★", "b": "popm:musicbee 196 (4★)"},
        )

    linked.repository.close_conflicts_for([ids[0], ids[3], ids[2]], resolution="agreed")

    still_open, _ = linked.repository.conflicts(status="open")
    resolved, _ = linked.repository.conflicts(status="resolved")
    assert [c.track_link_id for c in still_open] == [ids[1]]
    assert sorted(c.track_link_id for c in resolved) == [ids[0], ids[2]]
    assert {c.resolution for c in resolved} == {"agreed"}
    linked.repository.close_conflicts_for([], resolution="agreed")


def test_conflicts_recorded_in_bulk_open_new_ones_and_refresh_open_ones(linked: Linked) -> None:
    ids = linked.repository.add_track_links(linked.link_id, [new_link(n) for n in range(3)])
    first = linked.repository.record_conflict(
        link_id=linked.link_id,
        track_link_id=ids[0],
        job_id=None,
        value_a=2,
        value_b=4,
        baseline_known=False,
        baseline_rating=None,
        evidence={"a": "old"},
    )

    linked.repository.record_conflicts(
        link_id=linked.link_id,
        job_id=None,
        conflicts=[
            NewConflict(ids[0], 6, 8, True, 4, {"a": "Plex 3★", "b": "popm:musicbee 196 (4★)"}),
            NewConflict(ids[2], None, 10, True, 2, {"a": "Plex unrated", "reason": "both changed"}),
        ],
    )

    stored, total = linked.repository.conflicts(status="open")
    assert total == 2
    by_link = {c.track_link_id: c for c in stored}
    assert by_link[ids[0]].id == first
    assert (by_link[ids[0]].value_a, by_link[ids[0]].value_b) == (6, 8)
    assert (by_link[ids[0]].baseline_known, by_link[ids[0]].baseline_rating) == (True, 4)
    assert by_link[ids[0]].evidence == {"a": "Plex 3★", "b": "popm:musicbee 196 (4★)"}
    assert (by_link[ids[2]].value_a, by_link[ids[2]].value_b) == (None, 10)
    assert by_link[ids[2]].evidence == {"a": "Plex unrated", "reason": "both changed"}
    assert by_link[ids[2]].link_id == linked.link_id and by_link[ids[2]].resolved_at is None
    linked.repository.record_conflicts(link_id=linked.link_id, job_id=None, conflicts=[])


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
