"""Playlist pairs and playlist conflicts on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.playlist_repo import PlaylistRepository
from app.domain.errors import NotFound
from app.domain.playlists.records import ConflictEntry


def link_id(sessions: SessionFactory) -> int:
    libraries = LibraryRepository(sessions)
    a = libraries.add_library(kind="plex_music", name="A", config={}, secret="t")
    b = libraries.add_library(kind="music_folder", name="B", config={}, secret=None)
    link = libraries.add_link(
        kind="playlists",
        library_a_id=a.id,
        library_b_id=b.id,
        direction="both",
        policy="ask",
        options={},
    )
    return link.id


def test_pairs_keep_refs_baseline_and_last_run(session_factory: SessionFactory) -> None:
    repository = PlaylistRepository(session_factory)
    link = link_id(session_factory)
    pair = repository.add_pair(link, a_ref="900", b_ref=None, title="Mix")
    assert pair.baseline is None and pair.last_run_at is None

    updated = repository.update_pair(pair.id, b_ref="Mix.m3u8", baseline=["a:1", "a:2", "a:1"])
    assert (updated.a_ref, updated.b_ref) == ("900", "Mix.m3u8")
    assert updated.baseline == ("a:1", "a:2", "a:1") and updated.baseline_at is not None
    assert updated.last_run_at is None

    ran = repository.update_pair(pair.id, a_ref=None, title="Renamed", job_id=None)
    assert (ran.a_ref, ran.title, ran.baseline) == (None, "Renamed", ("a:1", "a:2", "a:1"))
    assert ran.last_run_at is not None
    assert repository.pairs(link) == [ran]

    repository.delete_pairs([pair.id])
    assert repository.pairs(link) == []
    with pytest.raises(NotFound):
        repository.pair(pair.id)


def test_one_open_conflict_per_pair(session_factory: SessionFactory) -> None:
    repository = PlaylistRepository(session_factory)
    link = link_id(session_factory)
    pair = repository.add_pair(link, a_ref="900", b_ref="Mix.m3u8", title="Mix")
    first = repository.record_conflict(
        link_id=link,
        pair_id=pair.id,
        job_id=None,
        title="Mix",
        a_entries=[ConflictEntry("a:1", "One")],
        b_entries=[],
        baseline=None,
    )
    again = repository.record_conflict(
        link_id=link,
        pair_id=pair.id,
        job_id=None,
        title="Mix",
        a_entries=[ConflictEntry("a:2", "Two")],
        b_entries=[ConflictEntry("b:/x", "x")],
        baseline=["a:1"],
    )
    assert again == first
    conflict = repository.conflict(first)
    assert [e.label for e in conflict.a_entries] == ["Two"] and conflict.baseline == ("a:1",)

    repository.close_conflicts_for([pair.id], resolution="agreed")
    items, total = repository.conflicts(link_id=link)
    assert (items, total) == ([], 0)
    closed, _ = repository.conflicts(status="resolved")
    assert closed[0].resolution == "agreed" and closed[0].resolved_at is not None
    with pytest.raises(NotFound):
        repository.finish_conflict(999, status="skipped", resolution="skip")


def test_held_digests_last_until_a_new_baseline(session_factory: SessionFactory) -> None:
    repository = PlaylistRepository(session_factory)
    pair = repository.add_pair(link_id(session_factory), a_ref="900", b_ref=None, title="Mix")

    held = repository.update_pair(pair.id, a_held="f" * 64)
    assert (held.a_held, held.b_held) == ("f" * 64, None)
    assert repository.update_pair(pair.id, job_id=None).a_held == "f" * 64  # a run looked

    agreed = repository.update_pair(pair.id, baseline=["a:1"])
    assert (agreed.a_held, agreed.b_held) == (None, None)
