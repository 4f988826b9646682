"""Webhooks in and out, as values: parsing what Plex, Radarr, Sonarr and scripts send, secret
digests, the events we send out, and URLs safe to log.

Pure: text and dicts in, frozen values out. Malformed input raises :class:`InvalidInput` with a
message that never repeats the secret or the whole payload.

Inbound shapes:

- Plex (docs/PLEX.md §7.1): multipart form, field ``payload`` holding JSON with ``event``,
  ``Server.uuid``, ``Account.id``, ``Metadata.librarySectionID``/``ratingKey`` and, for
  ``media.rate``, a top-level ``rating`` that may be a string ("8") or a number.
- Radarr: JSON ``eventType`` (``Download`` on import and upgrade, ``Rename``, ``Test``, ...),
  ``movie.folderPath``, ``movieFile.path``, ``isUpgrade``.
- Sonarr: JSON ``eventType``, ``series.path``, ``episodeFile.path``, ``isUpgrade``.
- generic: JSON ``{"link": id, "mode": "sync", "dry_run": false}`` (every key optional).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from app.domain.errors import InvalidInput
from app.domain.jobs import JobRecord, JobStatus
from app.domain.paths import is_windows_path, strip_prefix

HOOK_SOURCES = ("plex", "radarr", "sonarr", "generic")
OUTGOING_EVENTS = ("job_started", "job_finished", "job_failed", "conflicts_pending")

PLEX_RATE = "media.rate"
PLEX_LIBRARY_NEW = "library.new"

# Radarr/Sonarr events that change a movie folder: import and upgrade are "Download".
ARR_MIRROR_EVENTS = frozenset({"Download", "Rename"})
ARR_TEST_EVENT = "Test"

MAX_PAYLOAD_CHARS = 1_000_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
HOOKS_PATH = "/api/v1/hooks"


def hook_url(base_url: str, source: str, secret: str) -> str:
    """The ready-to-paste URL of an endpoint: ``{base}/api/v1/hooks/{source}/{secret}``."""
    return f"{base_url.rstrip('/')}{HOOKS_PATH}/{source}/{secret}"


# -- secrets ------------------------------------------------------------------------------


def secret_digest(secret: str) -> str:
    """The SHA-256 hex digest stored instead of an endpoint's secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def digest_matches(secret: str, stored_digest: str) -> bool:
    """Constant-time comparison of a presented secret against a stored digest."""
    return hmac.compare_digest(secret_digest(secret), stored_digest)


# -- JSON helpers -------------------------------------------------------------------------


def parse_json_object(text: str | bytes, *, what: str) -> dict[str, Any]:
    """``text`` as a JSON object, or :class:`InvalidInput` naming ``what`` (never the text)."""
    if len(text) > MAX_PAYLOAD_CHARS:
        raise InvalidInput(f"{what} is larger than {MAX_PAYLOAD_CHARS} characters")
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{what} is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} is not a JSON object")
    return value


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _key(value: object) -> str | None:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


# -- Plex ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlexHook:
    """What a Plex webhook says; ``rating`` is Plex's 0..10 scale, ``None`` when cleared."""

    event: str
    server_uuid: str | None
    account_id: int | None
    section_id: int | None
    section_type: str | None
    rating_key: str | None
    item_type: str | None
    title: str | None
    rating: float | None

    @property
    def is_rate(self) -> bool:
        return self.event == PLEX_RATE

    @property
    def is_library_new(self) -> bool:
        return self.event == PLEX_LIBRARY_NEW

    def label(self) -> str:
        what = self.title or (f"item {self.rating_key}" if self.rating_key else "no item")
        where = f"section {self.section_id}" if self.section_id is not None else "no section"
        return f"{self.event}: {what} ({where})"


