"""How a ratings run's plan reads (``crossfade ratings``): see ``app.cli.plan_output``."""

from __future__ import annotations

from app.cli.plan_output import PlanVocabulary, Total
from app.domain.jobs import JobEventRecord

WRITE_ACTIONS = {"write_a": "a", "write_b": "b"}  # the run's events that write a rating


def _line(event: JobEventRecord, sides: dict[str, str]) -> str:
    side = sides[WRITE_ACTIONS[event.action]] if event.action in WRITE_ACTIONS else event.action
    change = f"{event.before or 'unrated'} → {event.after or 'unrated'}"
    detail = f"  ({event.detail})" if event.detail else ""
    return f"  {side}: {change}  {event.subject}{detail}"


RATINGS_PLAN = PlanVocabulary(
    totals=(
        Total("write_a", "would write {n} ratings to {a}", "wrote {n} ratings to {a}"),
        Total("write_b", "would write {n} ratings to {b}", "wrote {n} ratings to {b}"),
        Total("conflict", "{n} conflicts", "{n} conflicts"),
        Total("review", "{n} matches to review", "{n} matches to review"),
        Total("unmatched", "{n} unmatched", "{n} unmatched"),
        Total("tags_disagree", "{n} with disagreeing tags", "{n} with disagreeing tags"),
        Total("skip_direction", "{n} left alone (direction)", "{n} left alone (direction)"),
        Total("error", "{n} errors", "{n} errors"),
    ),
    changes=frozenset(WRITE_ACTIONS),
    line=_line,
)
