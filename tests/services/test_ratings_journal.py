"""The ratings sync's write-ahead journal, end to end: real files, the Plex emulator, a real
database. A process killed while writing is simulated by a side whose writes stop after some
of them went out and a repository that dies instead of settling: what is left is what a
SIGKILL leaves (pending entries, some items written, some not). The crash loop over real child
processes is ``tests/services/test_crash_loop.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.jobs import JobTrigger
from app.domain.links import Mode
from app.domain.ratings.records import SettledWrite
from app.domain.ratings.value import Rating
from app.services.libraries.service import link_rules
from app.services.ports import RatingSide, RatingWrite, Reporter, SideItem, Written
from app.services.ratings.run.concurrency import SyncSides
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import SyncSummary
from tests.services.ratings_support import RatingsWorld, RecordingReporter, ratings_world

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
OOPS = "Various Artists/Hits/03 Oops.opus"


class Killed(BaseException):
    """The process dies here (nothing after it runs in a real SIGKILL)."""


class DyingRepository(SyncRepository):
    """Dies instead of settling journaled writes (the crash comes after the writes went out,
    before their outcome is recorded)."""

    def settle_journal(self, job_id: int, settled: Sequence[SettledWrite], *, at: datetime) -> None:
        raise Killed


class DyingSide:
    """A side whose ``write_many`` sends the first ``survive`` writes and then dies."""

    def __init__(self, side: RatingSide, survive: int) -> None:
        self._side = side
        self._survive = survive
        self.label = side.label
        self.holds_files = side.holds_files
        self.scans_in_child = side.scans_in_child

    def load_state(self) -> None:
        self._side.load_state()

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        return self._side.scan(reporter, phase)

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return self._side.write(key, rating, rated_at_s=rated_at_s)

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Written]:
        yield from self._side.write_many(writes[: self._survive], should_stop=should_stop)
        raise Killed

    def read(self, key: str) -> Rating | None:
        return self._side.read(key)

    def commit(self) -> None:
        self._side.commit()

    def close(self) -> None:
        self._side.close()


@pytest.fixture
def world(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> Iterator[RatingsWorld]:
    with ratings_world(tmp_path, tmp_path_factory, session_factory) as built:
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


def run_dying(world: RatingsWorld, job_id: int, *, survive_files: int) -> None:
    """A run that dies after ``survive_files`` tag writes went out (Plex's writes all go)."""
    link = world.libraries.link(world.link.id)
    service = RatingsSync(DyingRepository(world.sync_repository._sessions), now=_now)
    with world.factory.sides(link, dry_run=False) as sides:
        dying = SyncSides(a=sides.a, b=DyingSide(sides.b, survive_files))
        with pytest.raises(Killed):
            service.run(
                link_id=link.id,
                sides=dying,
                rules=link_rules(link),
                mode=Mode.SYNC,
                dry_run=False,
                job_id=job_id,
                reporter=RecordingReporter(),
            )


def undo(
    world: RatingsWorld, session_factory: SessionFactory, job_id: int
) -> tuple[SyncSummary, RecordingReporter, int]:
    undo_job = new_job(session_factory, world.link.id, kind="ratings_undo")
    reporter = RecordingReporter()
    with world.factory.sides(world.libraries.link(world.link.id), dry_run=False) as sides:
        summary = world.service.undo(
            undo_job_id=job_id, sides=sides, job_id=undo_job, reporter=reporter
        )
    return summary, reporter, undo_job


def _now() -> datetime:
    return datetime.now(UTC)


def baseline_ratings(world: RatingsWorld) -> dict[str, tuple[bool, int | None]]:
    return {
        link.b_key: (link.baseline_known, link.baseline_rating)
        for link in world.sync_repository.track_links(world.link.id)
    }


def agree_first(world: RatingsWorld, session_factory: SessionFactory) -> None:
    """A first run so that every pair has a baseline (all unrated)."""
    world.run(job_id=new_job(session_factory, world.link.id))


def test_a_run_journals_its_writes_settled_with_the_verified_value(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    world.rate_in_plex(FIRST, 8)
    world.rate_file(CAFE, 3)
    job_id = new_job(session_factory, world.link.id)

    world.run(job_id=job_id)

    entries = {(e.side, e.state, e.before, e.after, e.baseline_after) for e in
               world.sync_repository.journal(job_id)}  # fmt: skip
    assert entries == {("b", "done", None, 8, 8), ("a", "done", None, 3, 3)}


def test_a_crash_leaves_pending_entries_that_undo_restores_and_reports(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    agree_first(world, session_factory)
    for path in (FIRST, CAFE, CA_VA):
        world.rate_in_plex(path, 6)
    job_id = new_job(session_factory, world.link.id)

    run_dying(world, job_id, survive_files=2)

    entries = world.sync_repository.journal(job_id)
    assert {e.state for e in entries} == {"pending"}
    assert len(entries) == 3  # journaled before any was written
    written = [p for p in (FIRST, CAFE, CA_VA) if world.file_rating(p) == 6]
    assert len(written) == 2

    summary, reporter, _ = undo(world, session_factory, job_id)

    assert all(world.file_rating(p) is None for p in (FIRST, CAFE, CA_VA))
    assert summary.written_b == 2
    assert len(reporter.actions("not_applied")) == 1
    assert not reporter.actions("changed_since")


def test_the_next_run_reconciles_a_dead_jobs_writes_without_a_false_conflict(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    agree_first(world, session_factory)
    for path in (FIRST, CAFE, CA_VA):
        world.rate_in_plex(path, 6)
    dead_job = new_job(session_factory, world.link.id)
    run_dying(world, dead_job, survive_files=2)
    world.rate_file(OOPS, 9)  # an ordinary change meanwhile

    summary, reporter = world.run(job_id=new_job(session_factory, world.link.id))

    assert summary.conflicts == 0
    assert summary.written_b == 1  # the write that never happened
    assert summary.written_a == 1  # OOPS
    assert all(world.file_rating(p) == 6 for p in (FIRST, CAFE, CA_VA))
    reconciled = reporter.actions("reconciled")
    assert len(reconciled) == 3
    states = sorted(e.state for e in world.sync_repository.journal(dead_job))
    assert states == ["done", "done", "not_applied"]
    assert all(baseline_ratings(world)[p] == (True, 6) for p in (FIRST, CAFE, CA_VA))


def test_an_interrupted_run_that_raced_a_person_is_left_to_the_merge(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    agree_first(world, session_factory)
    world.rate_in_plex(FIRST, 6)
    dead_job = new_job(session_factory, world.link.id)
    run_dying(world, dead_job, survive_files=1)
    world.rate_file(FIRST, 2)  # a person re-rated it after the crash

    summary, reporter = world.run(job_id=new_job(session_factory, world.link.id))

    assert [e["level"] for e in reporter.actions("reconciled")] == ["warning"]
    assert [e.state for e in world.sync_repository.journal(dead_job)] == ["failed"]
    assert summary.conflicts == 1  # both changed since the last agreed value: a real one


def test_undo_sticks_until_a_side_changes_and_redo_writes_the_run_back(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    agree_first(world, session_factory)
    world.rate_in_plex(FIRST, 8)
    world.rate_file(CAFE, 3)
    job_id = new_job(session_factory, world.link.id)
    world.run(job_id=job_id)
    assert world.file_rating(FIRST) == 8 and world.plex_rating(CAFE) == 3

    _, reporter, undo_job = undo(world, session_factory, job_id)
    assert world.file_rating(FIRST) is None and world.plex_rating(CAFE) is None
    assert [e["subject"] for e in reporter.actions("undo_sticks")] == [f"job {job_id}"]

    summary, _ = world.run(job_id=new_job(session_factory, world.link.id))
    assert summary.written_a == summary.written_b == summary.conflicts == 0
    assert world.file_rating(FIRST) is None and world.plex_rating(CAFE) is None
    assert world.plex_rating(FIRST) == 8 and world.file_rating(CAFE) == 3

    world.rate_in_plex(FIRST, 4)  # a side changes again: the pair syncs again
    world.run(job_id=new_job(session_factory, world.link.id))
    assert world.file_rating(FIRST) == 4

    _, _, _ = undo(world, session_factory, undo_job)  # redo: undo of the undo job
    assert world.plex_rating(CAFE) == 3  # restored to what the run wrote
    assert world.file_rating(FIRST) == 4  # changed since: left alone
    summary, _ = world.run(job_id=new_job(session_factory, world.link.id))
    assert summary.written_a == summary.written_b == summary.conflicts == 0


def test_echo_of_finds_the_job_that_wrote_that_value_to_that_item(
    world: RatingsWorld, session_factory: SessionFactory
) -> None:
    world.rate_file(CAFE, 3)
    job_id = new_job(session_factory, world.link.id)
    world.run(job_id=job_id)
    key = str(world.plex_key(CAFE))
    since = datetime.now(UTC).replace(year=2000)
    sides = [(world.link.id, "a")]

    assert world.sync_repository.echo_of(sides, key, 3, since=since) == job_id
    assert world.sync_repository.echo_of(sides, key, 4, since=since) is None  # another value
    assert world.sync_repository.echo_of([(world.link.id, "b")], key, 3, since=since) is None
    assert world.sync_repository.echo_of(sides, key, 3, since=datetime.now(UTC)) is None
