"""Webhooks from Plex: ``media.rate`` (and ``library.new`` when the endpoint asks for it)
queue a run of the ratings links whose Plex library holds the event's section; a rating that
Crossfade itself just wrote there (its echo) starts nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from app.domain.errors import InvalidInput
from app.domain.hook_records import EndpointRecord
from app.domain.hooks import PlexHook, parse_plex_payload
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.ratings.value import Rating
from app.services.hooks.desk import HookDesk, listed
from app.services.hooks.endpoints import HookOutcome, Outcome, PlexOptions
from app.services.hooks.identities import PlexIdentities
from app.services.ports import LibraryRepositoryPort

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


class PlexSource:
    """``handle`` answers one call of a ``plex`` endpoint."""

    def __init__(
        self,
        desk: HookDesk,
        libraries: LibraryRepositoryPort,
        identities: PlexIdentities,
        *,
        journal: WriteJournal | None,
        now: Callable[[], datetime],
    ) -> None:
        self._desk = desk
        self._libraries = libraries
        self._identities = identities
        self._journal = journal
        self._now = now

    def handle(self, endpoint: EndpointRecord, payload: str | bytes | None) -> HookOutcome:
        if payload is None:
            self._desk.refused(endpoint, "?", InvalidInput("no multipart field 'payload'"))
        try:
            hook = parse_plex_payload(payload)
        except InvalidInput as exc:
            self._desk.refused(endpoint, "?", exc)
        options = PlexOptions.model_validate(endpoint.options)
        if not (hook.is_rate or (hook.is_library_new and options.on_library_new)):
            return self._desk.record(
                endpoint,
                hook.event,
                HookOutcome(Outcome.IGNORED, f"{hook.label()}: not an event this endpoint acts on"),
            )
        links = self._plex_links(endpoint, hook)
        if not links:
            where = f"section {hook.section_id} of server {hook.server_uuid or '?'}"
            return self._desk.record(
                endpoint,
                hook.event,
                HookOutcome(Outcome.IGNORED, f"{hook.label()}: no ratings link includes {where}"),
            )
        echoes = self._echoes(links, hook) if hook.is_rate else {}
        hearing = [link for link in links if link.id not in echoes]
        if not hearing:
            jobs = ", ".join(str(job_id) for job_id in sorted(set(echoes.values())))
            return self._desk.record(
                endpoint,
                hook.event,
                HookOutcome(
                    Outcome.IGNORED,
                    f"{hook.label()}: echo of job {jobs} (Crossfade wrote "
                    f"{_shown(hook.rating)} there)",
                ),
            )
        outcome = self._desk.queue(hearing, hook.label())
        if echoes:
            outcome = HookOutcome(
                outcome.outcome,
                f"{outcome.detail}; an echo for links {listed(sorted(echoes))}",
                link_ids=outcome.link_ids,
                delay_s=outcome.delay_s,
            )
        return self._desk.record(endpoint, hook.event, outcome)

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
                if self._libraries.library(library_id).kind == LibraryKind.PLEX_MUSIC
            ]
            job_id = self._journal.echo_of(sides, hook.rating_key, half_stars, since=since)
            if job_id is not None:
                echoes[link.id] = job_id
        return echoes

    def _plex_links(self, endpoint: EndpointRecord, hook: PlexHook) -> list[LinkRecord]:
        if hook.section_id is None:
            return []
        chosen: list[LinkRecord] = []
        for link in self._desk.candidate_links(endpoint):
            for library_id in (link.library_a_id, link.library_b_id):
                library = self._libraries.library(library_id)
                if library.kind == LibraryKind.PLEX_MUSIC and self._plex_library_has(library, hook):
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


def _shown(plex_rating: float | None) -> str:
    try:
        value = Rating.from_plex(plex_rating)
    except InvalidInput:
        return str(plex_rating)
    return "unrated" if value is None else str(value)
