"""Request and response bodies of the webhook routes (in: ``/hooks``; managing: ``/webhooks``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.hook_records import DeliveryRecord, EndpointRecord, OutgoingRecord
from app.domain.hooks import MAX_ID, describe_url, hook_url
from app.services.hooks.endpoints import HookOutcome

Source = Literal["plex", "radarr", "sonarr", "generic"]
Outcome = Literal["queued", "started", "ignored"]  # the API's view of services.hooks Outcome
OutgoingEvent = Literal["job_started", "job_finished", "job_failed", "conflicts_pending"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class HookResult(BaseModel):
    """What a webhook call did: ``queued`` runs of ``link_ids`` (they start within
    ``delay_s``), ``started`` jobs, or ``ignored`` (``detail`` says why)."""

    outcome: Outcome
    detail: str
    link_ids: list[int]
    job_ids: list[int]
    delay_s: float | None

    @classmethod
    def of(cls, outcome: HookOutcome) -> HookResult:
        return cls(
            outcome=outcome.outcome,
            detail=outcome.detail,
            link_ids=list(outcome.link_ids),
            job_ids=list(outcome.job_ids),
            delay_s=outcome.delay_s,
        )


class GenericHookBody(BaseModel):
    """The body of ``POST /hooks/generic/{secret}`` (documentation; parsed by the service)."""

    link: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="default: the endpoint's links"
    )
    mode: Literal["sync", "import", "export"] | None = None
    dry_run: bool = False


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Plex ratings"])
    source: Source
    link_ids: list[Id] = Field(
        default_factory=list,
        max_length=100,
        description="links it may start; empty: every link that fits the event",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"on_library_new": True}],
        description="plex: on_library_new (bool); radarr/sonarr: path_mappings "
        '(["ARR_PREFIX=LOCAL_PREFIX"]); generic: none',
    )
    enabled: bool = True


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    link_ids: list[Id] | None = Field(default=None, max_length=100)
    options: dict[str, Any] | None = None
    enabled: bool | None = None


class EndpointOut(BaseModel):
    id: int
    name: str
    source: str
    link_ids: list[int]
    options: dict[str, Any]
    enabled: bool
    url_template: str = Field(description="the URL with its secret left out")
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: EndpointRecord, base_url: str) -> EndpointOut:
        return cls(
            id=endpoint.id,
            name=endpoint.name,
            source=endpoint.source,
            link_ids=list(endpoint.link_ids),
            options=endpoint.options,
            enabled=endpoint.enabled,
            url_template=hook_url(base_url, endpoint.source, "{secret}"),
            last_used_at=endpoint.last_used_at,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class EndpointCreated(EndpointOut):
    """The only answer that holds the secret: keep the URL, it is not shown again."""

    secret: str
    url: str


class EndpointPage(BaseModel):
    items: list[EndpointOut]
    total: int


class DeliveryOut(BaseModel):
    id: int
    received_at: datetime
    event: str
    outcome: str
    detail: str
    link_ids: list[int]
    job_ids: list[int]

    @classmethod
    def of(cls, delivery: DeliveryRecord) -> DeliveryOut:
        return cls(
            id=delivery.id,
            received_at=delivery.received_at,
            event=delivery.event,
            outcome=delivery.outcome,
            detail=delivery.detail,
            link_ids=list(delivery.link_ids),
            job_ids=list(delivery.job_ids),
        )


class DeliveryPage(BaseModel):
    endpoint_id: int
    items: list[DeliveryOut]


class OutgoingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Home Assistant"])
    url: str = Field(
        min_length=8, max_length=2000, examples=["http://homeassistant.local:8123/api/webhook/x"]
    )
    events: list[OutgoingEvent] = Field(min_length=1, max_length=4)
    enabled: bool = True


class OutgoingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, min_length=8, max_length=2000)
    events: list[OutgoingEvent] | None = Field(default=None, min_length=1, max_length=4)
    enabled: bool | None = None


class OutgoingOut(BaseModel):
    id: int
    name: str
    url: str = Field(description="scheme, host and port only: the rest may be a secret")
    events: list[str]
    enabled: bool
    last_sent_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, hook: OutgoingRecord) -> OutgoingOut:
        return cls(
            id=hook.id,
            name=hook.name,
            url=describe_url(hook.url),
            events=list(hook.events),
            enabled=hook.enabled,
            last_sent_at=hook.last_sent_at,
            last_status=hook.last_status,
            last_error=hook.last_error,
            created_at=hook.created_at,
            updated_at=hook.updated_at,
        )


class OutgoingPage(BaseModel):
    items: list[OutgoingOut]
    total: int


class OutgoingTestResult(BaseModel):
    ok: bool
    status: int | None
    error: str | None
