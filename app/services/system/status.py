"""The state of the whole installation in one read: for Home Assistant sensors and dashboards.

``state`` is ``running`` while any job is queued or running, else ``failed`` when the job that
finished last failed or was interrupted, else ``idle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.jobs import JobRecord, JobStatus
from app.services.jobs.service import JobService
from app.services.ports import LibraryRepositoryPort
from app.services.ratings.review import RatingsReview


class State(StrEnum):
    """The instance's state as Home Assistant shows it."""

    IDLE = "idle"
    RUNNING = "running"
    FAILED = "failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED)
FAILED = frozenset({JobStatus.FAILED, JobStatus.INTERRUPTED})
# Jobs may finish out of creation order; the newest few finished are compared by finish time.
RECENT_FINISHED = 10


@dataclass(frozen=True, slots=True)
class InstanceStatus:
    state: State
    current_job: JobRecord | None
    last_job: JobRecord | None
    jobs_running: int
    jobs_queued: int
    jobs_failed: int
    pending_conflicts: int
    matches_to_review: int
    libraries: int
    links: int


def overall_state(*, active_jobs: int, last_job: JobRecord | None) -> State:
    if active_jobs > 0:
        return State.RUNNING
    if last_job is not None and last_job.status in FAILED:
        return State.FAILED
    return State.IDLE


def last_finished(jobs: list[JobRecord]) -> JobRecord | None:
    finished = [job for job in jobs if job.status.is_finished]
    if not finished:
        return None
    return max(finished, key=lambda job: (job.finished_at or job.updated_at, job.id))


class StatusReader:
    def __init__(
        self, jobs: JobService, libraries: LibraryRepositoryPort, review: RatingsReview
    ) -> None:
        self._jobs = jobs
        self._libraries = libraries
        self._review = review

    def read(self) -> InstanceStatus:
        counts = self._jobs.counts()
        running = self._jobs.page(statuses=[JobStatus.RUNNING], limit=1).items
        queued = self._jobs.page(statuses=[JobStatus.QUEUED], limit=1).items
        current = running[0] if running else (queued[0] if queued else None)
        recent = self._jobs.page(statuses=FINISHED, limit=RECENT_FINISHED).items
        last_job = last_finished(recent)
        active = counts[JobStatus.RUNNING] + counts[JobStatus.QUEUED]
        _, conflicts = self._review.conflicts(status="open", link_id=None, limit=1, offset=0)
        _, review = self._review.matches(status="review", link_id=None, limit=1, offset=0)
        return InstanceStatus(
            state=overall_state(active_jobs=active, last_job=last_job),
            current_job=current,
            last_job=last_job,
            jobs_running=counts[JobStatus.RUNNING],
            jobs_queued=counts[JobStatus.QUEUED],
            jobs_failed=counts[JobStatus.FAILED] + counts[JobStatus.INTERRUPTED],
            pending_conflicts=conflicts,
            matches_to_review=review,
            libraries=len(self._libraries.libraries()),
            links=len(self._libraries.links()),
        )
