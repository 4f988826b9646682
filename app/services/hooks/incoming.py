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

import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NoReturn, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.adapters.db.hook_repo import HookRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.plex import PlexServerClient
from app.domain.errors import (
    AlreadyRunning,
    CrossfadeError,
    Forbidden,
    InvalidInput,
    NotFound,
    PlexError,
)
from app.domain.hook_records import DeliveryRecord, EndpointRecord
from app.domain.hooks import (
    HOOK_SOURCES,
    ArrHook,
    PlexHook,
    digest_matches,
    folder_within,
    parse_arr_payload,
    parse_generic_payload,
    parse_json_object,
    parse_plex_payload,
    secret_digest,
)
from app.domain.jobs import JobRecord, JobTrigger
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.path_input import path_problem
from app.domain.paths import PathMapping, map_plex_to_local
from app.domain.ratings.rating import Rating
from app.services.hooks.debounce import Debouncer
from app.services.jobs.kinds import JobKindRegistry
from app.services.libraries.link_runs import JOB_KIND_BY_LINK_KIND, LinkRuns
from app.services.libraries.configs import PlexMusicConfig

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
NOT_FOUND_MESSAGE = "Not Found"
LINK_KINDS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "plex": ("ratings",),
    "radarr": ("mirror",),
    "sonarr": ("mirror",),
    "generic": ("ratings", "mirror", "playlists"),
}


# -- endpoint options ---------------------------------------------------------------------


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlexOptions(_Options):
    on_library_new: bool = False


class ArrOptions(_Options):
    path_mappings: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("path_mappings")
    @classmethod
    def _mappings(cls, value: list[str]) -> list[str]:
        for item in value:
            theirs, sep, local = item.partition("=")
            if not (sep and theirs.strip() and local.strip()):
                raise ValueError(f"path mapping {item!r} is not ARR_PREFIX=LOCAL_PREFIX")
            problem = path_problem(theirs.strip(), absolute=False) or path_problem(local.strip())
            if problem is not None:
                raise ValueError(f"path mapping {item!r}: {problem}")
        return [item.strip() for item in value]

    def mappings(self) -> list[PathMapping]:
        pairs = (item.partition("=") for item in self.path_mappings)
        return [PathMapping(theirs.strip(), local.strip()) for theirs, _, local in pairs]


_OPTIONS: dict[str, type[_Options]] = {
    "plex": PlexOptions,
    "radarr": ArrOptions,
    "sonarr": ArrOptions,
    "generic": _Options,
}


def validate_options(source: str, options: Mapping[str, Any]) -> dict[str, Any]:
    model = _OPTIONS.get(source)
    if model is None:
        raise InvalidInput(f"unknown source {source!r}; use one of {', '.join(HOOK_SOURCES)}")
    try:
        return model.model_validate(dict(options)).model_dump()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'options'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidInput(f"invalid {source} endpoint options: {problems}") from None


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    """An endpoint with its secret, shown this once."""

    endpoint: EndpointRecord
    secret: str


Outcome = Literal["queued", "started", "ignored"]


@dataclass(frozen=True, slots=True)
class HookOutcome:
    """``outcome``: ``queued`` (debounced runs of ``link_ids``), ``started`` (``job_ids``), or
    ``ignored`` (nothing to do; ``detail`` says why)."""

    outcome: Outcome
    detail: str
    link_ids: tuple[int, ...] = ()
    job_ids: tuple[int, ...] = ()
    delay_s: float | None = None


# -- Plex server identities ----------------------------------------------------------------

PlexClientFactory = Callable[[str, str, float], PlexServerClient]


