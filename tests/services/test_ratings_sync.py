"""End to end: real tagged files, the Plex emulator, a real database, the ratings sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.adapters.tags import WriteOptions, write_rating
from app.domain.errors import InvalidInput
from app.domain.jobs import JobTrigger
from app.domain.links import Mode
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from app.services.libraries.service import link_rules
from app.services.ratings.run.concurrency import SyncSides
from plex_emulator.knobs import Fault
from tests.services.ratings_support import RatingsWorld, RecordingReporter, ratings_world

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
OOPS = "Various Artists/Hits/03 Oops.opus"


@pytest.fixture(params=[1, 3], ids=["in-process", "tag-workers"])
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    session_factory: SessionFactory,
) -> Iterator[RatingsWorld]:
    """Every test twice: tags read and written in the job's process, and on worker processes."""
    with ratings_world(
        tmp_path, tmp_path_factory, session_factory, tag_processes=request.param
    ) as built:
        yield built


def new_job(session_factory: SessionFactory, link_id: int, *, kind: str = "ratings_sync") -> int:
    job = JobRepository(session_factory).insert(
        kind=kind,
        params={},
        dry_run=False,
        trigger=JobTrigger.CLI,
        lock_key=f"test:{kind}:{datetime.now(UTC).timestamp()}",
        now=datetime.now(UTC),
        link_id=link_id,
    )
    return job.id


def test_first_sync_matches_by_path_and_copies_each_way(world: RatingsWorld) -> None:
    world.rate_in_plex(FIRST, 8)
    world.rate_file(CAFE, 5)

    summary, reporter = world.run()

    assert summary.pairs == 6
    assert summary.unmatched_a == summary.unmatched_b == 0
    assert world.file_rating(FIRST) == 8
    assert world.plex_rating(CAFE) == 5
    assert summary.written_a == 1 and summary.written_b == 1
    assert {event["action"] for event in reporter.events} == {"write_a", "write_b"}
    links = world.sync_repository.track_links(world.link.id)
    assert {link.method for link in links} == {"path"}
    assert all(link.baseline_known for link in links)


def test_no_change_rerun_reads_no_file_and_writes_nothing(world: RatingsWorld) -> None:
    world.rate_in_plex(FIRST, 8)
    world.run()
    world.emulator.log.clear()

    summary, reporter = world.run()

    assert reporter.counters["files_read"] == 0
    assert reporter.counters["files_cached"] == 6
    assert summary.unchanged == 6
    assert world.emulator.log.count("/:/rate") == 0


def test_unrating_in_plex_clears_the_file(world: RatingsWorld) -> None:
    world.rate_in_plex(FIRST, 8)
    world.run()
    assert world.file_rating(FIRST) == 8

    world.rate_in_plex(FIRST, None)
    world.run()

    assert world.file_rating(FIRST) is None


def test_export_keeps_a_file_plex_unrated_and_the_next_sync_clears_it(
    world: RatingsWorld,
) -> None:
    world.rate_in_plex(OOPS, 6)
    world.run(Mode.EXPORT)
    assert world.file_rating(OOPS) == 6

    world.rate_in_plex(OOPS, None)
    summary, _ = world.run(Mode.EXPORT)
    assert world.file_rating(OOPS) == 6, "an unrated Plex clears nothing on export"
    assert summary.kept == 1

    world.run()
    assert world.file_rating(OOPS) is None, "sync sees the change against the export's baseline"


def test_file_rerated_by_another_player_wins_over_unchanged_plex(world: RatingsWorld) -> None:
    world.rate_in_plex(CA_VA, 6)
    world.run()
    world.rate_file(CA_VA, 9, profile="mediamonkey")

    world.run()

    assert world.plex_rating(CA_VA) == 9
    assert world.file_rating(CA_VA) == 9


def test_both_changed_is_a_conflict_resolved_on_both_sides(world: RatingsWorld) -> None:
    world.rate_in_plex(FIRST, 6)
    world.run()
    world.rate_in_plex(FIRST, 10)
    world.rate_file(FIRST, 2)

    summary, _ = world.run()

    assert summary.conflicts == 1
    conflicts, total = world.sync_repository.conflicts(link_id=world.link.id)
    assert total == 1
    conflict = conflicts[0]
    assert (conflict.value_a, conflict.value_b, conflict.baseline_rating) == (10, 2, 6)
    assert "Plex 5★" in conflict.evidence["a"]
    assert world.plex_rating(FIRST) == 10 and world.file_rating(FIRST) == 2

    link = world.libraries.link(world.link.id)
    with world.factory.sides(link, dry_run=False) as sides:
        status = world.service.resolve_conflict(
            conflict_id=conflict.id,
            choice="custom",
            custom=Rating(7),
            sides=sides,
            rules=link_rules(link),
        )
    assert status == "resolved"
    assert world.plex_rating(FIRST) == 7 and world.file_rating(FIRST) == 7
    summary, _ = world.run()
    assert summary.conflicts == 0 and summary.unchanged == 6


