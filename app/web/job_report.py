"""A job's report as a download: JSON (the job, then every event) or CSV (one row per event),
produced in pieces so a report of a million events streams instead of sitting in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from app.domain.jobs import JobEventRecord, JobRecord
from app.services.system.insights import REPORT_FIELDS, event_report, job_report

ROWS_PER_CHUNK = 500
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def json_chunks(job: JobRecord, events: Iterable[JobEventRecord]) -> Iterator[str]:
    """``{"job": {...}, "events": [{...}, ...]}``, one event per line."""
    yield '{"job": ' + json.dumps(job_report(job), ensure_ascii=False) + ', "events": ['
    separator = "\n"
    for event in events:
        yield separator + json.dumps(event_report(event), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def safe_cell(value: Any) -> str:
    """A cell as text; one a spreadsheet would run as a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(events: Iterable[JobEventRecord]) -> Iterator[str]:
    """A header row, then one row per event (``REPORT_FIELDS``), ``ROWS_PER_CHUNK`` at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_FIELDS)
    for rows, event in enumerate(events, start=1):
        report = event_report(event)
        writer.writerow([safe_cell(report[name]) for name in REPORT_FIELDS])
        if rows % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
