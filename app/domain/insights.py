"""The figures the insights page reads from the database: the dialect tallies of a music
folder and the unmatched events of runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DialectTally:
    """What the file states of one music folder say: files read, files carrying at least one
    rating tag, and how many files carry each dialect."""

    files: int
    tagged: int
    dialects: dict[str, int]


@dataclass(frozen=True, slots=True)
class UnmatchedEvent:
    link_id: int
    job_id: int
    seq: int
    subject: str
    detail: str | None
