"""Webhooks in: endpoints with secret URLs, and what a call to one starts.

- ``plex``: ``media.rate`` starts a sync of the ratings links whose Plex library includes the
  event's server and section, debounced and coalesced per link (many ratings within
  ``delay_s`` become one run; a link busy running is tried again later). ``library.new`` does
  the same when the endpoint's option ``on_library_new`` is set. Other events are ignored.
- ``radarr`` / ``sonarr``: on import, upgrade (``Download``) or ``Rename``, a run of the mirror
  links whose source folder contains that movie (or series) folder, debounced the same way.
  The endpoint's ``path_mappings`` (``ARR_PREFIX=LOCAL_PREFIX``) translate the folder as
  Radarr/Sonarr see it into a local path. A link whose kind cannot run here is refused (422).
- ``generic``: ``{"link", "mode", "dry_run"}`` starts a run at once and answers its job.

An endpoint's ``link_ids`` limit what it may start (empty: every link that fits). Every call
that names a valid secret is recorded as a delivery, whatever came of it. Secrets are
compared in constant time against stored SHA-256 digests; an unknown, disabled or
wrong-source secret is :class:`NotFound` with one fixed message.

The debouncer lives in the process that receives the webhooks (the web server), in both
runner modes; with several web processes, each coalesces its own calls and the job lock
(``AlreadyRunning``) still keeps one run per link at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import InvalidInput, NotFound
from app.domain.hook_records import DeliveryRecord, EndpointRecord
from app.domain.hooks import HOOK_SOURCES, digest_matches, secret_digest
from app.services.hooks.arr_source import ArrSource
from app.services.hooks.debounce import Debouncer
from app.services.hooks.desk import HookDesk
from app.services.hooks.endpoints import (
    LINK_KINDS_BY_SOURCE,
    NOT_FOUND_MESSAGE,
    HookOutcome,
    NewEndpoint,
    new_secret,
    validate_options,
)
from app.services.hooks.generic_source import GenericSource
from app.services.hooks.identities import PlexIdentities
from app.services.hooks.plex_source import PlexSource, WriteJournal
from app.services.jobs.kinds import JobKindRegistry
from app.services.libraries.link_runs import LinkRuns
from app.services.ports import LibraryRepositoryPort
from app.services.repository_ports import HookRepositoryPort


class HookService:
    """Endpoints (create, change, rotate, delete), and each call to one: authenticated here,
    answered by its source (:class:`PlexSource`, :class:`ArrSource`, :class:`GenericSource`)."""

    def __init__(
        self,
        repository: HookRepositoryPort,
        libraries: LibraryRepositoryPort,
        link_runs: LinkRuns,
        job_kinds: JobKindRegistry,
        identities: PlexIdentities,
        *,
        delay_s: float = 5.0,
        give_up_after_s: float = 900.0,
        journal: WriteJournal | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repository = repository
        self._libraries = libraries
        self._desk = HookDesk(
            repository, libraries, link_runs, delay_s=delay_s, give_up_after_s=give_up_after_s
        )
        self._plex = PlexSource(self._desk, libraries, identities, journal=journal, now=now)
        self._arr = ArrSource(self._desk, libraries, job_kinds)
        self._generic = GenericSource(self._desk, link_runs)

    @property
    def repository(self) -> HookRepositoryPort:
        return self._repository

    @property
    def debouncer(self) -> Debouncer:
        return self._desk.debouncer

    # -- endpoints ------------------------------------------------------------------------

    def create_endpoint(
        self,
        *,
        name: str,
        source: str,
        link_ids: Sequence[int] = (),
        options: Mapping[str, Any] | None = None,
        enabled: bool = True,
    ) -> NewEndpoint:
        name = name.strip()
        if not name:
            raise InvalidInput("a webhook endpoint needs a name")
        checked_options = validate_options(source, options or {})
        checked_links = self._checked_links(source, link_ids)
        secret = new_secret()
        endpoint = self._repository.add_endpoint(
            name=name,
            source=source,
            secret_digest=secret_digest(secret),
            link_ids=checked_links,
            options=checked_options,
            enabled=enabled,
        )
        return NewEndpoint(endpoint, secret)

    def update_endpoint(
        self,
        endpoint_id: int,
        *,
        name: str | None = None,
        link_ids: Sequence[int] | None = None,
        options: Mapping[str, Any] | None = None,
        enabled: bool | None = None,
    ) -> EndpointRecord:
        current = self._repository.endpoint(endpoint_id)
        changes: dict[str, Any] = {}
        if name is not None:
            if not name.strip():
                raise InvalidInput("a webhook endpoint needs a name")
            changes["name"] = name.strip()
        if link_ids is not None:
            changes["link_ids"] = self._checked_links(current.source, link_ids)
        if options is not None:
            changes["options"] = validate_options(current.source, options)
        if enabled is not None:
            changes["enabled"] = enabled
        return self._repository.update_endpoint(endpoint_id, **changes)

    def rotate_secret(self, endpoint_id: int) -> NewEndpoint:
        """A new secret: the old URL stops working at once."""
        secret = new_secret()
        endpoint = self._repository.update_endpoint(
            endpoint_id, secret_digest=secret_digest(secret)
        )
        return NewEndpoint(endpoint, secret)

    def delete_endpoint(self, endpoint_id: int) -> None:
        self._repository.delete_endpoint(endpoint_id)

    def endpoints(self) -> list[EndpointRecord]:
        return self._repository.endpoints()

    def endpoint(self, endpoint_id: int) -> EndpointRecord:
        return self._repository.endpoint(endpoint_id)

    def deliveries(self, endpoint_id: int, *, limit: int = 20) -> list[DeliveryRecord]:
        self._repository.endpoint(endpoint_id)
        return self._repository.deliveries(endpoint_id, limit=limit)

    def _checked_links(self, source: str, link_ids: Sequence[int]) -> list[int]:
        kinds = LINK_KINDS_BY_SOURCE.get(source)
        if kinds is None:
            raise InvalidInput(f"unknown source {source!r}; use one of {', '.join(HOOK_SOURCES)}")
        checked: list[int] = []
        for link_id in dict.fromkeys(link_ids):
            try:
                link = self._libraries.link(link_id)
            except NotFound:
                raise InvalidInput(f"link {link_id} does not exist") from None
            if link.kind not in kinds:
                raise InvalidInput(
                    f"link {link_id} is a {link.kind} link; a {source} endpoint starts "
                    f"{' or '.join(kinds)} links"
                )
            checked.append(link_id)
        return checked

    def authenticate(self, source: str, secret: str) -> EndpointRecord:
        """The enabled endpoint of ``source`` whose secret this is, compared in constant time
        against every candidate; :class:`NotFound` (always the same message) otherwise."""
        if source not in HOOK_SOURCES or not secret or len(secret) > 200:
            raise NotFound(NOT_FOUND_MESSAGE)
        found: int | None = None
        for endpoint_id, digest in self._repository.digests(source):
            if digest_matches(secret, digest) and found is None:
                found = endpoint_id
        if found is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        return self._repository.endpoint(found)

    # -- dispatch -------------------------------------------------------------------------

    def handle_plex(self, endpoint: EndpointRecord, payload: str | bytes | None) -> HookOutcome:
        return self._plex.handle(endpoint, payload)

    def handle_arr(self, endpoint: EndpointRecord, body: str | bytes) -> HookOutcome:
        return self._arr.handle(endpoint, body)

    def handle_generic(self, endpoint: EndpointRecord, body: str | bytes) -> HookOutcome:
        return self._generic.handle(endpoint, body)

    def flush(self) -> list[int]:
        """Start every pending debounced run now (once); returns their link ids."""
        return self._desk.flush()

    def close(self) -> None:
        """Pending runs are started (they stay queued if the runner is closed already)."""
        self._desk.close()
