"""Settings of the outside integrations (MQTT for Home Assistant, Apprise notifications) and
the notification rules: which events a finished job raises and the message each one says.

Pure: the services store these values and send what these functions decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from app.domain.errors import InvalidInput
from app.domain.homeassistant import DEFAULT_BASE_TOPIC, DEFAULT_DISCOVERY_PREFIX, Topics
from app.domain.jobs import JobRecord, JobStatus

RATINGS_SYNC = "ratings_sync"
# The counters of a ratings run that count ratings it changed (written to either side).
RATING_WRITE_COUNTERS = ("written_a", "written_b")


MQTT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool

    @property
    def shown(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://host[:port]`` or ``mqtts://host[:port]``; credentials in the URL are refused
    (they have their own fields, the password stored sealed)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in MQTT_PORTS or not parts.hostname:
        raise InvalidInput(
            "the MQTT broker URL must look like mqtt://host:1883 or mqtts://host:8883"
        )
    if parts.username or parts.password:
        raise InvalidInput("put the MQTT user name and password in their own fields, not the URL")
    try:
        port = parts.port or MQTT_PORTS[parts.scheme]
    except ValueError as exc:
        raise InvalidInput(f"the MQTT broker URL has a bad port: {exc}") from None
    return BrokerAddress(host=unquote(parts.hostname), port=port, tls=parts.scheme == "mqtts")


@dataclass(frozen=True, slots=True)
class MqttConfig:
    """Off by default; ``commands_enabled`` lets Home Assistant's buttons start runs."""

    enabled: bool = False
    broker_url: str = "mqtt://localhost:1883"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    base_topic: str = DEFAULT_BASE_TOPIC
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX
    commands_enabled: bool = False
    public_url: str | None = None

    @property
    def topics(self) -> Topics:
        return Topics(base=self.base_topic, discovery_prefix=self.discovery_prefix)

    @property
    def broker(self) -> BrokerAddress:
        return parse_broker_url(self.broker_url)


class NotifyEvent(StrEnum):
    """What a notification can be about."""

    JOB_FAILED = "job_failed"
    FINISHED_WITH_PROBLEMS = "finished_with_problems"
    CONFLICTS_WAITING = "conflicts_waiting"
    MANY_RATINGS_CHANGED = "many_ratings_changed"

    @property
    def label(self) -> str:
        return NOTIFY_EVENT_LABELS[self]


NOTIFY_EVENT_LABELS = {
    NotifyEvent.JOB_FAILED: "a job failed",
    NotifyEvent.FINISHED_WITH_PROBLEMS: "a job finished with problems",
    NotifyEvent.CONFLICTS_WAITING: "rating conflicts are waiting",
    NotifyEvent.MANY_RATINGS_CHANGED: "a run changed more ratings than the threshold",
}


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """Apprise URLs per event (they carry tokens: stored sealed), the threshold of
    ``many_ratings_changed`` and the address job links in messages start with."""

    urls: Mapping[NotifyEvent, tuple[str, ...]] = field(default_factory=dict, repr=False)
    ratings_threshold: int = 100
    public_url: str | None = None

    def urls_for(self, event: NotifyEvent) -> tuple[str, ...]:
        return tuple(self.urls.get(event, ()))

    @property
    def any_urls(self) -> bool:
        return any(self.urls.values())


@dataclass(frozen=True, slots=True)
class Notification:
    event: NotifyEvent
    title: str
    body: str


def ratings_changed(job: JobRecord) -> int:
    return sum(job.counters.get(name, 0) for name in RATING_WRITE_COUNTERS)


def job_events(job: JobRecord, *, pending_conflicts: int, threshold: int) -> list[NotifyEvent]:
    """The events a finished job raises, in message order."""
    events: list[NotifyEvent] = []
    if job.status in (JobStatus.FAILED, JobStatus.INTERRUPTED):
        events.append(NotifyEvent.JOB_FAILED)
    elif job.status is JobStatus.SUCCEEDED and job.problems > 0:
        events.append(NotifyEvent.FINISHED_WITH_PROBLEMS)
    if job.kind == RATINGS_SYNC and not job.dry_run:
        if job.counters.get("conflicts", 0) > 0 and pending_conflicts > 0:
            events.append(NotifyEvent.CONFLICTS_WAITING)
        if job.status is JobStatus.SUCCEEDED and ratings_changed(job) > threshold:
            events.append(NotifyEvent.MANY_RATINGS_CHANGED)
    return events


def job_url(public_url: str | None, job_id: int) -> str:
    """The job page: absolute when Crossfade's address is known, else its path."""
    return f"{(public_url or '').rstrip('/')}/jobs/{job_id}"


def message(
    event: NotifyEvent,
    job: JobRecord,
    *,
    link_title: str | None,
    pending_conflicts: int,
    public_url: str | None,
) -> Notification:
    """The title and body of ``event`` for ``job``: the link, the counts, the job page."""
    subject = link_title or f"job {job.id} ({job.kind})"
    counts = _counts(job, pending_conflicts)
    headline = {
        NotifyEvent.JOB_FAILED: f"{subject}: the run {job.status.value}",
        NotifyEvent.FINISHED_WITH_PROBLEMS: f"{subject}: finished with {job.problems} problem(s)",
        NotifyEvent.CONFLICTS_WAITING: f"{subject}: {pending_conflicts} rating conflict(s) waiting",
        NotifyEvent.MANY_RATINGS_CHANGED: f"{subject}: {ratings_changed(job)} ratings changed",
    }[event]
    lines = [headline]
    if job.error and event is NotifyEvent.JOB_FAILED:
        lines.append(f"Error: {job.error}")
    if counts:
        lines.append(counts)
    lines.append(f"Job {job.id}: {job_url(public_url, job.id)}")
    return Notification(event=event, title=f"Crossfade: {headline}", body="\n".join(lines))


def _counts(job: JobRecord, pending_conflicts: int) -> str:
    shown = [f"{name.replace('_', ' ')} {value}" for name, value in sorted(job.counters.items())]
    if job.problems:
        shown.append(f"problems {job.problems}")
    if pending_conflicts:
        shown.append(f"conflicts pending {pending_conflicts}")
    return ", ".join(shown)


def trial_notification(public_url: str | None) -> Notification:
    """What "send test" sends."""
    place = public_url or "this Crossfade"
    return Notification(
        event=NotifyEvent.JOB_FAILED,
        title="Crossfade: test notification",
        body=f"Notifications from {place} reach you here.",
    )


def check_apprise_urls(urls: Sequence[str]) -> tuple[str, ...]:
    """Trimmed, without blanks and repeats; a URL must name its service (``scheme://``)."""
    kept: list[str] = []
    for url in urls:
        url = url.strip()
        if not url or url in kept:
            continue
        if "://" not in url:
            raise ValueError(f"an Apprise URL looks like discord://… or ntfy://…, not {url[:12]!r}")
        kept.append(url)
    return tuple(kept)
