"""The repositories of the platform services: jobs, hooks, auth and insights.

Ports like those of :mod:`app.services.ports` (which holds the job reporter, the sides and the
feature repositories, and stays under the module size limit): each protocol has the methods the
services call; ``app.bootstrap`` hands in the concrete repository of ``app.adapters.db``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from app.domain.auth import Scope
from app.domain.auth_records import AdminRecord, SessionRecord, TokenRecord
from app.domain.hook_records import DeliveryRecord, EndpointRecord, OutgoingRecord
from app.domain.insights import DialectTally, UnmatchedEvent
from app.domain.jobs import (
    EventLevel,
    JobEventRecord,
    JobRecord,
    JobStatus,
    JobTrigger,
    NewJobEvent,
    Page,
)


class JobRepositoryPort(Protocol):
    """What the services call of ``JobRepository`` (``app.adapters.db``)."""

    def append_events(
        self, job_id: int, first_seq: int, events: Sequence[NewJobEvent], *, now: datetime
    ) -> None: ...

    def claim(self, job_id: int, *, runner_id: str, now: datetime) -> JobRecord | None: ...

    def count_by_status(self) -> dict[JobStatus, int]: ...

    def events(
        self,
        job_id: int,
        *,
        actions: Sequence[str] = (),
        levels: Sequence[EventLevel] = (),
        limit: int = 100,
        offset: int = 0,
    ) -> Page[JobEventRecord]: ...

    def fail_unclaimed(self, job_id: int, *, error: str, now: datetime) -> bool: ...

    def finish(
        self,
        job_id: int,
        *,
        runner_id: str,
        status: JobStatus,
        error: str | None,
        now: datetime,
        problems: int | None = None,
    ) -> bool: ...

    def get(self, job_id: int) -> JobRecord: ...

    def heartbeat(self, job_ids: Iterable[int], *, runner_id: str, now: datetime) -> None: ...

    def ids_with_status(self, status: JobStatus) -> list[int]: ...

    def insert(
        self,
        *,
        kind: str,
        params: dict[str, Any],
        dry_run: bool,
        trigger: JobTrigger,
        lock_key: str,
        now: datetime,
        link_id: int | None = None,
    ) -> JobRecord: ...

    def interrupt(
        self, job_id: int, *, runner_id: str | None, reason: str, now: datetime
    ) -> bool: ...

    def is_cancel_requested(self, job_id: int) -> bool: ...

    def last_event_seq(self, job_id: int) -> int: ...

    def page(
        self,
        *,
        statuses: Sequence[JobStatus] = (),
        kind: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[JobRecord]: ...

    def request_cancel(self, job_id: int, *, now: datetime) -> JobRecord: ...

    def running(self) -> list[JobRecord]: ...

    def write_progress(
        self,
        job_id: int,
        *,
        runner_id: str,
        phase: str | None,
        done: int,
        total: int | None,
        rate_per_s: float | None,
        eta_s: float | None,
        counters: dict[str, int],
        now: datetime,
        problems: int | None = None,
    ) -> None: ...


class HookRepositoryPort(Protocol):
    """What the services call of ``HookRepository`` (``app.adapters.db``)."""

    def add_delivery(
        self,
        endpoint_id: int,
        *,
        event: str,
        outcome: str,
        detail: str,
        link_ids: Sequence[int] = (),
        job_ids: Sequence[int] = (),
        keep: int = ...,
    ) -> DeliveryRecord: ...

    def add_endpoint(
        self,
        *,
        name: str,
        source: str,
        secret_digest: str,
        link_ids: Sequence[int],
        options: dict[str, Any],
        enabled: bool = True,
    ) -> EndpointRecord: ...

    def add_outgoing(
        self, *, name: str, url: str, events: Sequence[str], enabled: bool = True
    ) -> OutgoingRecord: ...

    def delete_endpoint(self, endpoint_id: int) -> None: ...

    def delete_outgoing(self, hook_id: int) -> None: ...

    def deliveries(self, endpoint_id: int, *, limit: int = 20) -> list[DeliveryRecord]: ...

    def digests(self, source: str) -> list[tuple[int, str]]: ...

    def endpoint(self, endpoint_id: int) -> EndpointRecord: ...

    def endpoints(self, *, source: str | None = None) -> list[EndpointRecord]: ...

    def outgoing(self, hook_id: int) -> OutgoingRecord: ...

    def outgoing_hooks(self, *, event: str | None = None) -> list[OutgoingRecord]: ...

    def record_outgoing_result(
        self, hook_id: int, *, status: int | None, error: str | None, at: datetime
    ) -> None: ...

    def update_endpoint(self, endpoint_id: int, **changes: Any) -> EndpointRecord: ...

    def update_outgoing(self, hook_id: int, **changes: Any) -> OutgoingRecord: ...


class AuthRepositoryPort(Protocol):
    """What the services call of ``AuthRepository`` (``app.adapters.db``)."""

    def add_admin(self, *, username: str, password_hash: str, now: datetime) -> AdminRecord: ...

    def add_session(
        self, *, user_id: int, session_hash: str, now: datetime, expires_at: datetime
    ) -> SessionRecord: ...

    def add_token(
        self, *, name: str, scopes: Sequence[Scope], token_hash: str, prefix: str, now: datetime
    ) -> TokenRecord: ...

    def admin(self, user_id: int) -> AdminRecord | None: ...

    def admin_exists(self) -> bool: ...

    def attempts_since(self, limiter_key: str, since: datetime) -> list[tuple[int, datetime]]: ...

    def clear_attempts(self, limiter_key: str) -> None: ...

    def credentials(self, username: str) -> tuple[AdminRecord, str] | None: ...

    def live_sessions(self, user_id: int, *, now: datetime) -> list[SessionRecord]: ...

    def prune_attempts(self, before: datetime) -> int: ...

    def prune_sessions(self, before: datetime) -> int: ...

    def record_login(self, user_id: int, *, now: datetime) -> None: ...

    def release_attempt(self, attempt_id: int) -> None: ...

    def reserve_attempt(self, limiter_key: str, *, at: datetime) -> int: ...

    def revoke_sessions(
        self,
        *,
        user_id: int,
        now: datetime,
        only_hash: str | None = None,
        except_hash: str | None = None,
    ) -> int: ...

    def revoke_token(self, token_id: int, *, now: datetime) -> TokenRecord: ...

    def session_by_hash(self, session_hash: str) -> SessionRecord | None: ...

    def set_password_hash(self, user_id: int, password_hash: str, *, now: datetime) -> None: ...

    def the_admin(self) -> AdminRecord | None: ...

    def token(self, token_id: int) -> TokenRecord: ...

    def token_by_hash(self, token_hash: str) -> TokenRecord | None: ...

    def tokens(self, *, include_revoked: bool = True) -> list[TokenRecord]: ...

    def touch_session(self, session_id: int, *, now: datetime) -> None: ...

    def touch_token(self, token_id: int, *, now: datetime) -> None: ...


class InsightsRepositoryPort(Protocol):
    """What the services call of ``InsightsRepository`` (``app.adapters.db``)."""

    def action_counts(self, job_id: int) -> dict[str, int]: ...

    def agreed_ratings(self) -> dict[int, dict[int | None, int]]: ...

    def dialect_tally(self, library_id: int) -> DialectTally: ...

    def iter_events(self, job_id: int, *, chunk: int = ...) -> Iterator[JobEventRecord]: ...

    def jobs_of_link(
        self, link_id: int, *, kinds: Sequence[str] = (), limit: int = 10
    ) -> list[JobRecord]: ...

    def latest_jobs(
        self,
        *,
        kinds: Sequence[str] = (),
        dry_run: bool | None = None,
        statuses: Sequence[JobStatus] = (),
        link_id: int | None = None,
    ) -> dict[int, JobRecord]: ...

    def matches_in_review(self) -> dict[int, int]: ...

    def open_conflicts(self) -> dict[int, int]: ...

    def search_events(
        self,
        job_id: int,
        *,
        text: str | None = None,
        actions: Sequence[str] = (),
        levels: Sequence[EventLevel] = (),
        limit: int = 100,
        offset: int = 0,
    ) -> Page[JobEventRecord]: ...

    def unmatched(
        self, job_ids: Sequence[int], *, text: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[UnmatchedEvent]: ...
