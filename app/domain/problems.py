"""Which item events make a run end "with problems", and what the CLI exits with.

A *problem* is an event about one item at level ``error`` (a file that could not be read or
written, an event that could not be stored), or at level ``warning`` (tags that disagree, a
playlist entry that matches no track, a match that lost its track), except the warnings that
put an item in the inbox for a person: ``conflict`` (both sides changed) and ``review`` (a weak
match to confirm). There the run did what the link's policy asks. ``info`` events never count.
"""

from __future__ import annotations

from enum import IntEnum

from app.domain.jobs import EventLevel, JobStatus

INBOX_ACTIONS = frozenset({"conflict", "review"})
"""Event actions that put an item in the inbox: reported at warning level, not problems."""


def is_problem(level: EventLevel | str, action: str) -> bool:
    """True when an event at ``level`` with ``action`` counts as one problem of its run."""
    event_level = EventLevel(level)
    if event_level is EventLevel.ERROR:
        return True
    return event_level is EventLevel.WARNING and action not in INBOX_ACTIONS


class ExitCode(IntEnum):
    """How a CLI command that ran a job ends (ratings and playlists commands; the mirror
    keeps jellyplex-sync's codes)."""

    CLEAN = 0
    """The job succeeded without problems."""
    FAILED = 1
    """The job failed, was cancelled or interrupted, or could not start."""
    PROBLEMS = 3
    """The job finished, but some items had problems (see its events)."""


def exit_code(status: JobStatus, problems: int) -> ExitCode:
    """The exit code of a CLI command whose job ended ``status`` with ``problems``."""
    if status is JobStatus.SUCCEEDED:
        return ExitCode.PROBLEMS if problems > 0 else ExitCode.CLEAN
    return ExitCode.FAILED
