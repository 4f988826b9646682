"""What a run would change (a dry run) or changed, said plainly: totals per action and side,
then the first ``--limit`` changes (``--all`` for every one); in ``--json`` the totals and
every event, never a silent cap.

Shared by the commands that run a job in this process (``crossfade ratings``,
``crossfade playlists``). A command describes its actions once (:class:`PlanVocabulary`); this
module counts the job's events by action, phrases the totals ("would write 812 ratings to
Plex, 640 to files; 3 conflicts; 12 unmatched") and lists the changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from app.domain.jobs import JobEventRecord, JobRecord

if TYPE_CHECKING:
    from app.bootstrap import Container

EVENTS_PER_PAGE = 500  # the most the job events query hands out at once


def all_events(container: Container, job: JobRecord) -> list[JobEventRecord]:
    """Every event of the job, in order, read page by page (nothing left out)."""
    events: list[JobEventRecord] = []
    while True:
        page = container.jobs.events(
            job.id, actions=(), levels=(), limit=EVENTS_PER_PAGE, offset=len(events)
        )
        events.extend(page.items)
        if not page.items or len(events) >= page.total:
            return events


def side_names(container: Container, job: JobRecord) -> dict[str, str]:
    """``{"a": name of library A, "b": name of library B}`` of the job's link."""
    if job.link_id is None:
        return {"a": "side A", "b": "side B"}
    libraries = container.domains.libraries
    link = libraries.link(job.link_id)
    return {
        "a": libraries.library(link.library_a_id).name,
        "b": libraries.library(link.library_b_id).name,
    }


class CountSource(StrEnum):
    EVENTS = "events"  # how many events have this action
    COUNTERS = "counters"  # the job's counter of this name


@dataclass(frozen=True)
class Total:
    """One phrase of the totals, for a dry run (``would``) and a real one (``did``): ``{n}``,
    ``{a}`` and ``{b}`` (the sides' names) are filled in; a zero count is left out."""

    name: str
    would: str
    did: str
    source: CountSource = CountSource.EVENTS


@dataclass(frozen=True)
class PlanVocabulary:
    """How a command's run reads: its totals in order, the event actions that are changes
    and how one change reads (``line(event, sides)``)."""

    totals: Sequence[Total]
    changes: frozenset[str]
    line: Callable[[JobEventRecord, dict[str, str]], str]
    grouped: bool = False  # lines under a heading per subject (a playlist's entries)


def tally(events: Sequence[JobEventRecord]) -> Counter[str]:
    return Counter(event.action for event in events)


def total_counts(
    vocabulary: PlanVocabulary, job: JobRecord, events: Sequence[JobEventRecord]
) -> dict[str, int]:
    by_action = tally(events)
    return {
        total.name: by_action[total.name]
        if total.source is CountSource.EVENTS
        else int(job.counters.get(total.name, 0))
        for total in vocabulary.totals
    }


def totals_sentence(
    vocabulary: PlanVocabulary, counts: dict[str, int], sides: dict[str, str], *, dry_run: bool
) -> str:
    """``would write 812 ratings to Plex; would write 640 ratings to files; 3 conflicts``."""
    parts = [
        (total.would if dry_run else total.did).format(n=counts[total.name], **sides)
        for total in vocabulary.totals
        if counts[total.name]
    ]
    if not parts:
        return "nothing to change" if dry_run else "nothing changed"
    return "; ".join(parts)


def print_plan(
    vocabulary: PlanVocabulary,
    job: JobRecord,
    events: Sequence[JobEventRecord],
    sides: dict[str, str],
    *,
    limit: int | None,
) -> None:
    """The totals, then the first ``limit`` changes (all when ``None``) and how many more."""
    counts = total_counts(vocabulary, job, events)
    sentence = totals_sentence(vocabulary, counts, sides, dry_run=job.dry_run)
    heading = "Plan (dry run, nothing written)" if job.dry_run else "Changes"
    typer.echo(f"{heading}: {sentence}")
    changes = [event for event in events if event.action in vocabulary.changes]
    shown = changes if limit is None else changes[:limit]
    subject = None
    for event in shown:
        if vocabulary.grouped and event.subject != subject:
            subject = event.subject
            typer.echo(subject)
        typer.echo(vocabulary.line(event, sides))
    rest = len(changes) - len(shown)
    if rest:
        typer.echo(f"… {rest} more (--limit N or --all to list them; --json has every event)")


def plan_document(
    vocabulary: PlanVocabulary,
    job: JobRecord,
    events: Sequence[JobEventRecord],
    sides: dict[str, str],
) -> dict[str, Any]:
    """The JSON fields the plan adds: events per action, the totals and their sentence, the
    sides' names, the event count and ``truncated`` (false: ``events`` holds every one)."""
    counts = total_counts(vocabulary, job, events)
    return {
        "events_per_action": dict(sorted(tally(events).items())),
        "totals": counts,
        "plan": totals_sentence(vocabulary, counts, sides, dry_run=job.dry_run),
        "sides": sides,
        "events_total": len(events),
        "truncated": False,
    }


def event_document(event: JobEventRecord, subject_key: str = "subject") -> dict[str, Any]:
    return {
        "action": event.action,
        "level": event.level.value,
        subject_key: event.subject,
        "before": event.before,
        "after": event.after,
        "detail": event.detail,
    }
