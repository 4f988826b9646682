"""Tables of webhooks: WebhookEndpoint (in), WebhookDelivery (what came in), OutgoingWebhook.

An endpoint's secret is stored only as its SHA-256 digest (``secret_digest``): the
ready-to-paste URL is shown once, when the endpoint is created or its secret rotated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.adapters.db.models import _created
from app.adapters.db.types import UtcDateTime

__all__ = ["OutgoingWebhook", "WebhookDelivery", "WebhookEndpoint"]


class WebhookEndpoint(SQLModel, table=True):
    """A secret URL that Plex, Radarr, Sonarr or a script calls to start runs of links.

    ``link_ids`` limits which links it may start (empty: every link that fits the event);
    ``options`` holds source-specific switches (see ``app.services.hooks.incoming``).
    """

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    source: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    secret_digest: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    link_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON(), nullable=False))
    enabled: bool = Field(default=True, sa_column=Column(Boolean(), nullable=False))
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    created_at: datetime = _created()
    updated_at: datetime = _created()


class WebhookDelivery(SQLModel, table=True):
    """One call an endpoint received and what came of it (the newest few are kept)."""

    __tablename__ = "webhook_delivery"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    endpoint_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    received_at: datetime = _created()
    event: str = Field(sa_column=Column(String(64), nullable=False))
    outcome: str = Field(sa_column=Column(String(16), nullable=False))
    detail: str = Field(sa_column=Column(Text(), nullable=False))
    link_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))
    job_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))


class OutgoingWebhook(SQLModel, table=True):
    """A URL that hears about jobs (started, finished, failed) and pending conflicts.

    ``url`` may carry a secret (a Home Assistant webhook id, an ntfy topic): it is stored
    sealed (``enc:v1:…``, see ``app.adapters.secret_box``), never logged, and the API shows
    only its scheme, host and port.
    """

    __tablename__ = "outgoing_webhook"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    url: str = Field(sa_column=Column(Text(), nullable=False))
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))
    enabled: bool = Field(default=True, sa_column=Column(Boolean(), nullable=False))
    last_sent_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    last_status: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    created_at: datetime = _created()
    updated_at: datetime = _created()
