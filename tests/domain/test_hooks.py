"""Webhook values: Plex/Radarr/Sonarr/generic payloads, secret digests, events, safe URLs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.errors import InvalidInput
from app.domain.hooks import (
    check_events,
    check_outgoing_url,
    conflicts_payload,
    describe_url,
    digest_matches,
    ended_event,
    folder_within,
    hook_url,
    job_payload,
    parse_arr_payload,
    parse_generic_payload,
    parse_plex_payload,
    parse_plex_rating,
    secret_digest,
)
from app.domain.jobs import JobRecord, JobStatus, JobTrigger

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# docs/PLEX.md §7.1, trimmed
PLEX_RATE: dict[str, Any] = {
    "event": "media.rate",
    "user": True,
    "owner": True,
    "rating": "8",
    "Account": {"id": 1, "title": "owner"},
    "Server": {"title": "Emulated PMS", "uuid": "8f1e9a3c"},
    "Player": {"local": True, "title": "Plexamp"},
    "Metadata": {
        "librarySectionType": "artist",
        "ratingKey": "1003",
        "type": "track",
        "title": "Track Title",
        "librarySectionID": 3,
        "userRating": 8.0,
    },
}


def test_plex_rate_payload() -> None:
    hook = parse_plex_payload(json.dumps(PLEX_RATE))
    assert hook.is_rate and not hook.is_library_new
    assert (hook.server_uuid, hook.account_id, hook.section_id) == ("8f1e9a3c", 1, 3)
    assert (hook.rating_key, hook.item_type, hook.title, hook.rating) == (
        "1003",
        "track",
        "Track Title",
        8.0,
    )
    assert hook.label() == "media.rate: Track Title (section 3)"


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"rating": 6}, "rating", 6.0),
        ({"rating": "-1"}, "rating", None),
        ({"rating": ""}, "rating", None),
        ({"rating": None, "Metadata": {"userRating": 4.0}}, "rating", 4.0),
        ({"Metadata": {"librarySectionID": "7"}}, "section_id", 7),
        ({"Metadata": {"ratingKey": 55}}, "rating_key", "55"),
        ({"Metadata": {}}, "section_id", None),
        ({"Server": "not an object"}, "server_uuid", None),
        ({"event": "media.play", "rating": "8"}, "rating", None),
        ({"Account": {"id": True}}, "account_id", None),
    ],
)
def test_plex_payload_fields(change: dict[str, Any], field: str, expected: object) -> None:
    payload = {**PLEX_RATE, **change}
    assert getattr(parse_plex_payload(json.dumps(payload)), field) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8", 8.0),
        ("10", 10.0),
        (7.0, 7.0),
        (3, 3.0),
        ("-1", None),
        ("0", None),
        (0, None),
        ("11", None),
        ("NaN", None),
        ("eight", None),
        (None, None),
        (True, None),
        ([8], None),
    ],
)
def test_plex_rating_forms(value: object, expected: float | None) -> None:
    assert parse_plex_rating(value) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"user": true}', "no event"),
        (b"\xff\xfe", "not valid JSON"),
        ("x" * 1_000_001, "larger than"),
    ],
)
def test_malformed_plex_payloads_are_invalid_input(text: str | bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_plex_payload(text)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("source", "payload", "expected"),
    [
        (
            "radarr",
            {
                "eventType": "Download",
                "isUpgrade": True,
                "movie": {"title": "Heat", "folderPath": "/movies/Heat (1995)"},
                "movieFile": {"path": "/movies/Heat (1995)/Heat (1995).mkv"},
            },
            ("Download", "/movies/Heat (1995)", "/movies/Heat (1995)/Heat (1995).mkv", True),
        ),
        (
            "radarr",
            {"eventType": "Download", "movieFile": {"path": "/movies/Heat (1995)/Heat.mkv"}},
            ("Download", "/movies/Heat (1995)", "/movies/Heat (1995)/Heat.mkv", False),
        ),
        (
            "radarr",
            {"eventType": "Rename", "movie": {"folderPath": "D:\\Movies\\Heat (1995)"}},
            ("Rename", "D:\\Movies\\Heat (1995)", None, False),
        ),
        (
            "sonarr",
            {
                "eventType": "Download",
                "series": {"title": "Show", "path": "/tv/Show"},
                "episodeFile": {"path": "/tv/Show/Season 01/Show S01E01.mkv"},
            },
            ("Download", "/tv/Show", "/tv/Show/Season 01/Show S01E01.mkv", False),
        ),
        ("sonarr", {"eventType": "Test"}, ("Test", None, None, False)),
    ],
)
def test_arr_payloads(
    source: str, payload: dict[str, Any], expected: tuple[str, str | None, str | None, bool]
) -> None:
    hook = parse_arr_payload(source, payload)
    assert (hook.event_type, hook.folder_path, hook.file_path, hook.is_upgrade) == expected


@pytest.mark.parametrize(
    ("event_type", "changes_folder", "is_test"),
    [
        ("Download", True, False),
        ("Rename", True, False),
        ("Grab", False, False),
        ("MovieDelete", False, False),
        ("Test", False, True),
    ],
)
def test_arr_events_that_change_a_folder(
    event_type: str, changes_folder: bool, is_test: bool
) -> None:
    hook = parse_arr_payload("radarr", {"eventType": event_type})
    assert (hook.changes_folder, hook.is_test) == (changes_folder, is_test)


@pytest.mark.parametrize(
    ("source", "payload", "message"),
    [
        ("radarr", {}, "no eventType"),
        ("radarr", {"eventType": 3}, "no eventType"),
        ("lidarr", {"eventType": "Download"}, "neither radarr nor sonarr"),
    ],
)
def test_bad_arr_payloads(source: str, payload: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_arr_payload(source, payload)


@pytest.mark.parametrize(
    ("folder", "root", "inside"),
    [
        ("/movies/Heat (1995)", "/movies", True),
        ("/movies", "/movies", True),
        ("/movies/", "/movies", True),
        ("/moviesX/Heat (1995)", "/movies", False),
        ("/tv/Show", "/movies", False),
        ("D:\\Movies\\Heat", "d:/movies", True),
        ("/movies/Heat", "D:\\Movies", False),
    ],
)
def test_folder_within(folder: str, root: str, inside: bool) -> None:
    assert folder_within(folder, root) is inside


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, (None, None, False)),
        ({"link": 3}, (3, None, False)),
        ({"link": 3, "mode": "import", "dry_run": True}, (3, "import", True)),
    ],
)
def test_generic_payloads(payload: dict[str, Any], expected: tuple[object, ...]) -> None:
    hook = parse_generic_payload(payload)
    assert (hook.link_id, hook.mode, hook.dry_run) == expected


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"link": "3"}, "link must be"),
        ({"link": 0}, "link must be"),
        ({"link": True}, "link must be"),
        ({"link": 2**31}, "link must be"),
        ({"mode": 1}, "mode must be"),
        ({"dry_run": "yes"}, "dry_run must be"),
        ({"link": 1, "extra": 1}, "unknown fields: extra"),
    ],
)
def test_bad_generic_payloads(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_generic_payload(payload)


def test_secret_digests_match_only_their_secret() -> None:
    digest = secret_digest("s3cret-value")
    assert len(digest) == 64
    assert digest_matches("s3cret-value", digest)
    assert not digest_matches("s3cret-valuf", digest)
    assert not digest_matches("", digest)
    assert not digest_matches("\udcff", digest)


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (JobStatus.SUCCEEDED, "job_finished"),
        (JobStatus.CANCELLED, "job_finished"),
        (JobStatus.FAILED, "job_failed"),
        (JobStatus.INTERRUPTED, "job_failed"),
        (JobStatus.RUNNING, None),
        (JobStatus.QUEUED, None),
    ],
)
def test_ended_events(status: JobStatus, event: str | None) -> None:
    assert ended_event(status) == event


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (["job_failed", "job_started"], ["job_started", "job_failed"]),
        (["conflicts_pending", "conflicts_pending"], ["conflicts_pending"]),
    ],
)
def test_events_are_checked_and_ordered(events: list[str], expected: list[str]) -> None:
    assert check_events(events) == expected


@pytest.mark.parametrize(("events", "message"), [([], "at least one"), (["boom"], "unknown")])
def test_bad_events(events: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_events(events)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://ha.local:8123/api/webhook/abc", True),
        ("  http://127.0.0.1:9/x  ", True),
        ("ftp://example.org/x", False),
        ("http:///nohost", False),
        ("not a url", False),
        ("https://example.org/" + "x" * 2000, False),
    ],
)
def test_outgoing_urls(url: str, ok: bool) -> None:
    if ok:
        assert check_outgoing_url(url) == url.strip()
    else:
        with pytest.raises(InvalidInput):
            check_outgoing_url(url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ha.local:8123/api/webhook/SECRET", "https://ha.local:8123/…"),
        ("https://user:pw@ntfy.sh/mytopic?x=1", "https://ntfy.sh/…"),
        ("http://example.org/", "http://example.org/"),
        ("http://example.org?token=SECRET", "http://example.org/…"),
        ("http://[::1]:9000/hook", "http://[::1]:9000/…"),
        ("http://example.org:99999/x", "(unparseable URL)"),
    ],
)
def test_urls_are_described_without_secrets(url: str, shown: str) -> None:
    assert describe_url(url) == shown
    assert "SECRET" not in describe_url(url) and "pw" not in describe_url(url)


def test_hook_url() -> None:
    assert hook_url("http://h:8080/", "plex", "abc") == "http://h:8080/api/v1/hooks/plex/abc"


def _job(**changes: Any) -> JobRecord:
    job = JobRecord(
        id=7,
        kind="ratings_sync",
        link_id=2,
        params={"mode": "sync"},
        dry_run=False,
        status=JobStatus.SUCCEEDED,
        phase="apply",
        done=10,
        total=10,
        rate_per_s=None,
        eta_s=None,
        counters={"written_b": 3},
        trigger=JobTrigger.WEBHOOK,
        lock_key="lib:1+lib:2",
        error=None,
        cancel_requested=False,
        runner_id="h:1:0",
        heartbeat_at=None,
        attempt=1,
        created_at=NOW,
        started_at=NOW,
        finished_at=NOW,
        updated_at=NOW,
    )
    return replace(job, **changes)


def test_job_payload_has_short_scalars() -> None:
    body = job_payload("job_finished", _job(), sent_at=NOW)
    assert body["event"] == "job_finished"
    assert (body["job_id"], body["kind"], body["link_id"], body["status"]) == (
        7,
        "ratings_sync",
        2,
        "succeeded",
    )
    assert body["trigger"] == "webhook" and body["counters"] == {"written_b": 3}
    assert body["message"] == "ratings_sync of link 2 succeeded"
    json.dumps(body)


def test_a_started_job_is_reported_as_it_started() -> None:
    body = job_payload("job_started", _job(error="later"), sent_at=NOW)
    assert (body["status"], body["finished_at"], body["error"]) == ("running", None, None)
    assert body["counters"] == {} and body["message"] == "ratings_sync of link 2 started"


def test_a_run_with_problems_says_so() -> None:
    body = job_payload("job_finished", _job(problems=2), sent_at=NOW)
    assert body["message"] == "ratings_sync of link 2 succeeded with 2 problems"
    assert body["problems"] == 2
    assert job_payload("job_finished", _job(), sent_at=NOW)["problems"] == 0
    assert job_payload("job_started", _job(problems=2), sent_at=NOW)["problems"] == 0


def test_failed_job_payload_says_why() -> None:
    job = _job(status=JobStatus.FAILED, error="server down", dry_run=True)
    body = job_payload("job_failed", job, sent_at=NOW)
    assert body["message"] == "ratings_sync of link 2 (dry run) failed: server down"
    assert body["error"] == "server down"


def test_conflicts_payload() -> None:
    body = conflicts_payload(link_id=2, pending=1, job_id=7, sent_at=NOW)
    assert body["message"] == "1 rating conflict of link 2 waits for a decision"
    assert (body["event"], body["pending"], body["job_id"]) == ("conflicts_pending", 1, 7)
