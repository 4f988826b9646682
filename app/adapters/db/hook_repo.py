"""Repository of webhook endpoints (in), their deliveries, and outgoing webhooks; frozen
records out.

Endpoint records never carry the secret's digest; :meth:`HookRepository.digests` hands the
digests of one source to the service that compares them in constant time. An outgoing
webhook's URL (which may hold a secret) is stored sealed by the installation's
:class:`~app.adapters.secret_box.SecretBox`; one that cannot be opened (the secret key changed)
comes back as an empty URL with the reason in ``last_error``, so listings keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.hook_models import OutgoingWebhook, WebhookDelivery, WebhookEndpoint
from app.adapters.db.models import utc_now
from app.adapters.log_redaction import remember_url
from app.adapters.secret_box import SecretCipher, SecretUnreadable, process_box
from app.domain.errors import InvalidInput, NotFound, StateConflict
from app.domain.hook_records import DeliveryRecord, EndpointRecord, OutgoingRecord

DELIVERIES_KEPT = 50


def _endpoint(row: WebhookEndpoint) -> EndpointRecord:
    assert row.id is not None
    return EndpointRecord(
        id=row.id,
        name=row.name,
        source=row.source,
        link_ids=tuple(int(link_id) for link_id in row.link_ids),
        options=dict(row.options),
        enabled=row.enabled,
        last_used_at=row.last_used_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _delivery(row: WebhookDelivery) -> DeliveryRecord:
    assert row.id is not None
    return DeliveryRecord(
        id=row.id,
        endpoint_id=row.endpoint_id,
        received_at=row.received_at,
        event=row.event,
        outcome=row.outcome,
        detail=row.detail,
        link_ids=tuple(row.link_ids),
        job_ids=tuple(row.job_ids),
    )


class HookRepository:
    """``secret_box`` seals outgoing URLs at rest: the installation's box (see
    ``app.bootstrap``); without one, a box whose key lives only as long as this process."""

    def __init__(
        self, session_factory: SessionFactory, secret_box: SecretCipher | None = None
    ) -> None:
        self._sessions = session_factory
        self._box = secret_box or process_box()

    def _seal_url(self, url: str) -> str:
        remember_url(url)
        return self._box.seal(url)

    def _outgoing(self, row: OutgoingWebhook) -> OutgoingRecord:
        assert row.id is not None
        last_error = row.last_error
        try:
            url = self._box.open(row.url, what=f"the URL of outgoing webhook {row.name!r}")
        except SecretUnreadable as exc:
            url, last_error = "", str(exc)
        remember_url(url)  # never in a log line
        return OutgoingRecord(
            id=row.id,
            name=row.name,
            url=url,
            events=tuple(row.events),
            enabled=row.enabled,
            last_sent_at=row.last_sent_at,
            last_status=row.last_status,
            last_error=last_error,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    # -- endpoints ------------------------------------------------------------------------

    def endpoints(self, *, source: str | None = None) -> list[EndpointRecord]:
        query = select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))
        if source is not None:
            query = query.where(col(WebhookEndpoint.source) == source)
        with self._sessions() as session:
            return [_endpoint(row) for row in session.scalars(query)]

    def endpoint(self, endpoint_id: int) -> EndpointRecord:
        with self._sessions() as session:
            row = session.get(WebhookEndpoint, endpoint_id)
            if row is None:
                raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
            return _endpoint(row)

    def digests(self, source: str) -> list[tuple[int, str]]:
        """``(endpoint id, secret digest)`` of every enabled endpoint of ``source``."""
        query = select(col(WebhookEndpoint.id), col(WebhookEndpoint.secret_digest)).where(
            col(WebhookEndpoint.source) == source, col(WebhookEndpoint.enabled).is_(True)
        )
        with self._sessions() as session:
            return [
                (endpoint_id, digest)
                for endpoint_id, digest in session.execute(query)
                if endpoint_id is not None
            ]

    def add_endpoint(
        self,
        *,
        name: str,
        source: str,
        secret_digest: str,
        link_ids: Sequence[int],
        options: dict[str, Any],
        enabled: bool = True,
    ) -> EndpointRecord:
        now = utc_now()
        with self._sessions() as session:
            row = WebhookEndpoint(
                name=name,
                source=source,
                secret_digest=secret_digest,
                link_ids=list(link_ids),
                options=options,
                enabled=enabled,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StateConflict(f"a webhook endpoint named {name!r} exists already") from None
            return _endpoint(row)

    def update_endpoint(self, endpoint_id: int, **changes: Any) -> EndpointRecord:
        allowed = {"name", "link_ids", "options", "enabled", "secret_digest"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of an endpoint")
        with self._sessions() as session:
            row = session.get(WebhookEndpoint, endpoint_id)
            if row is None:
                raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
            for name, value in changes.items():
                setattr(row, name, list(value) if name == "link_ids" else value)
            row.updated_at = utc_now()
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StateConflict("another webhook endpoint has that name") from None
            return _endpoint(row)

    def delete_endpoint(self, endpoint_id: int) -> None:
        with self._sessions() as session:
            row = session.get(WebhookEndpoint, endpoint_id)
            if row is None:
                raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
            session.execute(
                delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint_id)
            )
            session.delete(row)
            session.commit()

    # -- deliveries -----------------------------------------------------------------------

    def add_delivery(
        self,
        endpoint_id: int,
        *,
        event: str,
        outcome: str,
        detail: str,
        link_ids: Sequence[int] = (),
        job_ids: Sequence[int] = (),
        keep: int = DELIVERIES_KEPT,
    ) -> DeliveryRecord:
        """Record a call (and mark the endpoint used); only the newest ``keep`` are kept."""
        now = utc_now()
        with self._sessions() as session:
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None:
                raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
            endpoint.last_used_at = now
            row = WebhookDelivery(
                endpoint_id=endpoint_id,
                received_at=now,
                event=event[:64],
                outcome=outcome,
                detail=detail,
                link_ids=list(link_ids),
                job_ids=list(job_ids),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            cutoff = session.scalar(
                select(col(WebhookDelivery.id))
                .where(col(WebhookDelivery.endpoint_id) == endpoint_id)
                .order_by(col(WebhookDelivery.id).desc())
                .offset(keep)
                .limit(1)
            )
            if cutoff is not None:
                session.execute(
                    delete(WebhookDelivery).where(
                        col(WebhookDelivery.endpoint_id) == endpoint_id,
                        col(WebhookDelivery.id) <= cutoff,
                    )
                )
            session.commit()
            return _delivery(row)

    def deliveries(self, endpoint_id: int, *, limit: int = 20) -> list[DeliveryRecord]:
        query = (
            select(WebhookDelivery)
            .where(col(WebhookDelivery.endpoint_id) == endpoint_id)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return [_delivery(row) for row in session.scalars(query)]

    # -- outgoing -------------------------------------------------------------------------

    def outgoing_hooks(self, *, event: str | None = None) -> list[OutgoingRecord]:
        """All outgoing webhooks; with ``event``, only the enabled ones that want it."""
        query = select(OutgoingWebhook).order_by(col(OutgoingWebhook.id))
        if event is not None:
            query = query.where(col(OutgoingWebhook.enabled).is_(True))
        with self._sessions() as session:
            records = [self._outgoing(row) for row in session.scalars(query)]
        if event is None:
            return records
        return [record for record in records if event in record.events]

    def outgoing(self, hook_id: int) -> OutgoingRecord:
        with self._sessions() as session:
            row = session.get(OutgoingWebhook, hook_id)
            if row is None:
                raise NotFound(f"outgoing webhook {hook_id} does not exist")
            return self._outgoing(row)

    def add_outgoing(
        self, *, name: str, url: str, events: Sequence[str], enabled: bool = True
    ) -> OutgoingRecord:
        now = utc_now()
        with self._sessions() as session:
            row = OutgoingWebhook(
                name=name,
                url=self._seal_url(url),
                events=list(events),
                enabled=enabled,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StateConflict(f"an outgoing webhook named {name!r} exists already") from None
            return self._outgoing(row)

    def update_outgoing(self, hook_id: int, **changes: Any) -> OutgoingRecord:
        allowed = {"name", "url", "events", "enabled"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of a webhook")
        with self._sessions() as session:
            row = session.get(OutgoingWebhook, hook_id)
            if row is None:
                raise NotFound(f"outgoing webhook {hook_id} does not exist")
            for name, value in changes.items():
                if name == "events":
                    value = list(value)
                elif name == "url":
                    value = self._seal_url(value)
                setattr(row, name, value)
            row.updated_at = utc_now()
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StateConflict("another outgoing webhook has that name") from None
            return self._outgoing(row)

    def record_outgoing_result(
        self, hook_id: int, *, status: int | None, error: str | None, at: datetime
    ) -> None:
        """Remember the last delivery; a hook deleted meanwhile is no error."""
        with self._sessions() as session:
            row = session.get(OutgoingWebhook, hook_id)
            if row is None:
                return
            row.last_sent_at = at
            row.last_status = status
            row.last_error = error
            session.commit()

    def delete_outgoing(self, hook_id: int) -> None:
        with self._sessions() as session:
            row = session.get(OutgoingWebhook, hook_id)
            if row is None:
                raise NotFound(f"outgoing webhook {hook_id} does not exist")
            session.delete(row)
            session.commit()