def parse_plex_rating(value: object) -> float | None:
    """Plex's top-level ``rating``: ``"8"``, ``8``, ``8.0``; ``"-1"``, ``""`` or absent: None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    if number != number or number <= 0 or number > 10:  # NaN, cleared, or out of range
        return None
    return number


def parse_plex_payload(text: str | bytes) -> PlexHook:
    """The JSON of Plex's multipart ``payload`` field."""
    data = parse_json_object(text, what="the Plex payload")
    event = _text(data.get("event"))
    if event is None:
        raise InvalidInput("the Plex payload has no event")
    metadata = _object(data, "Metadata")
    rating = data.get("rating")
    if rating is None:
        rating = metadata.get("userRating")
    return PlexHook(
        event=event,
        server_uuid=_text(_object(data, "Server").get("uuid")),
        account_id=_int(_object(data, "Account").get("id")),
        section_id=_int(metadata.get("librarySectionID")),
        section_type=_text(metadata.get("librarySectionType")),
        rating_key=_key(metadata.get("ratingKey")),
        item_type=_text(metadata.get("type")),
        title=_text(metadata.get("title")),
        rating=parse_plex_rating(rating) if event == PLEX_RATE else None,
    )


# -- Radarr and Sonarr --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArrHook:
    """A Radarr or Sonarr event: which folder it touched, as that application sees it."""

    source: str
    event_type: str
    folder_path: str | None
    file_path: str | None
    title: str | None
    is_upgrade: bool

    @property
    def is_test(self) -> bool:
        return self.event_type == ARR_TEST_EVENT

    @property
    def changes_folder(self) -> bool:
        """Import, upgrade or rename: the folder's files changed."""
        return self.event_type in ARR_MIRROR_EVENTS

    def label(self) -> str:
        what = self.title or self.folder_path or "no item"
        upgrade = " (upgrade)" if self.is_upgrade else ""
        return f"{self.source} {self.event_type}{upgrade}: {what}"


def _parent(path: str) -> str | None:
    if is_windows_path(path):
        head, sep, _ = path.replace("/", "\\").rstrip("\\").rpartition("\\")
        return head if sep and head else None
    head = posixpath.dirname(path.rstrip("/"))
    return head or None


def parse_arr_payload(source: str, data: Mapping[str, Any]) -> ArrHook:
    """A Radarr (``movie``, ``movieFile``) or Sonarr (``series``, ``episodeFile``) payload."""
    if source not in ("radarr", "sonarr"):
        raise InvalidInput(f"{source!r} is neither radarr nor sonarr")
    event_type = _text(data.get("eventType"))
    if event_type is None:
        raise InvalidInput(f"the {source} payload has no eventType")
    item_key, file_key, folder_key = (
        ("movie", "movieFile", "folderPath")
        if source == "radarr"
        else ("series", "episodeFile", "path")
    )
    item = _object(data, item_key)
    file_path = _text(_object(data, file_key).get("path"))
    folder = _text(item.get(folder_key))
    if folder is None and file_path is not None and source == "radarr":
        folder = _parent(file_path)
    return ArrHook(
        source=source,
        event_type=event_type,
        folder_path=folder,
        file_path=file_path,
        title=_text(item.get("title")),
        is_upgrade=data.get("isUpgrade") is True,
    )


def folder_within(folder: str, root: str) -> bool:
    """``folder`` is ``root`` or below it (whole components; Windows paths case-insensitive)."""
    return strip_prefix(folder, root) is not None


# -- generic ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GenericHook:
    """``link`` None: every link of the endpoint."""

    link_id: int | None
    mode: str | None
    dry_run: bool


def parse_generic_payload(data: Mapping[str, Any]) -> GenericHook:
    unknown = set(data) - {"link", "mode", "dry_run"}
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(sorted(unknown))}")
    link = data.get("link")
    if link is not None and (
        isinstance(link, bool) or not isinstance(link, int) or not 1 <= link <= MAX_ID
    ):
        raise InvalidInput("link must be a link id (a positive integer)")
    mode = data.get("mode")
    if mode is not None and not isinstance(mode, str):
        raise InvalidInput("mode must be text such as sync, import or export")
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise InvalidInput("dry_run must be true or false")
    return GenericHook(link_id=link, mode=mode, dry_run=dry_run)


