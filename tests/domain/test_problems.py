from __future__ import annotations

import pytest

from app.domain.jobs import EventLevel, JobStatus
from app.domain.problems import ExitCode, exit_code, is_problem


@pytest.mark.parametrize(
    ("level", "action", "problem"),
    [
        (EventLevel.ERROR, "unreadable", True),
        (EventLevel.ERROR, "error", True),
        (EventLevel.ERROR, "event_error", True),
        (EventLevel.WARNING, "tags_disagree", True),
        (EventLevel.WARNING, "entry_unmatched", True),
        (EventLevel.WARNING, "conflict", False),
        (EventLevel.WARNING, "review", False),
        (EventLevel.ERROR, "conflict", True),
        (EventLevel.INFO, "write", False),
        ("warning", "match_lost", True),
        ("info", "unreadable", False),
    ],
)
def test_which_events_are_problems(level: EventLevel | str, action: str, problem: bool) -> None:
    assert is_problem(level, action) is problem


@pytest.mark.parametrize(
    ("status", "problems", "code"),
    [
        (JobStatus.SUCCEEDED, 0, ExitCode.CLEAN),
        (JobStatus.SUCCEEDED, 1, ExitCode.PROBLEMS),
        (JobStatus.SUCCEEDED, 250, ExitCode.PROBLEMS),
        (JobStatus.FAILED, 0, ExitCode.FAILED),
        (JobStatus.FAILED, 3, ExitCode.FAILED),
        (JobStatus.CANCELLED, 0, ExitCode.FAILED),
        (JobStatus.INTERRUPTED, 2, ExitCode.FAILED),
    ],
)
def test_exit_codes(status: JobStatus, problems: int, code: ExitCode) -> None:
    assert exit_code(status, problems) is code
    assert int(code) in (0, 1, 3)
