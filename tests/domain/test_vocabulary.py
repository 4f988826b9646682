"""The words pages use for machine names, and a finished run's summary with its next step."""

from __future__ import annotations

import pytest

from app.domain import vocabulary
from app.domain.vocabulary import NextStep, run_summary


@pytest.mark.parametrize(
    ("name", "count", "kind", "expected"),
    [
        ("written_a", 2, "ratings_sync", "2 ratings written to Plex"),
        ("written_a", 1, "ratings_sync", "1 rating written to Plex"),
        ("written_b", 1, "ratings_undo", "1 rating restored in Files"),
        ("conflicts", 1, "ratings_sync", "1 conflict"),
        ("conflicts", 0, "ratings_sync", "0 conflicts"),
        ("baselines_recorded", 3, "ratings_sync", "3 pairs found in agreement"),
        ("files_updated", 9, "mirror", "9 files linked or replaced"),
        ("created_b", 1, "playlists_sync", "1 playlist created in Files"),
        ("brand_new_counter", 4, "ratings_sync", "4 brand new counter"),
    ],
)
def test_counter_label(name: str, count: int, kind: str, expected: str) -> None:
    assert vocabulary.counter_label(name, count, kind=kind, a="Plex", b="Files") == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("write_a", "write to Plex"),
        ("write_b", "write to Files"),
        ("skip_direction", "skipped (one-way link)"),
        ("link", "create"),
        ("playlist_create", "create playlist"),
        ("something_else", "something else"),
    ],
)
def test_action_label(action: str, expected: str) -> None:
    assert vocabulary.action_label(action, a="Plex", b="Files") == expected


@pytest.mark.parametrize(
    ("action", "count", "expected"),
    [
        ("write_b", 2, "2 to write in Files"),
        ("conflict", 1, "1 conflict"),
        ("link", 9, "9 files to create"),
        ("match_lost", 1, "1 × match lost"),
    ],
)
def test_planned_label(action: str, count: int, expected: str) -> None:
    assert vocabulary.planned_label(action, count, a="Plex", b="Files") == expected


@pytest.mark.parametrize(
    ("phase", "finished", "expected"),
    [
        ("writing", False, "writing"),
        ("writing", True, None),
        ("undoing", False, "restoring"),
        ("scan source", False, "reading the folders source"),
        (None, False, None),
        ("counting_things", False, "counting things"),
    ],
)
def test_phase_label(phase: str | None, finished: bool, expected: str | None) -> None:
    assert vocabulary.phase_label(phase, finished=finished) == expected


@pytest.mark.parametrize(
    ("kind", "label", "undo"),
    [
        ("ratings_sync", "Ratings sync", False),
        ("ratings_undo", "Undo of a ratings sync", True),
        ("playlists_undo", "Undo of a playlists sync", True),
        ("mirror", "Movie mirror", False),
        ("new_kind", "New kind", False),
    ],
)
def test_job_kinds(kind: str, label: str, undo: bool) -> None:
    assert vocabulary.job_kind_label(kind) == label
    assert vocabulary.is_undo_kind(kind) is undo


def test_a_run_with_a_conflict_says_what_it_wrote_and_where_to_go() -> None:
    summary = run_summary(
        "ratings_sync",
        {"written_a": 2, "written_b": 2, "conflicts": 1, "pairs": 8, "baselines_recorded": 3},
        a="Demo Plex",
        b="Demo music files",
    )
    assert summary.sentence == (
        "2 ratings written to Demo Plex, 2 ratings written to Demo music files, 1 conflict."
    )
    assert summary.next_step == NextStep("1 conflict waits for you", "Resolve", "/conflicts")


@pytest.mark.parametrize(
    ("kind", "counters", "dry_run", "sentence", "next_path"),
    [
        ("ratings_sync", {"pairs": 8, "unchanged": 8}, False, "Nothing needed changing.", None),
        ("ratings_sync", {}, True, "A run would change nothing.", None),
        ("ratings_sync", {"review": 2}, False, "2 weak matches to review.", "/matches"),
        ("playlists_sync", {"conflicts": 2}, False, "2 conflicts.", "/playlists"),
        ("mirror", {"files_updated": 2}, True, "Planned: 2 files linked or replaced.", None),
        ("ratings_undo", {"written_b": 1}, False, "1 rating restored in B.", None),
        ("selftest", {"steps": 3}, False, "3 steps.", None),
    ],
)
def test_run_summary(
    kind: str, counters: dict[str, int], dry_run: bool, sentence: str, next_path: str | None
) -> None:
    summary = run_summary(kind, counters, dry_run=dry_run)
    assert summary.sentence == sentence
    assert (summary.next_step.path if summary.next_step else None) == next_path


def test_labels_of_statuses_and_triggers() -> None:
    assert vocabulary.trigger_label("schedule") == "its schedule"
    assert vocabulary.status_label("succeeded") == "done"
    assert vocabulary.action_reason("link", None) == "not in the target yet"
    assert vocabulary.action_reason("link", "told so") == "told so"
    assert vocabulary.action_reason("write_a", None) == ""
    assert vocabulary.action_reason("write_a", "3★ -> 4★") == "3★ → 4★"


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        ({"written_a": 2, "written_b": 1}, "2 ratings in Plex, 1 rating in Files"),
        (
            {"created_b": 1, "updated_a": 2},
            "1 playlist created in Files, 2 playlists changed in Plex",
        ),
        ({}, "what it wrote"),
    ],
)
def test_undo_question_says_what_it_restores(counters: dict[str, int], expected: str) -> None:
    question = vocabulary.undo_question(7, counters, a="Plex", b="Files")
    assert question.startswith("Undo run 7? ")
    assert f"for {expected};" in question


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("cannot connect (gaierror) after 4 attempt(s) (http://x /)", "server name could not"),
        ("cannot connect (ConnectionRefusedError) after 4 attempt(s)", "nothing answered"),
        ("timed out after 4 attempt(s)", "did not answer in time"),
        ("the server answered 401", "refused the token"),
        ("cannot connect (ConnectError) after 4 attempts (http://x ping)", "nothing answered"),
        ("cannot reach the server (ConnectError) (http://x)", "nothing answered"),
        ("no answer to GET /System/Info (http://x)", "did not answer in time"),
        ("error 40: Wrong username or password (http://x ping)", "refused the sign-in"),
        ("error 44: Invalid API key (http://x ping)", "refused the sign-in"),
        ("the API key was refused (401) (http://x)", "refused the sign-in"),
        ("HTTP 401 (http://x ping)", "refused the sign-in"),
        ("error 400: bad (http://x ping)", None),
        ("not a Subsonic JSON answer (http://x ping)", "not answer like a Subsonic server"),
        ("a playlists link needs a playlist folder", None),
        (None, None),
    ],
)
def test_explain_failure(text: str | None, meaning: str | None) -> None:
    explained = vocabulary.explain_failure(text)
    assert (explained is None) if meaning is None else (meaning in (explained or ""))
