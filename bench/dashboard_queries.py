"""How the dashboard's read-only queries hold up on a big library: agreed ratings per library,
the dialect tally, event search, the overview, and streaming a job report.

Usage: python bench/dashboard_queries.py [--tracks 100000] [--database-url URL]
Fills a fresh SQLite file (unless a URL is given) with N track links with baselines, N file
states with rating tags and a job with N events, then prints the time of each query.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.insights_repo import InsightsRepository
from app.adapters.db.jobs import JobRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.jobs import JobTrigger, NewJobEvent
from app.domain.ratings.records import FileStateRecord, NewTrackLink
from app.services.system.insights import Insights
from app.web.job_report import csv_chunks

DIALECTS = ("popm:musicbee", "popm:windows", "txxx:fmps_rating", "vorbis:rating")


def tags(rng: random.Random) -> tuple[tuple[str, str], ...]:
    return tuple((d, "196") for d in rng.sample(DIALECTS, rng.randint(0, 2)))


def timed(label: str, action: Callable[[], object], count: int | None = None) -> object:
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    rate = f"  ({count / elapsed:,.0f}/s)" if count else ""
    print(f"{label:<42} {elapsed * 1000:9.1f} ms{rate}")
    return result


def fill(url: str, tracks: int) -> tuple[Insights, int]:
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    libraries = LibraryRepository(sessions)
    sync = SyncRepository(sessions)
    jobs = JobRepository(sessions)
    plex = libraries.add_library(
        kind="plex_music", name="Plex", config={"base_url": "http://p", "section_ids": [1]},
        secret="t",
    )  # fmt: skip
    folder = libraries.add_library(
        kind="music_folder", name="Files", config={"root": "/music"}, secret=None
    )
    link = libraries.add_link(
        kind="ratings", library_a_id=plex.id, library_b_id=folder.id, direction="both",
        policy="ask", options={}, schedule="0 3 * * *",
    )  # fmt: skip
    rng = random.Random(7)
    start = time.perf_counter()
    ids = sync.add_track_links(
        link.id,
        [
            NewTrackLink(a_key=str(n), b_key=f"a/{n}.mp3", method="path", score=100, status="auto")
            for n in range(tracks)
        ],
    )
    sync.set_baselines([(i, rng.choice([None, *range(1, 11)])) for i in ids], at=datetime.now(UTC))
    sync.save_file_states(
        folder.id,
        [FileStateRecord(f"a/{n}.mp3", 1, 1, "mp3", tags(rng)) for n in range(tracks)],
    )
    job = jobs.insert(
        kind="ratings_sync", params={}, dry_run=True, trigger=JobTrigger.CLI,
        lock_key="bench", now=datetime.now(UTC), link_id=link.id,
    )  # fmt: skip
    for first in range(0, tracks, 5000):
        jobs.append_events(
            job.id,
            first + 1,
            [
                NewJobEvent("write_b", f"Artist {n} – Title {n} [a/{n}.mp3]", after="4★")
                for n in range(first, min(first + 5000, tracks))
            ],
            now=datetime.now(UTC),
        )
    print(
        f"filled {tracks:,} tracks, file states and events in {time.perf_counter() - start:.1f} s"
    )
    return Insights(InsightsRepository(sessions), libraries), job.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        insights, job_id = fill(url, args.tracks)
        n = args.tracks
        timed(
            "overview (links, last/next runs, counts)",
            lambda: insights.overview(now=datetime.now(UTC)),
        )
        timed("agreed ratings per library", insights.rating_distributions)
        timed("dialect tally of the folder", insights.dialects, n)
        timed(
            "event search, text, first page",
            lambda: insights.search_events(job_id, text="title 99999"),
        )
        timed(
            "event page 1000 of the table", lambda: insights.search_events(job_id, offset=n - 100)
        )
        timed("action counts", lambda: insights.action_counts(job_id))
        timed(
            "CSV report, every event",
            lambda: sum(len(c) for c in csv_chunks(insights.iter_events(job_id))),
            n,
        )


if __name__ == "__main__":
    main()