def test_dry_run_writes_nothing_and_a_real_run_still_applies(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    world.rate_in_plex(FIRST, 8)
    world.rate_file(CAFE, 3)
    before = world.tree_digest()
    world.emulator.log.clear()

    _, reporter = world.run(dry_run=True)

    assert world.tree_digest() == before
    assert world.emulator.log.count("/:/rate") == 0
    assert world.sync_repository.track_links(world.link.id) == []
    assert world.sync_repository.file_states(world.libraries.links()[0].library_b_id) == {}
    planned = {(e["action"], e["after"]) for e in reporter.events}
    assert planned == {("write_b", "4★"), ("write_a", "1½★")}

    world.run()
    assert world.file_rating(FIRST) == 8
    assert world.plex_rating(CAFE) == 3


def test_undo_restores_both_sides_unless_changed_since(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    world.rate_in_plex(FIRST, 8)
    world.rate_in_plex(OOPS, 4)
    world.rate_file(CAFE, 3)
    job_id = new_job(session_factory, world.link.id)
    world.run(job_id=job_id)
    assert world.file_rating(FIRST) == 8 and world.plex_rating(CAFE) == 3
    world.rate_file(OOPS, 10)  # changed since the job wrote 2★: undo leaves it alone

    undo_job = new_job(session_factory, world.link.id, kind="ratings_undo")
    link = world.libraries.link(world.link.id)
    reporter = RecordingReporter()
    with world.factory.sides(link, dry_run=False) as sides:
        summary = world.service.undo(
            undo_job_id=job_id, sides=sides, job_id=undo_job, reporter=reporter
        )

    assert world.file_rating(FIRST) is None
    assert world.plex_rating(CAFE) is None
    assert world.file_rating(OOPS) == 10
    assert summary.skipped == 1
    assert [e["action"] for e in reporter.events if e["level"] == "warning"] == ["changed_since"]


def test_corrupt_file_is_an_event_and_the_rest_syncs(world: RatingsWorld) -> None:
    (world.music / "Artist" / "Album" / "99 Broken.mp3").write_bytes(b"ID3\x04\x00garbage" * 3)
    (world.music / "Artist" / "Album" / "98 Empty.flac").write_bytes(b"")
    world.rate_in_plex(FIRST, 8)

    _, reporter = world.run()

    unreadable = reporter.actions("unreadable")
    assert {Path(str(e["subject"])).name for e in unreadable} == {"99 Broken.mp3", "98 Empty.flac"}
    assert all(e["level"] == "error" for e in unreadable)
    assert world.file_rating(FIRST) == 8


def test_plex_500_in_the_middle_is_retried(world: RatingsWorld) -> None:
    world.rate_in_plex(CAFE, 4)
    world.rate_file(FIRST, 6)
    world.emulator.knobs.add_fault(Fault(r"^/:/rate", status=500, times=1))
    world.emulator.knobs.add_fault(Fault(r"/library/sections/\d+/all", status=503, times=1))

    summary, _ = world.run()

    assert summary.errors == 0
    assert world.plex_rating(FIRST) == 6
    assert world.file_rating(CAFE) == 4


def test_import_mode_writes_only_plex(world: RatingsWorld) -> None:
    world.rate_in_plex(FIRST, 8)
    world.rate_file(CAFE, 3)

    summary, reporter = world.run(Mode.IMPORT)

    assert world.plex_rating(CAFE) == 3
    assert world.file_rating(FIRST) is None
    assert summary.written_a == 1 and summary.written_b == 0
    assert summary.kept == 1, "the unrated file keeps Plex's rating and is not written"
    assert [e["action"] for e in reporter.events] == ["write_a"]


def test_import_without_exactly_one_folder_side_is_refused(world: RatingsWorld) -> None:
    link = world.libraries.link(world.link.id)
    with world.factory.sides(link, dry_run=True) as sides:
        both_folders = SyncSides(a=sides.b, b=sides.b)
        with pytest.raises(InvalidInput, match="needs a link between Plex and a music folder"):
            world.service.run(
                link_id=link.id,
                sides=both_folders,
                rules=link_rules(link),
                mode=Mode.IMPORT,
                dry_run=True,
                job_id=None,
                reporter=RecordingReporter(),
            )


def test_disagreeing_tags_in_one_file_are_an_event(world: RatingsWorld) -> None:
    world.rate_file(CAFE, 4, profile="windows")
    write_rating(
        world.music / CAFE,
        Rating(8),
        preset("foobar2000", "default_only"),
        options=WriteOptions(),
    )

    summary, reporter = world.run()

    disagree = reporter.actions("tags_disagree")
    assert len(disagree) == 1
    assert "Café & Crema" in str(disagree[0]["subject"])
    assert "popm:windows 64 (2★)" in str(disagree[0]["detail"])
    assert summary.errors == 0
