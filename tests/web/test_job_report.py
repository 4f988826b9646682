"""Job reports: JSON (job, then events) and CSV, in pieces, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from app.domain.jobs import EventLevel, JobEventRecord, JobRecord, JobStatus, JobTrigger
from app.web import job_report
from app.web.job_report import csv_chunks, json_chunks, safe_cell

NOW = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


def event(seq: int, subject: str = "Song", detail: str | None = None) -> JobEventRecord:
    return JobEventRecord(
        id=seq,
        job_id=1,
        seq=seq,
        created_at=NOW,
        level=EventLevel.INFO,
        action="write_b",
        subject=subject,
        before="unrated",
        after="4★",
        detail=detail,
    )


JOB = JobRecord(
    id=1, kind="ratings_sync", link_id=2, params={"mode": "sync"}, dry_run=True,
    status=JobStatus.SUCCEEDED, phase="planning", done=3, total=3, rate_per_s=None, eta_s=None,
    counters={"pairs": 3}, trigger=JobTrigger.UI, lock_key="lib:1+lib:2", error=None,
    cancel_requested=False, runner_id="host:1:x", heartbeat_at=None, attempt=1,
    created_at=NOW, started_at=NOW, finished_at=NOW, updated_at=NOW,
)  # fmt: skip


def test_json_report_parses_and_holds_every_event() -> None:
    text = "".join(json_chunks(JOB, [event(1, 'Café "Crema"'), event(2)]))
    report = json.loads(text)
    assert report["job"]["id"] == 1 and report["job"]["dry_run"] is True
    assert [e["seq"] for e in report["events"]] == [1, 2]
    assert report["events"][0]["subject"] == 'Café "Crema"'
    assert "host:1:x" not in text
    assert json.loads("".join(json_chunks(JOB, [])))["events"] == []


def test_csv_report_has_a_header_and_a_row_per_event_in_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(job_report, "ROWS_PER_CHUNK", 2)
    chunks = list(csv_chunks(event(n, detail="a, b") for n in range(1, 6)))
    assert len(chunks) == 3
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert rows[0] == [
        "seq", "created_at", "level", "action", "subject", "before", "after", "detail",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]
    assert rows[1][4:] == ["Song", "unrated", "4★", "a, b"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("plain", "plain"),
        (None, ""),
        (3, "3"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell
