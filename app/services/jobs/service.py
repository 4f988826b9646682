"""The job service: create (and submit), read, cancel and re-run jobs.

Routers, pages, webhooks and the CLI call this; the work itself happens in
``JobExecutor.run_job`` wherever a runner picks the id up. See docs/ARCHITECTURE.md
"Jobs and runners".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from app.domain.clock import utc_now
from app.domain.errors import CrossfadeError, InvalidInput, StateConflict
from app.domain.jobs import (
    EventLevel,
    JobEventRecord,
    JobRecord,
    JobStatus,
    JobTrigger,
    Page,
)
from app.services.jobs.kinds import JobKindRegistry
from app.services.jobs.runners import JobRunner
from app.services.repository_ports import JobRepositoryPort

logger = logging.getLogger(__name__)

MAX_PAGE = 500


class JobService:
    def __init__(
        self,
        repo: JobRepositoryPort,
        registry: JobKindRegistry,
        runner: JobRunner,
        *,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repo = repo
        self._registry = registry
        self._runner = runner
        self._now = now

    @property
    def queue_mode(self) -> str:
        return self._runner.mode

    @property
    def registry(self) -> JobKindRegistry:
        return self._registry

    def start(
        self,
        kind: str,
        params: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
        trigger: JobTrigger = JobTrigger.API,
        link_id: int | None = None,
        lock_key: str | None = None,
    ) -> JobRecord:
        """Create a queued job and hand it to the runner.

        :class:`InvalidInput` for an unknown kind or bad parameters; :class:`AlreadyRunning`
        (naming the job) if an active job holds the same lock key; if the runner cannot take
        the job (queue down) the job is marked failed and the runner's error is raised.
        """
        job_kind = self._registry.get(kind)
        parsed = job_kind.parse_params(dict(params or {}))
        job = self._repo.insert(
            kind=kind,
            params=parsed,
            dry_run=dry_run,
            trigger=trigger,
            lock_key=lock_key or job_kind.lock_key,
            link_id=link_id,
            now=self._now(),
        )
        try:
            self._runner.submit(job.id)
        except CrossfadeError as exc:
            self._repo.fail_unclaimed(job.id, error=f"could not enqueue: {exc}", now=self._now())
            raise
        return self._repo.get(job.id)

    def rerun(self, job_id: int, *, trigger: JobTrigger = JobTrigger.API) -> JobRecord:
        """A new job with the same kind, parameters, link and lock key as a finished one."""
        old = self._repo.get(job_id)
        if old.status.is_active:
            raise StateConflict(f"job {job_id} is still {old.status.value}")
        return self.start(
            old.kind,
            old.params,
            dry_run=old.dry_run,
            trigger=trigger,
            link_id=old.link_id,
            lock_key=old.lock_key,
        )

    def cancel(self, job_id: int) -> JobRecord:
        """Queued: cancelled at once. Running: stops at its next check. Finished: 409."""
        return self._repo.request_cancel(job_id, now=self._now())

    def get(self, job_id: int) -> JobRecord:
        return self._repo.get(job_id)

    def page(
        self,
        *,
        statuses: Sequence[JobStatus] = (),
        kind: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[JobRecord]:
        _check_window(limit, offset)
        return self._repo.page(statuses=statuses, kind=kind, limit=limit, offset=offset)

    def events(
        self,
        job_id: int,
        *,
        actions: Sequence[str] = (),
        levels: Sequence[EventLevel] = (),
        limit: int = 100,
        offset: int = 0,
    ) -> Page[JobEventRecord]:
        _check_window(limit, offset)
        return self._repo.events(job_id, actions=actions, levels=levels, limit=limit, offset=offset)

    def counts(self) -> dict[JobStatus, int]:
        return self._repo.count_by_status()

    def resubmit_queued(self) -> list[int]:
        """Hand every queued job to the runner again (after a restart; arq de-duplicates).

        A job the runner cannot take now (queue down) stays queued for the next start.
        """
        submitted: list[int] = []
        for job_id in self._repo.ids_with_status(JobStatus.QUEUED):
            try:
                self._runner.submit(job_id)
            except CrossfadeError as exc:
                logger.warning("job %s stays queued: %s", job_id, exc)
            else:
                submitted.append(job_id)
        if submitted:
            logger.info("resubmitted queued jobs %s", submitted)
        return submitted


def _check_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be from 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise InvalidInput(f"offset must not be negative, not {offset}")
