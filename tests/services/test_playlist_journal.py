"""Playlist runs are journaled ahead and can be undone (and redone): real playlist files, the
Plex emulator's playlists, a real database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.adapters.db.playlist_journal_repo import PlaylistJournalRepository
from app.domain.jobs import JobTrigger
from app.domain.playlists.records import PlaylistState
from app.services.playlists.run.journal import PlaylistUndo, PlaylistUndoSummary
from tests.services.playlists_support import (
    CAFE,
    FIRST,
    OOPS,
    PlaylistsWorld,
    playlists_world,
)
from tests.services.ratings_support import RecordingReporter


class Killed(BaseException):
    """The process dies here."""


class DyingJournal(PlaylistJournalRepository):
    """Dies instead of settling: what a SIGKILL between a write and its settling leaves."""

    def settle(
        self, entry_id: int, *, state: str, after: PlaylistState, ref: str | None = None
    ) -> None:
        raise Killed


@pytest.fixture
def world(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> Iterator[PlaylistsWorld]:
    with playlists_world(tmp_path, tmp_path_factory, session_factory) as built:
        yield built


def new_job(sessions: SessionFactory, link_id: int, kind: str = "playlists_sync") -> int:
    return (
        JobRepository(sessions)
        .insert(
            kind=kind,
            params={},
            dry_run=False,
            trigger=JobTrigger.CLI,
            lock_key=f"test:{kind}:{datetime.now(UTC).timestamp()}",
            now=datetime.now(UTC),
            link_id=link_id,
        )
        .id
    )


def run(world: PlaylistsWorld, sessions: SessionFactory) -> int:
    job_id = new_job(sessions, world.link.id)
    world.run(job_id=job_id)
    return job_id


def undo(
    world: PlaylistsWorld, sessions: SessionFactory, job_id: int
) -> tuple[PlaylistUndoSummary, RecordingReporter, int]:
    undo_job = new_job(sessions, world.link.id, "playlists_undo")
    reporter = RecordingReporter()
    service = PlaylistUndo(PlaylistJournalRepository(sessions), world.services.repository)
    with world.services.factory.build(world.libraries.link(world.link.id), dry_run=False) as sides:
        summary = service.undo(
            undo_job_id=job_id, sides=(sides.a, sides.b), job_id=undo_job, reporter=reporter
        )
    return summary, reporter, undo_job


def test_undo_removes_a_created_file_and_puts_back_a_plex_playlist_then_redo(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    world.create_plex_playlist("Road Trip", FIRST, CAFE)
    created = run(world, session_factory)
    file = world.playlists / "Road Trip.m3u8"
    assert file.exists()
    entries = PlaylistJournalRepository(session_factory).entries(created)
    assert [(e.side, e.state, e.before) for e in entries] == [("b", "done", None)]

    undone, _, _ = undo(world, session_factory, created)
    assert undone.restored_b == 1 and not file.exists()
    _, later = world.run(job_id=new_job(session_factory, world.link.id))
    assert not file.exists()  # gone on B since the last run: kept away, not re-created
    assert [e["subject"] for e in later.actions("playlist_kept")] == ["Road Trip"]

    playlist_id = world.create_plex_playlist("Second", FIRST, CAFE)
    run(world, session_factory)
    second = world.playlists / "Second.m3u8"
    second.write_bytes(second.read_bytes() + b"../music/Various Artists/Hits/03 Oops.opus\n")
    edited = run(world, session_factory)  # the edit goes to Plex
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE, OOPS)

    summary, reporter, undo_job = undo(world, session_factory, edited)
    assert summary.restored_a == 1
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE)
    assert [e["action"] for e in reporter.events] == ["playlist_restore"]

    _, later = world.run(job_id=new_job(session_factory, world.link.id))  # the undo sticks
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE)
    assert b"Oops" in second.read_bytes()
    assert [e["subject"] for e in later.actions("playlist_held")] == ["Second"]

    redone, _, _ = undo(world, session_factory, undo_job)  # redo
    assert redone.restored_a == 1
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE, OOPS)
    summary, _ = world.run(job_id=new_job(session_factory, world.link.id))
    assert summary.updated_a == summary.updated_b == summary.conflicts == 0


def test_an_undone_playlist_syncs_again_once_a_side_changes(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    playlist_id = world.create_plex_playlist("Mix", FIRST, CAFE)
    run(world, session_factory)
    file = world.playlists / "Mix.m3u8"
    world.client.replace_playlist_items(playlist_id, world.keys(CAFE, FIRST))
    reordered = run(world, session_factory)  # the new order goes to the file
    undo(world, session_factory, reordered)  # the file is back in the old order
    kept = file.read_bytes()
    world.run(job_id=new_job(session_factory, world.link.id))
    assert file.read_bytes() == kept

    world.client.replace_playlist_items(playlist_id, world.keys(OOPS, CAFE, FIRST))
    world.run(job_id=new_job(session_factory, world.link.id))

    assert [p.rsplit("/", 1)[-1] for p in world.file_paths("Mix.m3u8") if p] == [
        "03 Oops.opus",
        "02 Café & Crema.mp3",
        "01 First.flac",
    ]


def test_undo_deletes_a_plex_playlist_the_run_created_and_leaves_what_changed_since(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    (world.playlists / "Mix.m3u8").write_text("../music/Artist/Album/01 First.flac\n")
    (world.playlists / "Other.m3u8").write_text("../music/Artist/Album/02 Café & Crema.mp3\n")
    created = run(world, session_factory)
    assert {"Mix", "Other"} <= set(world.plex_titles())
    world.client.replace_playlist_items(world.plex_titles()["Other"], world.keys(CAFE, OOPS))

    summary, reporter, _ = undo(world, session_factory, created)

    assert "Mix" not in world.plex_titles()
    assert world.plex_items(world.plex_titles()["Other"]) == world.keys(CAFE, OOPS)
    assert summary.restored_a == 1 and summary.skipped == 1
    assert [e["subject"] for e in reporter.actions("changed_since")] == ["Other"]


def test_a_crash_after_the_write_leaves_a_pending_entry_that_undo_restores(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    world.create_plex_playlist("Road Trip", FIRST, CAFE)
    run(world, session_factory)
    file = world.playlists / "Road Trip.m3u8"
    before = file.read_bytes()
    world.client.replace_playlist_items(world.plex_titles()["Road Trip"], world.keys(OOPS))
    dying = new_job(session_factory, world.link.id)
    world.services.sync._journal = DyingJournal(session_factory)
    with pytest.raises(Killed):
        world.run(job_id=dying)
    world.services.sync._journal = PlaylistJournalRepository(session_factory)
    assert file.read_bytes() != before  # the write happened, its settling did not
    entries = PlaylistJournalRepository(session_factory).entries(dying)
    assert [e.state for e in entries] == ["pending"]

    summary, _, _ = undo(world, session_factory, dying)

    assert summary.restored_b == 1
    assert file.read_bytes() == before


def test_the_next_run_settles_a_dead_jobs_pending_write_without_a_conflict(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    world.create_plex_playlist("Road Trip", FIRST, CAFE)
    run(world, session_factory)
    world.client.replace_playlist_items(world.plex_titles()["Road Trip"], world.keys(OOPS))
    dying = new_job(session_factory, world.link.id)
    world.services.sync._journal = DyingJournal(session_factory)
    with pytest.raises(Killed):
        world.run(job_id=dying)
    world.services.sync._journal = PlaylistJournalRepository(session_factory)

    summary, reporter = world.run(job_id=new_job(session_factory, world.link.id))

    assert summary.conflicts == 0 and summary.errors == 0
    [event] = reporter.actions("reconciled")
    assert (
        event["detail"] == f"job {dying} died while writing it: the write happened before the crash"
    )
    entries = PlaylistJournalRepository(session_factory).entries(dying)
    assert [e.state for e in entries] == ["done"]


def test_the_next_run_puts_back_a_plex_playlist_a_dead_job_left_half_written(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    world.create_plex_playlist("Road Trip", FIRST, CAFE)
    run(world, session_factory)
    plex_id = world.plex_titles()["Road Trip"]
    file = world.playlists / "Road Trip.m3u8"
    world.client.replace_playlist_items(plex_id, world.keys(CAFE, FIRST))
    run(world, session_factory)
    reordered = file.read_bytes()  # the file as it holds CAFE, FIRST
    world.client.replace_playlist_items(plex_id, world.keys(FIRST, CAFE))
    run(world, session_factory)  # both sides agree on FIRST, CAFE again
    file.write_bytes(reordered)  # a person reorders the file: the run writes Plex
    dying = new_job(session_factory, world.link.id)
    world.services.sync._journal = DyingJournal(session_factory)
    with pytest.raises(Killed):
        world.run(job_id=dying)
    world.services.sync._journal = PlaylistJournalRepository(session_factory)
    # the kill came between two of the write's requests: one row removed, not yet re-added
    world.client.replace_playlist_items(plex_id, world.keys(CAFE))

    summary, reporter = world.run(job_id=new_job(session_factory, world.link.id))

    assert summary.conflicts == 0 and summary.errors == 0
    [event] = reporter.actions("reconciled")
    assert "died halfway through writing it: put back as it was" in event["detail"]
    assert world.plex_items(plex_id) == world.keys(CAFE, FIRST)  # planned again, written whole
    assert file.read_bytes() == reordered
    entries = PlaylistJournalRepository(session_factory).entries(dying)
    assert [e.state for e in entries] == ["not_applied"]


def test_a_latin1_named_playlist_file_is_journaled_and_undone_byte_for_byte(
    world: PlaylistsWorld, session_factory: SessionFactory
) -> None:
    path = world.playlists / os.fsdecode(b"Caf\xe9.m3u")
    path.write_bytes(b"../music/Artist/Album/01 First.flac\n")
    run(world, session_factory)  # the file becomes a Plex playlist
    [title] = [t for t in world.plex_titles() if t.startswith("Caf")]
    world.client.replace_playlist_items(world.plex_titles()[title], world.keys(FIRST, OOPS))
    before = path.read_bytes()
    rewrote = run(world, session_factory)
    assert path.read_bytes() != before
    [entry] = PlaylistJournalRepository(session_factory).entries(rewrote)
    assert (entry.ref, entry.state) == (path.name, "done")

    summary, _, _ = undo(world, session_factory, rewrote)

    assert summary.restored_b == 1
    assert path.read_bytes() == before
