"""``app.cli.plan_output``: the totals say what a run would change per action and side, the
text lists the first changes and says how many more, and ``--json`` holds every event."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import create_session_factory
from app.adapters.db.jobs import JobRepository
from app.bootstrap import Container
from app.cli.plan_output import (
    EVENTS_PER_PAGE,
    all_events,
    plan_document,
    print_plan,
    totals_sentence,
)
from app.cli.plan_output_ratings import RATINGS_PLAN
from app.domain.jobs import JobRecord, JobTrigger
from app.services.jobs.context import JobContext

SIDES = {"a": "Plex", "b": "files"}


def finished_job(container: Container, writes: dict[str, int], *, dry_run: bool) -> JobRecord:
    """A job whose events are ``writes`` (action: how many), stored as a run stores them."""
    repo = JobRepository(create_session_factory(container.engine))
    now = datetime.now(UTC)
    job = repo.insert(
        kind="ratings", params={}, dry_run=dry_run, trigger=JobTrigger.CLI, lock_key="t", now=now
    )
    claimed = repo.claim(job.id, runner_id="test", now=now)
    assert claimed is not None
    context = JobContext(
        claimed, repo, runner_id="test", stopping=threading.Event(), now=lambda: now
    )
    for action, count in writes.items():
        for item in range(count):
            context.event(action, f"Artist/Album/{item:05d}.flac", before="3★", after="4½★")
    context.flush()
    return container.jobs.get(job.id)


@pytest.mark.parametrize(
    ("counts", "dry_run", "sentence"),
    [
        (
            {"write_a": 812, "write_b": 640, "conflict": 3, "unmatched": 12},
            True,
            "would write 812 ratings to Plex; would write 640 ratings to files; 3 conflicts; "
            "12 unmatched",
        ),
        ({"write_b": 1, "error": 2}, False, "wrote 1 ratings to files; 2 errors"),
        ({}, True, "nothing to change"),
        ({}, False, "nothing changed"),
    ],
)
def test_the_totals_name_each_action_and_side(
    counts: dict[str, int], dry_run: bool, sentence: str
) -> None:
    full = {total.name: counts.get(total.name, 0) for total in RATINGS_PLAN.totals}
    assert totals_sentence(RATINGS_PLAN, full, SIDES, dry_run=dry_run) == sentence


def test_every_event_past_one_page_is_read_and_counted(container: Container) -> None:
    writes = {"write_b": EVENTS_PER_PAGE * 2 + 34, "conflict": 3}
    job = finished_job(container, writes, dry_run=True)

    events = all_events(container, job)

    assert len(events) == sum(writes.values())
    document = plan_document(RATINGS_PLAN, job, events, SIDES)
    assert document["truncated"] is False
    assert document["events_total"] == len(events)
    assert document["totals"]["write_b"] == writes["write_b"]
    assert document["plan"].startswith(f"would write {writes['write_b']} ratings to files")


def test_the_text_lists_the_first_changes_and_how_many_more(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    job = finished_job(container, {"write_a": 25, "unmatched": 4}, dry_run=True)
    events = all_events(container, job)

    print_plan(RATINGS_PLAN, job, events, SIDES, limit=20)
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0] == "Plan (dry run, nothing written): would write 25 ratings to Plex; 4 unmatched"
    )
    assert lines[1] == "  Plex: 3★ → 4½★  Artist/Album/00000.flac"
    assert len(lines) == 1 + 20 + 1
    assert lines[-1].startswith("… 5 more")

    print_plan(RATINGS_PLAN, job, events, SIDES, limit=None)
    assert len(capsys.readouterr().out.splitlines()) == 1 + 25
