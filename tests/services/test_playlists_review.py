"""A playlist conflict as a diff of entries, and a run's events as a plan per playlist."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.jobs import EventLevel, JobEventRecord
from app.domain.playlists.records import ConflictEntry
from app.services.playlists.review import diff_rows, plan_by_playlist


def entries(keys: str) -> tuple[ConflictEntry, ...]:
    return tuple(ConflictEntry(key, key.upper()) for key in keys)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abc", "abc", ["=A", "=B", "=C"]),
        ("abc", "ac", ["=A", "<B", "=C"]),
        ("ac", "abc", ["=A", ">B", "=C"]),
        ("ab", "ba", [">B", "=A", "<B"]),
        ("abc", "axc", ["=A", "<B", ">X", "=C"]),
        ("", "a", [">A"]),
        ("", "", []),
    ],
)
def test_diff_rows(a: str, b: str, expected: list[str]) -> None:
    marks = {"same": "=", "a": "<", "b": ">"}
    shown = [marks[row.kind] + (row.a or row.b or "") for row in diff_rows(entries(a), entries(b))]
    assert shown == expected


def event(seq: int, action: str, subject: str, **fields: str) -> JobEventRecord:
    return JobEventRecord(
        id=seq,
        job_id=1,
        seq=seq,
        created_at=datetime.now(UTC),
        level=EventLevel(fields.pop("level", "info")),
        action=action,
        subject=subject,
        before=fields.get("before"),
        after=fields.get("after"),
        detail=fields.get("detail"),
    )


def test_plan_by_playlist_groups_in_order_and_ignores_other_events() -> None:
    plans = plan_by_playlist(
        [
            event(1, "scan", "whatever"),
            event(2, "playlist_update", "Mix", detail="on A"),
            event(3, "entry_added", "Mix", after="1. X"),
            event(4, "entry_unmatched", "Radio", level="warning", before="s", after="http://s"),
            event(5, "entry_moved", "Mix", before="2. Y", after="1. Y"),
            event(6, "entry_removed", "Mix", before="3. Z"),
        ]
    )
    assert [plan.title for plan in plans] == ["Mix", "Radio"]
    mix, radio = plans
    assert [line.action for line in mix.notes] == ["playlist_update"]
    assert (len(mix.added), len(mix.removed), len(mix.moved), mix.changes) == (1, 1, 1, 3)
    assert radio.unmatched[0].level == "warning" and radio.changes == 0
