"""Notification rules (which events a finished job raises, what the message says) and the
broker URL rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain.errors import InvalidInput
from app.domain.integrations import (
    BrokerAddress,
    NotifyEvent,
    check_apprise_urls,
    job_events,
    message,
    parse_broker_url,
)
from app.domain.jobs import JobRecord, JobStatus, JobTrigger

T0 = datetime(2026, 12, 7, tzinfo=UTC)
JOB = JobRecord(
    id=9,
    kind="ratings_sync",
    link_id=3,
    params={},
    dry_run=False,
    status=JobStatus.SUCCEEDED,
    phase=None,
    done=0,
    total=None,
    rate_per_s=None,
    eta_s=None,
    counters={"conflicts": 2, "written_a": 3, "written_b": 4},
    trigger=JobTrigger.API,
    lock_key="lib:1+lib:2",
    error=None,
    cancel_requested=False,
    runner_id=None,
    heartbeat_at=None,
    attempt=1,
    created_at=T0,
    started_at=T0,
    finished_at=T0,
    updated_at=T0,
)
FAILED = NotifyEvent.JOB_FAILED
PROBLEMS = NotifyEvent.FINISHED_WITH_PROBLEMS
CONFLICTS = NotifyEvent.CONFLICTS_WAITING
MANY = NotifyEvent.MANY_RATINGS_CHANGED


@pytest.mark.parametrize(
    ("changes", "pending", "threshold", "events"),
    [
        ({}, 2, 6, [CONFLICTS, MANY]),
        ({}, 2, 7, [CONFLICTS]),  # 7 changed is not more than 7
        ({}, 0, 100, []),  # conflicts resolved meanwhile
        ({"problems": 1}, 2, 100, [PROBLEMS, CONFLICTS]),
        ({"status": JobStatus.FAILED}, 2, 0, [FAILED, CONFLICTS]),
        ({"status": JobStatus.INTERRUPTED}, 0, 0, [FAILED]),
        ({"status": JobStatus.CANCELLED}, 0, 0, []),
        ({"dry_run": True}, 2, 0, []),  # a preview changed nothing
        ({"kind": "selftest", "problems": 1}, 2, 0, [PROBLEMS]),
    ],
)
def test_job_events(
    changes: dict[str, object], pending: int, threshold: int, events: list[NotifyEvent]
) -> None:
    job = replace(JOB, **changes)  # type: ignore[arg-type]
    assert job_events(job, pending_conflicts=pending, threshold=threshold) == events


def test_message_names_the_link_the_counts_and_the_job_page() -> None:
    note = message(
        CONFLICTS, JOB, link_title="Plex ⇄ Music", pending_conflicts=2, public_url="http://cf:8080/"
    )
    assert note.title == "Crossfade: Plex ⇄ Music: 2 rating conflict(s) waiting"
    assert "conflicts 2, written a 3, written b 4, conflicts pending 2" in note.body
    assert note.body.endswith("Job 9: http://cf:8080/jobs/9")
    failed = replace(JOB, status=JobStatus.FAILED, error="Plex did not answer")
    body = message(FAILED, failed, link_title=None, pending_conflicts=0, public_url=None).body
    assert body.startswith("job 9 (ratings_sync): the run failed\nError: Plex did not answer")
    assert body.endswith("Job 9: /jobs/9")


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("mqtt://broker", BrokerAddress("broker", 1883, tls=False)),
        ("mqtts://broker", BrokerAddress("broker", 8883, tls=True)),
        (" mqtt://10.0.0.2:1884 ", BrokerAddress("10.0.0.2", 1884, tls=False)),
        ("http://broker", None),
        ("mqtt://", None),
        ("mqtt://user:pw@broker", None),
        ("mqtt://broker:99999", None),
    ],
)
def test_parse_broker_url(url: str, address: BrokerAddress | None) -> None:
    if address is None:
        with pytest.raises(InvalidInput, match="MQTT"):
            parse_broker_url(url)
    else:
        assert parse_broker_url(url) == address


def test_apprise_urls_are_trimmed_and_checked() -> None:
    assert check_apprise_urls([" ntfy://topic ", "", "ntfy://topic", "json://h/p"]) == (
        "ntfy://topic",
        "json://h/p",
    )
    with pytest.raises(ValueError, match="Apprise URL"):
        check_apprise_urls(["ntfy-topic"])