class PlexIdentities:
    """The machine identifier of each Plex library's server, asked once per URL; a server that
    could not be asked is not asked again for ``retry_after_s`` (webhooks come in bursts)."""

    def __init__(
        self,
        libraries: LibraryRepository,
        plex_client: PlexClientFactory,
        *,
        timeout_s: float = 5.0,
        retry_after_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._libraries = libraries
        self._plex_client = plex_client
        self._timeout_s = timeout_s
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._known: dict[tuple[int, str], str] = {}
        self._failed: dict[tuple[int, str], float] = {}
        self._lock = threading.Lock()

    def machine_identifier(self, library: LibraryRecord) -> str | None:
        """None when the server cannot be asked (it is down, or the token is refused)."""
        config = PlexMusicConfig.model_validate(library.config)
        key = (library.id, config.base_url)
        with self._lock:
            if key in self._known:
                return self._known[key]
            failed_at = self._failed.get(key)
            if failed_at is not None and self._clock() - failed_at < self._retry_after_s:
                return None
        token = self._libraries.secret(library.id) or ""
        try:
            with self._plex_client(config.base_url, token, self._timeout_s) as client:
                machine = client.identity().machine_identifier
        except PlexError as exc:
            logger.warning("library %s: cannot ask its server who it is: %s", library.id, exc)
            with self._lock:
                self._failed[key] = self._clock()
            return None
        with self._lock:
            self._known[key] = machine
            self._failed.pop(key, None)
        return machine


# -- echoes ---------------------------------------------------------------------------------

ECHO_WINDOW_S = 600.0
"""How long after Crossfade journaled a Plex rating write a ``media.rate`` reporting that very
value counts as its echo. Plex sends the webhook within seconds of the write, but a write is
journaled when its batch is (before a batch of up to 500 writes and their re-read), and a
webhook may wait in Plex's queue behind a burst; ten minutes covers both. A person who rates
an item to the value Crossfade just wrote there within that window loses nothing: the pair
already agrees on it."""


class WriteJournal(Protocol):
    """Where the ratings sync journals its writes (``SyncRepository``)."""

    def echo_of(
        self, sides: Sequence[tuple[int, str]], item_key: str, after: int | None, *, since: datetime
    ) -> int | None: ...


# -- the service --------------------------------------------------------------------------


class HookService:
    def __init__(
        self,
        repository: HookRepository,
        libraries: LibraryRepository,
        link_runs: LinkRuns,
        job_kinds: JobKindRegistry,
        identities: PlexIdentities,
        *,
        delay_s: float = 5.0,
        give_up_after_s: float = 900.0,
        journal: WriteJournal | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._journal = journal
        self._now = now
        self._repository = repository
        self._libraries = libraries
        self._link_runs = link_runs
        self._job_kinds = job_kinds
        self._identities = identities
        self._debouncer = Debouncer(
            self._run_debounced,
            delay_s=delay_s,
            give_up_after_s=give_up_after_s,
            name="crossfade-webhooks",
        )

    @property
    def repository(self) -> HookRepository:
        return self._repository

    @property
    def debouncer(self) -> Debouncer:
        return self._debouncer

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
        if payload is None:
            self._refused(endpoint, "?", InvalidInput("no multipart field 'payload'"))
        try:
            hook = parse_plex_payload(payload)
        except InvalidInput as exc:
            self._refused(endpoint, "?", exc)
        options = PlexOptions.model_validate(endpoint.options)
        if not (hook.is_rate or (hook.is_library_new and options.on_library_new)):
            return self._record(
                endpoint,
                hook.event,
                HookOutcome("ignored", f"{hook.label()}: not an event this endpoint acts on"),
            )
        links = self._plex_links(endpoint, hook)
        if not links:
            where = f"section {hook.section_id} of server {hook.server_uuid or '?'}"
            return self._record(
                endpoint,
                hook.event,
                HookOutcome("ignored", f"{hook.label()}: no ratings link includes {where}"),
            )
        echoes = self._echoes(links, hook) if hook.is_rate else {}
        hearing = [link for link in links if link.id not in echoes]
        if not hearing:
            jobs = ", ".join(str(job_id) for job_id in sorted(set(echoes.values())))
            return self._record(
                endpoint,
                hook.event,
                HookOutcome(
                    "ignored",
                    f"{hook.label()}: echo of job {jobs} (Crossfade wrote "
                    f"{_shown(hook.rating)} there)",
                ),
            )
        outcome = self._queue(hearing, hook.label())
        if echoes:
            outcome = HookOutcome(
                outcome.outcome,
                f"{outcome.detail}; an echo for links {_ids(sorted(echoes))}",
                link_ids=outcome.link_ids,
                delay_s=outcome.delay_s,
            )
        return self._record(endpoint, hook.event, outcome)

    def _echoes(self, links: Sequence[LinkRecord], hook: PlexHook) -> dict[int, int]:
        """The links for which ``hook`` (a ``media.rate``) reports a value that a job of the
        link itself wrote to that Plex item lately: link id -> job id. The payload's rating
        is taken as is (absent means cleared, as Plex sends a clear): no lookup of the item,
        which would race with the write itself."""
        if self._journal is None or hook.rating_key is None:
            return {}
        try:
            value = Rating.from_plex(hook.rating)
        except InvalidInput:
            return {}
        half_stars = None if value is None else value.half_stars
        since = self._now() - timedelta(seconds=ECHO_WINDOW_S)
        echoes: dict[int, int] = {}
        for link in links:
            sides = [
                (link.id, side)
                for side, library_id in (("a", link.library_a_id), ("b", link.library_b_id))
                if self._libraries.library(library_id).kind == "plex_music"
            ]
            job_id = self._journal.echo_of(sides, hook.rating_key, half_stars, since=since)
            if job_id is not None:
                echoes[link.id] = job_id
        return echoes

    def handle_arr(self, endpoint: EndpointRecord, body: str | bytes) -> HookOutcome:
        try:
            hook = parse_arr_payload(endpoint.source, parse_json_object(body, what="the body"))
        except InvalidInput as exc:
            self._refused(endpoint, "?", exc)
        if hook.is_test:
            return self._record(
                endpoint, hook.event_type, HookOutcome("ignored", f"{hook.label()}: test received")
            )
        if not hook.changes_folder:
            return self._record(
                endpoint,
                hook.event_type,
                HookOutcome("ignored", f"{hook.label()}: not an import, upgrade or rename"),
            )
        if hook.folder_path is None:
            self._refused(
                endpoint, hook.event_type, InvalidInput(f"{hook.label()}: no folder path")
            )
        folder = self._local_folder(endpoint, hook)
        links = self._mirror_links(endpoint, folder)
        if not links:
            return self._record(
                endpoint,
                hook.event_type,
                HookOutcome("ignored", f"{hook.label()}: no mirror link's source holds {folder}"),
            )
        runnable = [link for link in links if JOB_KIND_BY_LINK_KIND[link.kind] in self._job_kinds]
        if not runnable:
            error = InvalidInput(
                f"{hook.label()}: links {_ids(links)} are {links[0].kind} links, and "
                f"{links[0].kind} runs are not available on this installation yet"
            )
            self._refused(endpoint, hook.event_type, error, links=links)
        return self._record(endpoint, hook.event_type, self._queue(runnable, hook.label()))

    def handle_generic(self, endpoint: EndpointRecord, body: str | bytes) -> HookOutcome:
        try:
            hook = parse_generic_payload(parse_json_object(body or b"{}", what="the body"))
        except InvalidInput as exc:
            self._refused(endpoint, "run", exc)
        if hook.link_id is not None:
            if endpoint.link_ids and hook.link_id not in endpoint.link_ids:
                error: CrossfadeError = Forbidden(
                    f"this endpoint may not start link {hook.link_id}"
                )
                self._refused(endpoint, "run", error)
            link_ids: tuple[int, ...] = (hook.link_id,)
        elif endpoint.link_ids:
            link_ids = endpoint.link_ids
        else:
            error = InvalidInput('name a link: {"link": <id>}')
            self._refused(endpoint, "run", error)
        jobs: list[JobRecord] = []
        failures: list[CrossfadeError] = []
        for link_id in link_ids:
            try:
                jobs.append(
                    self._link_runs.run(
                        link_id, mode=hook.mode, dry_run=hook.dry_run, trigger=JobTrigger.WEBHOOK
                    )
                )
            except CrossfadeError as exc:
                failures.append(exc)
        if not jobs:
            self._refused(endpoint, "run", failures[0], link_ids=link_ids)
        detail = f"started jobs {_ids(jobs)}"
        if failures:
            detail += "; not started: " + "; ".join(str(exc) for exc in failures)
        outcome = HookOutcome(
            "started", detail, link_ids=link_ids, job_ids=tuple(job.id for job in jobs)
        )
        return self._record(endpoint, "run", outcome)

    # -- selection ------------------------------------------------------------------------

    def _candidate_links(self, endpoint: EndpointRecord) -> list[LinkRecord]:
        kinds = LINK_KINDS_BY_SOURCE[endpoint.source]
        links = [link for link in self._libraries.links() if link.kind in kinds and link.enabled]
        if endpoint.link_ids:
            links = [link for link in links if link.id in endpoint.link_ids]
        return links

    def _plex_links(self, endpoint: EndpointRecord, hook: PlexHook) -> list[LinkRecord]:
        if hook.section_id is None:
            return []
        chosen: list[LinkRecord] = []
        for link in self._candidate_links(endpoint):
            for library_id in (link.library_a_id, link.library_b_id):
                library = self._libraries.library(library_id)
                if library.kind == "plex_music" and self._plex_library_has(library, hook):
                    chosen.append(link)
                    break
        return chosen

    def _plex_library_has(self, library: LibraryRecord, hook: PlexHook) -> bool:
        if hook.section_id not in library.config.get("section_ids", []):
            return False
        if hook.server_uuid is None:
            return True
        machine = self._identities.machine_identifier(library)
        # a server that cannot be asked may be the one: the run will tell
        return machine is None or machine == hook.server_uuid

    @staticmethod
    def _local_folder(endpoint: EndpointRecord, hook: ArrHook) -> str:
        assert hook.folder_path is not None
        mappings = ArrOptions.model_validate(endpoint.options).mappings()
        return map_plex_to_local(hook.folder_path, mappings) or hook.folder_path

    def _mirror_links(self, endpoint: EndpointRecord, folder: str) -> list[LinkRecord]:
        chosen: list[LinkRecord] = []
        for link in self._candidate_links(endpoint):
            source = self._libraries.library(link.library_a_id)
            root = source.config.get("root")
            if isinstance(root, str) and folder_within(folder, root):
                chosen.append(link)
        return chosen

    # -- running --------------------------------------------------------------------------

    def _queue(self, links: Sequence[LinkRecord], what: str) -> HookOutcome:
        fresh = [link.id for link in links if self._debouncer.trigger(link.id)]
        joined = [link.id for link in links if link.id not in fresh]
        delay = self._debouncer.delay_s
        detail = f"{what}: run of links {_ids(links)} within {delay:g}s"
        if joined:
            detail += f" (joined the pending run of {_ids(joined)})"
        return HookOutcome(
            "queued", detail, link_ids=tuple(link.id for link in links), delay_s=delay
        )

    def _run_debounced(self, link_id: int) -> bool:
        """Start the run; False (try later) while the link's libraries are busy."""
        try:
            job = self._link_runs.run(link_id, trigger=JobTrigger.WEBHOOK)
        except AlreadyRunning as exc:
            logger.info("webhook run of link %s waits: job %s is running", link_id, exc.job_id)
            return False
        except CrossfadeError as exc:
            logger.warning("webhook run of link %s not started: %s", link_id, exc)
            return True
        logger.info("webhook run of link %s: job %s", link_id, job.id)
        return True

    def flush(self) -> list[int]:
        """Start every pending debounced run now (once); returns their link ids."""
        return self._debouncer.flush()

    def close(self) -> None:
        """Pending runs are started (they stay queued if the runner is closed already)."""
        started = self._debouncer.close(flush=True)
        if started:
            logger.info("webhook runs of links %s started at shutdown", started)

    # -- deliveries -----------------------------------------------------------------------

    def _record(self, endpoint: EndpointRecord, event: str, outcome: HookOutcome) -> HookOutcome:
        self._repository.add_delivery(
            endpoint.id,
            event=event,
            outcome=outcome.outcome,
            detail=outcome.detail,
            link_ids=outcome.link_ids,
            job_ids=outcome.job_ids,
        )
        return outcome

    def _refused(
        self,
        endpoint: EndpointRecord,
        event: str,
        error: CrossfadeError,
        *,
        links: Sequence[LinkRecord] | None = None,
        link_ids: Sequence[int] = (),
    ) -> NoReturn:
        """Record the refusal, then raise ``error`` for the caller to answer."""
        ids = [link.id for link in links] if links is not None else list(link_ids)
        self._repository.add_delivery(
            endpoint.id, event=event, outcome="refused", detail=str(error), link_ids=ids
        )
        raise error


def _shown(plex_rating: float | None) -> str:
    try:
        value = Rating.from_plex(plex_rating)
    except InvalidInput:
        return str(plex_rating)
    return "unrated" if value is None else str(value)


def new_secret() -> str:
    """32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def _ids(items: Sequence[LinkRecord] | Sequence[JobRecord] | Sequence[int]) -> str:
    return ", ".join(str(item if isinstance(item, int) else item.id) for item in items)
