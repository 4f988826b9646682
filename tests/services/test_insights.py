"""The dashboard's read-only service: next runs, rating bars, reports, undo targets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.adapters.db import migrate
from app.adapters.db.engine import SessionFactory, create_db_engine, create_session_factory
from app.adapters.db.insights_repo import InsightsRepository
from app.adapters.db.jobs import JobRepository
from app.adapters.db.library_repo import LibraryRepository
from app.domain.jobs import EventLevel, JobEventRecord, JobStatus, JobTrigger
from app.services.system.insights import (
    Insights,
    event_report,
    job_report,
    next_run_at,
    rating_bars,
    rating_label,
    schedule_time,
    server_now,
)

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("0 3 * * *", NOW, datetime(2026, 3, 15, 3, 0, tzinfo=UTC)),
        ("*/15 * * * *", NOW, datetime(2026, 3, 14, 15, 15, tzinfo=UTC)),
        ("30 4 1 * *", NOW, datetime(2026, 4, 1, 4, 30, tzinfo=UTC)),
        (
            "0 3 * * *",
            NOW.astimezone(timezone(timedelta(hours=2))),
            datetime(2026, 3, 15, 1, 0, tzinfo=UTC),
        ),
        (None, NOW, None),
        ("", NOW, None),
        ("not cron", NOW, None),
    ],
)
def test_next_run_at(schedule: str | None, after: datetime, expected: datetime | None) -> None:
    assert next_run_at(schedule, after) == expected


def test_schedule_times_are_shown_in_the_server_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert schedule_time(NOW) == "2026-03-14 16:09 CET"
        assert server_now().utcoffset() == timedelta(hours=1)
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("half_stars", "label"), [(None, "unrated"), (1, "½★"), (2, "1★"), (7, "3½★"), (10, "5★")]
)
def test_rating_label(half_stars: int | None, label: str) -> None:
    assert rating_label(half_stars) == label


def test_rating_bars_cover_every_bucket_in_order() -> None:
    bars = rating_bars({8: 3, None: 2, 1: 1})
    assert [bar.label for bar in bars] == [
        "½★", "1★", "1½★", "2★", "2½★", "3★", "3½★", "4★", "4½★", "5★", "unrated",
    ]  # fmt: skip
    assert [bar.count for bar in bars] == [1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 2]


def test_reports_are_plain_json_values() -> None:
    event = JobEventRecord(
        id=1,
        job_id=2,
        seq=3,
        created_at=NOW,
        level=EventLevel.WARNING,
        action="conflict",
        subject="Song",
        before="A 3★",
        after="B 4★",
        detail="both changed",
    )
    assert event_report(event) == {
        "seq": 3,
        "created_at": "2026-03-14T15:09:26+00:00",
        "level": "warning",
        "action": "conflict",
        "subject": "Song",
        "before": "A 3★",
        "after": "B 4★",
        "detail": "both changed",
    }


@pytest.fixture
def sqlite_sessions(sqlite_url: str) -> Iterator[SessionFactory]:
    """A migrated SQLite database (the PostgreSQL side of these queries is covered in
    tests/adapters/db/test_insights_repo.py)."""
    engine = create_db_engine(sqlite_url)
    migrate.upgrade(engine)
    try:
        yield create_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def insights(sqlite_sessions: SessionFactory) -> tuple[Insights, LibraryRepository, JobRepository]:
    libraries = LibraryRepository(sqlite_sessions)
    return (
        Insights(InsightsRepository(sqlite_sessions), libraries),
        libraries,
        JobRepository(sqlite_sessions),
    )


def finished_job(
    jobs: JobRepository,
    link_id: int,
    *,
    kind: str = "ratings_sync",
    dry_run: bool = False,
    counters: dict[str, int] | None = None,
    params: dict[str, object] | None = None,
) -> int:
    job = jobs.insert(
        kind=kind,
        params=params or {},
        dry_run=dry_run,
        trigger=JobTrigger.UI,
        lock_key="lib:1+lib:2",
        now=NOW,
        link_id=link_id,
    )
    jobs.claim(job.id, runner_id="r", now=NOW)
    jobs.write_progress(
        job.id,
        runner_id="r",
        phase="done",
        done=1,
        total=1,
        rate_per_s=None,
        eta_s=None,
        counters=counters or {},
        now=NOW,
    )
    jobs.finish(job.id, runner_id="r", status=JobStatus.SUCCEEDED, error=None, now=NOW)
    return job.id


def test_overview_links_with_last_and_next_runs(
    insights: tuple[Insights, LibraryRepository, JobRepository],
) -> None:
    service, libraries, jobs = insights
    a = libraries.add_library(kind="music_folder", name="A", config={"root": "/a"}, secret=None)
    b = libraries.add_library(kind="music_folder", name="B", config={"root": "/b"}, secret=None)
    daily = libraries.add_link(
        kind="ratings",
        library_a_id=a.id,
        library_b_id=b.id,
        direction="a_to_b",
        policy="ask",
        options={},
        schedule="0 3 * * *",
    )
    hourly = libraries.add_link(
        kind="ratings",
        library_a_id=b.id,
        library_b_id=a.id,
        direction="both",
        policy="ask",
        options={},
        schedule="0 * * * *",
    )
    off = libraries.add_link(
        kind="ratings",
        library_a_id=a.id,
        library_b_id=b.id,
        direction="both",
        policy="ask",
        options={},
        schedule="0 * * * *",
        enabled=False,
    )
    job_id = finished_job(jobs, daily.id)
    overview = service.overview(now=NOW)
    assert [s.link.id for s in overview.upcoming] == [hourly.id, daily.id]
    by_id = {s.link.id: s for s in overview.links}
    assert by_id[daily.id].title == "A → B"
    assert by_id[hourly.id].title == "B ⇄ A"
    assert by_id[daily.id].last_job is not None and by_id[daily.id].last_job.id == job_id
    assert by_id[off.id].next_run_at is None
    assert (overview.open_conflicts, overview.review_matches) == (0, 0)
    assert service.link_summary(hourly.id, now=NOW).next_run_at == datetime(
        2026, 3, 14, 16, 0, tzinfo=UTC
    )


def test_undo_target_is_the_last_run_that_wrote_until_undone(
    insights: tuple[Insights, LibraryRepository, JobRepository],
) -> None:
    service, libraries, jobs = insights
    a = libraries.add_library(kind="music_folder", name="A", config={"root": "/a"}, secret=None)
    b = libraries.add_library(kind="music_folder", name="B", config={"root": "/b"}, secret=None)
    link = libraries.add_link(
        kind="ratings",
        library_a_id=a.id,
        library_b_id=b.id,
        direction="both",
        policy="ask",
        options={},
    )
    assert service.undo_target(link.id) is None
    wrote = finished_job(jobs, link.id, counters={"written_a": 2, "written_b": 1})
    finished_job(jobs, link.id, dry_run=True, counters={"written_b": 9})
    quiet = finished_job(jobs, link.id, counters={"unchanged": 3})
    target = service.undo_target(link.id)
    assert target is not None
    assert (target.job.id, target.writes, target.possible) == (wrote, 3, True)
    finished_job(jobs, link.id, kind="ratings_undo", params={"undo_job_id": wrote})
    target = service.undo_target(link.id)
    assert target is not None and target.undone_by is not None and not target.possible
    assert quiet != target.job.id


def test_job_report_carries_no_runner_details(
    insights: tuple[Insights, LibraryRepository, JobRepository],
) -> None:
    _, libraries, jobs = insights
    a = libraries.add_library(kind="music_folder", name="A", config={"root": "/a"}, secret=None)
    b = libraries.add_library(kind="music_folder", name="B", config={"root": "/b"}, secret=None)
    link = libraries.add_link(
        kind="ratings",
        library_a_id=a.id,
        library_b_id=b.id,
        direction="both",
        policy="ask",
        options={},
    )
    report = job_report(jobs.get(finished_job(jobs, link.id, counters={"written_a": 1})))
    assert report["status"] == "succeeded"
    assert report["counters"] == {"written_a": 1}
    assert "runner_id" not in report and "lock_key" not in report
