"""What Home Assistant sees, read from the same services as ``/api/v1/status`` and the
dashboard: the instance state, each link's last run, and the links as entities."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.clock import utc_now
from app.domain.homeassistant import InstanceState, LinkEntity, LinkState
from app.domain.jobs import JobRecord, JobStatus
from app.services.system.insights import Insights, LinkSummary
from app.services.system.status import StatusReader

PROBLEM_RESULTS = frozenset({"failed", "interrupted", "problems"})


def result_of(job: JobRecord | None) -> str | None:
    """A job's result as a sensor shows it: its status, or ``problems`` for a run that
    succeeded with problems."""
    if job is None:
        return None
    if job.status is JobStatus.SUCCEEDED and job.problems > 0:
        return "problems"
    return job.status.value


def _current_job(job: JobRecord | None, titles: dict[int, str]) -> str | None:
    if job is None:
        return None
    where = f" of {titles[job.link_id]}" if job.link_id in titles else ""
    return f"{job.kind} #{job.id}{where}"


def _link_state(summary: LinkSummary) -> LinkState:
    job = summary.last_job
    if job is not None and job.status.is_active:
        return LinkState(summary.link.id, job.status.value, job.started_at, problem=False)
    result = result_of(job)
    return LinkState(
        summary.link.id,
        result,
        job.finished_at if job is not None else None,
        problem=result in PROBLEM_RESULTS,
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    state: InstanceState
    links: tuple[LinkEntity, ...]


class SnapshotReader:
    def __init__(self, status: StatusReader, insights: Insights) -> None:
        self._status = status
        self._insights = insights

    def read(self) -> Snapshot:
        status = self._status.read()
        summaries = self._insights.overview(now=utc_now()).links
        titles = {summary.link.id: summary.title for summary in summaries}
        current, last = status.current_job, status.last_job
        state = InstanceState(
            state=status.state.value,
            progress=current.percent if current is not None else None,
            phase=current.phase if current is not None else None,
            current_job=_current_job(current, titles),
            last_run_at=last.finished_at if last is not None else None,
            last_result=result_of(last),
            pending_conflicts=status.pending_conflicts,
            needs_review=status.matches_to_review,
            last_run_problems=last.problems if last is not None else 0,
            links=tuple(_link_state(summary) for summary in summaries),
        )
        entities = tuple(
            LinkEntity(id=summary.link.id, kind=summary.link.kind, title=summary.title)
            for summary in summaries
        )
        return Snapshot(state=state, links=entities)
