"""The records of incoming webhook endpoints, their deliveries and outgoing webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    id: int
    name: str
    source: str
    link_ids: tuple[int, ...]
    options: dict[str, Any]
    enabled: bool
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: int
    endpoint_id: int
    received_at: datetime
    event: str
    outcome: str
    detail: str
    link_ids: tuple[int, ...]
    job_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    """``url`` may hold a secret: show it through ``app.domain.hooks.describe_url``."""

    id: int
    name: str
    url: str
    events: tuple[str, ...]
    enabled: bool
    last_sent_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