# -- outgoing -----------------------------------------------------------------------------


def ended_event(status: JobStatus) -> str | None:
    """The outgoing event for a job that ended with ``status`` (None while it is active)."""
    if status in (JobStatus.SUCCEEDED, JobStatus.CANCELLED):
        return "job_finished"
    if status in (JobStatus.FAILED, JobStatus.INTERRUPTED):
        return "job_failed"
    return None


def check_events(events: Sequence[str]) -> list[str]:
    """Known outgoing event names, de-duplicated in the canonical order."""
    unknown = sorted(set(events) - set(OUTGOING_EVENTS))
    if unknown:
        names = ", ".join(OUTGOING_EVENTS)
        raise InvalidInput(f"unknown events {', '.join(unknown)}; use {names}")
    if not events:
        raise InvalidInput("choose at least one event")
    return [event for event in OUTGOING_EVENTS if event in events]


def check_outgoing_url(url: str) -> str:
    """An absolute http(s) URL with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("the URL must start with http:// or https:// and name a host")
    if len(url) > 2000:
        raise InvalidInput("the URL is longer than 2000 characters")
    return url


def describe_url(url: str) -> str:
    """``https://ha.local:8123/api/webhook/SECRET`` -> ``https://ha.local:8123/…``.

    Paths and queries of webhook URLs often are secrets (Home Assistant webhook ids, ntfy
    topics), and user info always is: logs and API answers show only scheme, host and port.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unparseable URL)"
    if ":" in host:
        host = f"[{host}]"
    rest = "/…" if (parts.path not in ("", "/") or parts.query) else "/"
    return f"{parts.scheme or '?'}://{host}{port}{rest}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def job_payload(event: str, job: JobRecord, *, sent_at: datetime) -> dict[str, Any]:
    """The JSON we POST for ``job_started``, ``job_finished`` and ``job_failed``: short scalars
    at the top (easy in a Home Assistant template), counters below."""
    if event == "job_started":
        # sent after the fact, the job may have moved on: report it as it started
        job = replace(job, status=JobStatus.RUNNING, finished_at=None, error=None, counters={})
    link = f" of link {job.link_id}" if job.link_id is not None else ""
    dry = " (dry run)" if job.dry_run else ""
    verb = "started" if event == "job_started" else job.status.value
    if event != "job_started" and job.problems:
        verb += f" with {job.problems} problem{'' if job.problems == 1 else 's'}"
    return {
        "event": event,
        "sent_at": sent_at.isoformat(),
        "message": f"{job.kind}{link}{dry} {verb}" + (f": {job.error}" if job.error else ""),
        "job_id": job.id,
        "kind": job.kind,
        "link_id": job.link_id,
        "status": job.status.value,
        "dry_run": job.dry_run,
        "trigger": job.trigger.value,
        "error": job.error,
        "problems": 0 if event == "job_started" else job.problems,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "counters": dict(job.counters),
    }


def conflicts_payload(
    *, link_id: int, pending: int, job_id: int | None, sent_at: datetime
) -> dict[str, Any]:
    """``conflicts_pending``: a run left ``pending`` conflicts of the link open."""
    plural = "s" if pending != 1 else ""
    return {
        "event": "conflicts_pending",
        "sent_at": sent_at.isoformat(),
        "message": f"{pending} rating conflict{plural} of link {link_id} "
        f"{'wait' if plural else 'waits'} for a decision",
        "link_id": link_id,
        "pending": pending,
        "job_id": job_id,
    }


def ping_payload(*, name: str, sent_at: datetime) -> dict[str, Any]:
    return {
        "event": "test",
        "sent_at": sent_at.isoformat(),
        "message": f"test of the outgoing webhook {name!r} from Crossfade",
    }
