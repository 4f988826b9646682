"""Apprise notifications: when a job ends, the events it raises (failed, finished with
problems, conflicts waiting, more ratings changed than the threshold) are sent to the Apprise
URLs configured for each, with a message naming the link, the counts and the job page.

Like the webhooks out, jobs only put their id on a queue; one daemon thread waits for the job's
row to say how it ended and does the sending, so a slow service never holds a job up. Failures
are logged (URLs shown by scheme only) and kept as :attr:`AppriseNotifications.last_error`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from app.domain.errors import NotFound
from app.domain.integrations import (
    Notification,
    NotifyConfig,
    NotifyEvent,
    job_events,
    message,
    trial_notification,
)
from app.domain.jobs import JobRecord
from app.services.homeassistant.settings import IntegrationSettings
from app.services.repository_ports import JobRepositoryPort

logger = logging.getLogger(__name__)


class Sender(Protocol):
    """``app.adapters.apprise_out.send_apprise``: None when every URL took it."""

    def __call__(self, urls: Sequence[str], *, title: str, body: str) -> str | None: ...


PendingConflicts = Callable[[int], int]
LinkTitle = Callable[[int], str | None]


class AppriseNotifications:
    def __init__(
        self,
        settings: IntegrationSettings,
        jobs: JobRepositoryPort,
        pending_conflicts: PendingConflicts,
        link_title: LinkTitle,
        *,
        send: Sender,
        settle_timeout_s: float = 30.0,
    ) -> None:
        self._settings = settings
        self._jobs = jobs
        self._pending_conflicts = pending_conflicts
        self._link_title = link_title
        self._send = send
        self._settle_timeout_s = settle_timeout_s
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.last_error: str | None = None

    # -- dashboard ------------------------------------------------------------------------

    def send_test(self, urls: Sequence[str] | None = None) -> str | None:
        """Send a test message now to ``urls`` (default: every configured URL); None when
        it went out, else what failed."""
        config = self._settings.notify()
        targets = list(urls) if urls is not None else _all_urls(config)
        if not targets:
            return "no Apprise URL is configured"
        note = trial_notification(config.public_url)
        return self._send(targets, title=note.title, body=note.body)

    # -- what jobs report (never blocks) --------------------------------------------------

    def job_started(self, job_id: int) -> None:
        """Nothing is sent when a job starts."""

    def job_ended(self, job_id: int) -> None:
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="crossfade-notify", daemon=True
                )
                self._thread.start()
        self._queue.put(job_id)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout_s: float = 10.0) -> None:
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                if job_id is None:
                    return
                self._job_ended(job_id)
            except Exception:
                logger.exception("notifications: could not handle job %s", job_id)
            finally:
                self._queue.task_done()

    def _settled(self, job_id: int) -> JobRecord | None:
        deadline = time.monotonic() + self._settle_timeout_s
        while True:
            try:
                job = self._jobs.get(job_id)
            except NotFound:
                return None
            if job.status.is_finished:
                return job
            if time.monotonic() > deadline:
                logger.warning("job %s did not settle; no notification sent", job_id)
                return None
            time.sleep(0.02)

    def _job_ended(self, job_id: int) -> None:
        config = self._settings.notify()
        if not config.any_urls:
            return
        job = self._settled(job_id)
        if job is None:
            return
        pending = self._pending_conflicts(job.link_id) if job.link_id is not None else 0
        title = self._link_title(job.link_id) if job.link_id is not None else None
        for event in job_events(job, pending_conflicts=pending, threshold=config.ratings_threshold):
            urls = config.urls_for(event)
            if urls:
                note = message(
                    event,
                    job,
                    link_title=title,
                    pending_conflicts=pending,
                    public_url=config.public_url,
                )
                self._deliver(urls, note)

    def _deliver(self, urls: Sequence[str], note: Notification) -> None:
        error = self._send(urls, title=note.title, body=note.body)
        self.last_error = error
        if error is not None:
            logger.warning("notification %s not delivered: %s", note.event.value, error)


def _all_urls(config: NotifyConfig) -> list[str]:
    found: list[str] = []
    for event in NotifyEvent:
        found += [url for url in config.urls_for(event) if url not in found]
    return found
