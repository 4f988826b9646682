"""How fast a job can report: events appended in batches and throttled progress writes.

Usage: python bench/jobs_events.py [--events 50000] [--database-url URL]
Prints events per second through JobContext.event() (batched inserts) and the cost of
progress()/check_cancelled() per item, on a fresh SQLite file unless a URL is given.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.jobs import JobRepository
from app.domain.jobs import JobTrigger
from app.services.jobs.context import JobContext


def run(url: str, events: int) -> None:
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        repo = JobRepository(sessions)
        now = datetime.now(UTC)
        job = repo.insert(
            kind="bench",
            params={},
            dry_run=False,
            trigger=JobTrigger.CLI,
            lock_key=f"bench-{time.time_ns()}",
            now=now,
        )
        claimed = repo.claim(job.id, runner_id="bench", now=now)
        assert claimed is not None
        ctx = JobContext(
            claimed,
            repo,
            runner_id="bench",
            stopping=threading.Event(),
            now=lambda: datetime.now(UTC),
        )
        start = time.perf_counter()
        for item in range(events):
            ctx.check_cancelled()
            ctx.progress("bench", item, events)
            ctx.event("write", f"/music/album/track {item:06d}.flac", before="3", after="4.5")
            ctx.counter("written")
        ctx.flush()
        elapsed = time.perf_counter() - start
        stored = repo.events(job.id, limit=1).total
        print(f"{engine.dialect.name}: {events} items with an event each in {elapsed:.2f}s")
        print(f"  {events / elapsed:,.0f} items/s; {elapsed / events * 1e6:.1f} µs per item")
        print(f"  events stored: {stored}")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args.events)
        return
    with tempfile.TemporaryDirectory() as scratch:
        run(f"sqlite:///{Path(scratch) / 'bench.db'}", args.events)


if __name__ == "__main__":
    main()
