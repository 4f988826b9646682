"""One job's page: events searched by text, filtered by action and level; reports to download."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

Waiter = Callable[..., None]


def finished_selftest(client: TestClient, wait: Waiter, steps: int = 12) -> int:
    response = client.post(
        "/jobs/selftest", data={"steps": steps, "step_s": 0}, follow_redirects=False
    )
    job_id = int(re.findall(r"/jobs/(\d+)", response.headers["location"])[0])
    wait(
        lambda: "status-succeeded" in client.get(f"/jobs/{job_id}/partials/progress").text,
        what="the self-test to end",
    )
    return job_id


def subjects(html: str) -> list[str]:
    return re.findall(r'<td class="subject">([^<]*)</td>', html)


def test_events_are_searched_and_filtered_and_reports_hold_them_all(
    app_client: TestClient, wait: Waiter
) -> None:
    job_id = finished_selftest(app_client, wait, steps=60)
    progress = app_client.get(f"/jobs/{job_id}/partials/progress")
    assert progress.headers["HX-Trigger"] == "job-finished"  # the events card refreshes now
    page = app_client.get(f"/jobs/{job_id}").text
    assert re.search(r'<option value="checkpoint"\s*>checkpoint \(\d+\)</option>', page)
    assert f'href="/jobs/{job_id}/report.csv"' in page

    found = app_client.get(f"/jobs/{job_id}", params={"q": "STEP 11 of"}).text
    assert set(subjects(found)) == {"step 11 of 60"}
    checkpoints = app_client.get(f"/jobs/{job_id}", params={"action": "checkpoint"}).text
    assert subjects(checkpoints) and all(
        re.fullmatch(r"step \d+ of 60", s) for s in subjects(checkpoints)
    )
    assert "step" not in re.findall(r"<td>(\w+)</td>", checkpoints)
    fragment = app_client.get(f"/jobs/{job_id}/partials/events", params={"q": "no such thing"}).text
    assert "No events match this filter." in fragment
    assert "<html" not in fragment

    counted = re.search(
        r"Events <span class=\"muted\">\((\d+)\)", app_client.get(f"/jobs/{job_id}").text
    )
    assert counted is not None
    total = int(counted.group(1))
    assert total > 50  # more than one page of the table

    as_json = app_client.get(f"/jobs/{job_id}/report.json")
    assert as_json.status_code == 200
    assert as_json.headers["content-disposition"] == (
        f'attachment; filename="crossfade-job-{job_id}.json"'
    )
    report = as_json.json()
    assert report["job"]["kind"] == "selftest"
    assert [e["seq"] for e in report["events"]] == list(range(1, total + 1))

    as_csv = app_client.get(f"/jobs/{job_id}/report.csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == total
    assert rows[0]["subject"] == "step 1 of 60"

    assert app_client.get("/jobs/999/report.csv").status_code == 404


def test_a_run_with_problems_shows_them_on_its_page_and_in_the_list(
    app_client: TestClient, wait: Waiter
) -> None:
    clean = finished_selftest(app_client, wait, steps=4)
    warned = finished_selftest(app_client, wait, steps=10)  # a warning every fifth step
    assert "job-problems" not in app_client.get(f"/jobs/{clean}/partials/progress").text
    progress = app_client.get(f"/jobs/{warned}/partials/progress").text
    assert re.search(r'class="tag warn job-problems"[^>]*>with 2 problems<', progress)
    table = app_client.get("/jobs/partials/table").text
    rows = {
        int(job_id): row
        for job_id, row in re.findall(r'<a href="/jobs/(\d+)">\d+</a>(.*?)</tr>', table, re.S)
    }
    assert "2 problems" in rows[warned]
    assert "problem" not in rows[clean]
    assert json.loads(app_client.get(f"/jobs/{warned}/report.json").text)["job"]["problems"] == 2
