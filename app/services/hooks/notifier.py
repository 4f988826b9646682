"""Webhooks out: POST JSON to configured URLs when jobs start, finish or fail, and when a run
leaves rating conflicts pending.

Every job kind's handler is wrapped (:func:`observed_kinds`) so the process that runs a job
(the web server inline, or an arq worker) reports it; the handler only puts the job id on a
queue, and one daemon thread does the HTTP work with a timeout, so a slow or dead receiver
never holds a job up. For a job that ended, the thread waits until the job's row says how it
ended. Failures are logged and remembered on the webhook (``last_status``/``last_error``),
naming the URL only by scheme, host and port. A webhook whose stored URL cannot be decrypted
(the secret key changed: its record has no URL and says so in ``last_error``) is skipped.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from app.domain.clock import utc_now
from app.domain.errors import CrossfadeError, InvalidInput, NotFound
from app.domain.hook_records import OutgoingRecord
from app.domain.hooks import (
    check_events,
    check_outgoing_url,
    conflicts_payload,
    describe_url,
    ended_event,
    job_payload,
    ping_payload,
)
from app.domain.jobs import JobRecord
from app.domain.post_result import PostResult
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobHandler, JobKindRegistry
from app.services.ratings.jobs import RATINGS_SYNC
from app.services.repository_ports import HookRepositoryPort, JobRepositoryPort

logger = logging.getLogger(__name__)


class Poster(Protocol):
    """POSTs ``body`` as JSON to ``url`` (``app.adapters.http_out.post_json``, handed in by
    ``app.bootstrap``), signed with ``signing_secret`` when one is given; every outcome is a
    :class:`PostResult`, no exception escapes."""

    def __call__(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        timeout_s: float,
        signing_secret: str | None = None,
    ) -> PostResult: ...


PendingConflicts = Callable[[int], int]
# The Standard Webhooks signing secret (``whsec_…``) of an outgoing webhook, by its id.
SigningSecret = Callable[[int], str]


class JobObserver(Protocol):
    """What hears of jobs starting and ending (never blocking the job)."""

    def job_started(self, job_id: int) -> None: ...

    def job_ended(self, job_id: int) -> None: ...


class OutgoingHooks:
    """Create, change, remove and test outgoing webhooks."""

    def __init__(
        self,
        repository: HookRepositoryPort,
        *,
        post: Poster,
        timeout_s: float = 5.0,
        now: Callable[[], datetime] = utc_now,
        signing_secret: SigningSecret | None = None,
    ) -> None:
        self._repository = repository
        self._post = post
        self._timeout_s = timeout_s
        self._now = now
        self._signing_secret = signing_secret

    def signing_secret(self, hook_id: int) -> str | None:
        """The ``whsec_…`` secret a receiver verifies this webhook's requests with (None when
        requests go unsigned)."""
        self._repository.outgoing(hook_id)  # NotFound for an unknown id
        return self._signing_secret(hook_id) if self._signing_secret is not None else None

    def hooks(self) -> list[OutgoingRecord]:
        return self._repository.outgoing_hooks()

    def get(self, hook_id: int) -> OutgoingRecord:
        return self._repository.outgoing(hook_id)

    def create(
        self, *, name: str, url: str, events: Sequence[str], enabled: bool = True
    ) -> OutgoingRecord:
        name = name.strip()
        if not name:
            raise InvalidInput("an outgoing webhook needs a name")
        return self._repository.add_outgoing(
            name=name, url=check_outgoing_url(url), events=check_events(events), enabled=enabled
        )

    def update(
        self,
        hook_id: int,
        *,
        name: str | None = None,
        url: str | None = None,
        events: Sequence[str] | None = None,
        enabled: bool | None = None,
    ) -> OutgoingRecord:
        changes: dict[str, Any] = {}
        if name is not None:
            if not name.strip():
                raise InvalidInput("an outgoing webhook needs a name")
            changes["name"] = name.strip()
        if url is not None:
            changes["url"] = check_outgoing_url(url)
        if events is not None:
            changes["events"] = check_events(events)
        if enabled is not None:
            changes["enabled"] = enabled
        return self._repository.update_outgoing(hook_id, **changes)

    def delete(self, hook_id: int) -> None:
        self._repository.delete_outgoing(hook_id)

    def send_test(self, hook_id: int) -> PostResult:
        """POST a ``test`` event now and remember how it went."""
        hook = self._repository.outgoing(hook_id)
        if not hook.url:
            return PostResult(None, hook.last_error or "this webhook has no URL")
        result = self._post(
            hook.url,
            ping_payload(name=hook.name, sent_at=self._now()),
            timeout_s=5.0,
            signing_secret=self.signing_secret(hook.id),
        )
        self._repository.record_outgoing_result(
            hook.id, status=result.status, error=result.error, at=self._now()
        )
        return result


@dataclasses.dataclass(frozen=True, slots=True)
class _Started:
    job_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Ended:
    job_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Event:
    event: str
    body: dict[str, Any]


_Item = _Started | _Ended | _Event | None


class HookNotifier:
    """The queue and thread that send job and conflict events to outgoing webhooks."""

    def __init__(
        self,
        repository: HookRepositoryPort,
        jobs: JobRepositoryPort,
        pending_conflicts: PendingConflicts,
        *,
        post: Poster,
        timeout_s: float = 5.0,
        settle_timeout_s: float = 30.0,
        now: Callable[[], datetime] = utc_now,
        signing_secret: SigningSecret | None = None,
    ) -> None:
        self._signing_secret = signing_secret
        self._repository = repository
        self._jobs = jobs
        self._pending_conflicts = pending_conflicts
        self._post = post
        self._timeout_s = timeout_s
        self._settle_timeout_s = settle_timeout_s
        self._now = now
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- what jobs report (never blocks) --------------------------------------------------

    def job_started(self, job_id: int) -> None:
        self._put(_Started(job_id))

    def job_ended(self, job_id: int) -> None:
        self._put(_Ended(job_id))

    def notify(self, event: str, body: Mapping[str, Any]) -> None:
        self._put(_Event(event, dict(body)))

    def _put(self, item: _Item) -> None:
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="crossfade-webhooks-out", daemon=True
                )
                self._thread.start()
        self._queue.put(item)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """True once everything queued so far has been handled (for tests and shutdown)."""
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout_s: float = 10.0) -> None:
        """Send what is queued (for at most ``timeout_s``), then stop."""
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)
            if thread.is_alive():
                logger.warning("outgoing webhooks still sending after %ss; left behind", timeout_s)

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._handle(item)
            except Exception:
                logger.exception("outgoing webhooks: could not handle %s", item)
            finally:
                self._queue.task_done()

    def _handle(self, item: _Started | _Ended | _Event) -> None:
        if isinstance(item, _Event):
            self._send(item.event, item.body)
        elif isinstance(item, _Started):
            if self._wanted("job_started"):
                job = self._job(item.job_id)
                if job is not None:
                    self._send("job_started", job_payload("job_started", job, sent_at=self._now()))
        elif self._wanted("job_finished", "job_failed", "conflicts_pending"):
            self._job_ended(item.job_id)

    def _wanted(self, *events: str) -> bool:
        return any(self._repository.outgoing_hooks(event=event) for event in events)

    def _job(self, job_id: int) -> JobRecord | None:
        try:
            return self._jobs.get(job_id)
        except NotFound:
            return None

    def _settled(self, job_id: int) -> JobRecord | None:
        """The job once its row says it ended (the executor stores that just after the
        handler returns), or None if it vanished or took longer than ``settle_timeout_s``."""
        deadline = time.monotonic() + self._settle_timeout_s
        while True:
            job = self._job(job_id)
            if job is None or job.status.is_finished:
                return job
            if time.monotonic() > deadline:
                logger.warning("job %s did not settle; no end event sent", job_id)
                return None
            time.sleep(0.02)

    def _job_ended(self, job_id: int) -> None:
        job = self._settled(job_id)
        if job is None:
            return
        event = ended_event(job.status)
        if event is not None:
            self._send(event, job_payload(event, job, sent_at=self._now()))
        if (
            job.kind == RATINGS_SYNC
            and not job.dry_run
            and job.link_id is not None
            and job.counters.get("conflicts", 0) > 0
        ):
            pending = self._pending_conflicts(job.link_id)
            if pending > 0:
                body = conflicts_payload(
                    link_id=job.link_id, pending=pending, job_id=job.id, sent_at=self._now()
                )
                self._send("conflicts_pending", body)

    def _send(self, event: str, body: Mapping[str, Any]) -> None:
        for hook in self._repository.outgoing_hooks(event=event):
            if not hook.url:
                logger.warning("outgoing webhook %r skipped: %s", hook.name, hook.last_error)
                continue
            secret = self._signing_secret(hook.id) if self._signing_secret is not None else None
            result = self._post(hook.url, body, timeout_s=self._timeout_s, signing_secret=secret)
            if not result.ok:
                logger.warning(
                    "outgoing webhook %r (%s) %s: %s",
                    hook.name,
                    describe_url(hook.url),
                    event,
                    result.error,
                )
            try:
                self._repository.record_outgoing_result(
                    hook.id, status=result.status, error=result.error, at=self._now()
                )
            except CrossfadeError as exc:
                logger.warning("outgoing webhook %r: result not stored: %s", hook.name, exc)


def observed_kinds(registry: JobKindRegistry, *observers: JobObserver) -> JobKindRegistry:
    """The same kinds, each handler telling ``observers`` when its job starts and ends."""
    observed = JobKindRegistry()
    for kind in registry:
        observed.register(dataclasses.replace(kind, handler=_observed(kind.handler, observers)))
    return observed


def _observed(handler: JobHandler, observers: Sequence[JobObserver]) -> JobHandler:
    def run(context: JobContext) -> None:
        for observer in observers:
            observer.job_started(context.job_id)
        try:
            handler(context)
        finally:
            for observer in observers:
                observer.job_ended(context.job_id)

    return run
