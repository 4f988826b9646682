"""The dashboard's read-only queries, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.insights_repo import InsightsRepository, like_pattern
from app.adapters.db.jobs import JobRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.errors import NotFound
from app.domain.jobs import EventLevel, JobStatus, JobTrigger, NewJobEvent
from app.domain.ratings.records import FileStateRecord, NewTrackLink

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass
class Db:
    insights: InsightsRepository
    libraries: LibraryRepository
    sync: SyncRepository
    jobs: JobRepository

    def folder(self, name: str) -> int:
        return self.libraries.add_library(
            kind="music_folder", name=name, config={"root": f"/m/{name}"}, secret=None
        ).id

    def link(self, a: int, b: int) -> int:
        return self.libraries.add_link(
            kind="ratings",
            library_a_id=a,
            library_b_id=b,
            direction="both",
            policy="ask",
            options={},
        ).id

    def job(
        self,
        link_id: int | None,
        *,
        kind: str = "ratings_sync",
        dry_run: bool = False,
        status: JobStatus = JobStatus.SUCCEEDED,
        events: list[NewJobEvent] | None = None,
    ) -> int:
        job = self.jobs.insert(
            kind=kind,
            params={},
            dry_run=dry_run,
            trigger=JobTrigger.API,
            lock_key=f"k{link_id}-{kind}-{dry_run}-{status}",
            now=NOW,
            link_id=link_id,
        )
        self.jobs.append_events(job.id, 1, events or [], now=NOW)
        if status is not JobStatus.QUEUED:
            self.jobs.claim(job.id, runner_id="r", now=NOW)
            if status is not JobStatus.RUNNING:
                self.jobs.finish(job.id, runner_id="r", status=status, error=None, now=NOW)
        return job.id


@pytest.fixture
def db(session_factory: SessionFactory) -> Db:
    return Db(
        InsightsRepository(session_factory),
        LibraryRepository(session_factory),
        SyncRepository(session_factory),
        JobRepository(session_factory),
    )


def pair(n: int, status: str = "auto") -> NewTrackLink:
    return NewTrackLink(a_key=f"a{n}", b_key=f"b{n}", method="path", score=100, status=status)


def test_agreed_ratings_dialects_conflicts_and_reviews_are_counted(db: Db) -> None:
    a, b, c = db.folder("a"), db.folder("b"), db.folder("c")
    first = db.link(a, b)
    second = db.link(a, c)
    ids = db.sync.add_track_links(first, [pair(1), pair(2), pair(3), pair(4, "review")])
    db.sync.set_baselines([(ids[0], 8), (ids[1], None), (ids[3], 2)], at=NOW)
    # The same A item in a second link with the same baseline counts once for A.
    again = db.sync.add_track_links(second, [pair(1)])
    db.sync.set_baselines([(again[0], 8)], at=NOW)
    counts = db.insights.agreed_ratings()
    assert counts[a] == {8: 1, None: 1}
    assert counts[b] == {8: 1, None: 1}
    assert counts[c] == {8: 1}

    folder = db.folder("tags")
    states = [
        FileStateRecord("1.mp3", 1, 1, "mp3", (("popm:musicbee", "196"), ("txxx:rating", "4"))),
        FileStateRecord("2.mp3", 1, 1, "mp3", (("popm:musicbee", "64"),)),
        FileStateRecord("3.flac", 1, 1, "flac", ()),
    ]
    db.sync.save_file_states(folder, states)
    tally = db.insights.dialect_tally(folder)
    assert (tally.files, tally.tagged) == (3, 2)
    assert tally.dialects == {"popm:musicbee": 2, "txxx:rating": 1}
    assert db.insights.dialect_tally(db.folder("empty")).files == 0

    link_id = db.link(db.folder("d"), db.folder("e"))
    ids = db.sync.add_track_links(link_id, [pair(1), pair(2, "review"), pair(3, "review")])
    for track_link_id in ids[:2]:
        db.sync.record_conflict(
            link_id=link_id,
            track_link_id=track_link_id,
            job_id=None,
            value_a=2,
            value_b=4,
            baseline_known=False,
            baseline_rating=None,
            evidence={},
        )
    db.sync.close_conflicts_for(ids[:1], resolution="agreed")
    assert db.insights.open_conflicts() == {link_id: 1}
    assert db.insights.matches_in_review() == {first: 1, link_id: 2}


def test_latest_jobs_per_link_follow_the_filters(db: Db) -> None:
    one = db.link(db.folder("a"), db.folder("b"))
    two = db.link(db.folder("c"), db.folder("d"))
    old = db.job(one)
    dry = db.job(one, dry_run=True)
    failed = db.job(two, status=JobStatus.FAILED)
    db.job(None, kind="selftest")
    assert {k: v.id for k, v in db.insights.latest_jobs().items()} == {one: dry, two: failed}
    real = db.insights.latest_jobs(dry_run=False, statuses=[JobStatus.SUCCEEDED])
    assert {k: v.id for k, v in real.items()} == {one: old}
    assert list(db.insights.latest_jobs(link_id=two)) == [two]
    assert [job.id for job in db.insights.jobs_of_link(one)] == [dry, old]
    assert db.insights.jobs_of_link(one, kinds=["ratings_undo"]) == []


def events(*subjects: str, action: str = "write_b") -> list[NewJobEvent]:
    return [
        NewJobEvent(action=action, subject=subject, detail=f"d {subject}") for subject in subjects
    ]


def test_events_are_searched_and_streamed_in_chunks(db: Db) -> None:
    job_id = db.job(
        None,
        kind="selftest",
        events=[
            *events("Café del Mar", "100% Pure", "under_score"),
            NewJobEvent(action="error", subject="broken.mp3", level=EventLevel.ERROR),
        ],
    )

    def subjects(**filters: object) -> list[str]:
        page = db.insights.search_events(job_id, **filters)
        return [event.subject for event in page.items]

    assert subjects(text="café") == ["Café del Mar"]
    assert subjects(text="DEL") == ["Café del Mar"]
    assert subjects(text="%") == ["100% Pure"]
    assert subjects(text="_") == ["under_score"]
    assert subjects(text="d 100") == ["100% Pure"]  # the detail counts too
    assert subjects(actions=["error"]) == ["broken.mp3"]
    assert subjects(levels=[EventLevel.ERROR], text="broken") == ["broken.mp3"]
    page = db.insights.search_events(job_id, limit=2, offset=1)
    assert (page.total, [e.seq for e in page.items]) == (4, [2, 3])
    assert db.insights.action_counts(job_id) == {"error": 1, "write_b": 3}
    with pytest.raises(NotFound):
        db.insights.search_events(999)

    job_id = db.job(None, kind="selftest", events=events(*(f"s{n}" for n in range(7))))
    seqs = [event.seq for event in db.insights.iter_events(job_id, chunk=3)]
    assert seqs == list(range(1, 8))
    assert list(db.insights.iter_events(db.job(None, kind="other"))) == []


def test_unmatched_events_of_given_jobs_with_search(db: Db) -> None:
    link_id = db.link(db.folder("a"), db.folder("b"))
    job_id = db.job(
        link_id,
        events=[*events("Lonely [x.mp3]", "Alone [y.mp3]", action="unmatched"), *events("w")],
    )
    other = db.job(None, kind="selftest", events=events("Elsewhere", action="unmatched"))
    page = db.insights.unmatched([job_id])
    assert [(i.link_id, i.job_id, i.subject) for i in page.items] == [
        (link_id, job_id, "Lonely [x.mp3]"),
        (link_id, job_id, "Alone [y.mp3]"),
    ]
    assert [i.subject for i in db.insights.unmatched([job_id], text="alone").items] == [
        "Alone [y.mp3]"
    ]
    assert db.insights.unmatched([]).total == 0
    assert db.insights.unmatched([other]).items[0].link_id == 0


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("abc", "%abc%"), ("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("c:\\x", "%c:\\\\x%")],
)
def test_like_pattern_matches_literally(text: str, pattern: str) -> None:
    assert like_pattern(text) == pattern
