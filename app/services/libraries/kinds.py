"""The library-kind registry: every kind of library declared once.

A :class:`KindEntry` says everything Crossfade needs to know about one outside system: its
config model, its secret (if any), which link kinds it can join and as which side, how its
rating side, playlist side and post-write refresh are built, its display name and its
dashboard form (a kind without one is added through the API). Validation
(``LibraryCatalog``), the side factories, the API schemas, the dashboard and the CLI read it
from a :class:`KindRegistry` instead of testing kind strings.

The builders take the library's record, its secret and a :class:`SideContext` holding the
concrete adapter factories the composition root (``app.bootstrap``) gave; they return ports
(``app.services.ports``). The built-in entries are in ``app.services.libraries.builtin_kinds``;
a new outside system is one new package plus one entry (docs/ARCHITECTURE.md, "Adding an
outside system").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions
from app.adapters.tags.workers import MIN_ITEMS
from app.domain.errors import InvalidInput
from app.domain.jellyfin import JellyfinRefresh
from app.domain.kinds import FormField, KindForm
from app.domain.library_records import LibraryRecord
from app.domain.links import LinkKind, Side
from app.domain.matching import MatchThresholds
from app.domain.ratings.records import FileCache
from app.services.ports import FileStateRepositoryPort, PlaylistSide, RatingSide

if TYPE_CHECKING:
    from app.services.playlists.matching import EntryResolver, FolderCatalog
    from app.services.subsonic.api import SubsonicClientFactory

PlexClientFactory = Callable[[str, str, float], PlexServerClient]
Refresher = Callable[[Sequence[Path]], None]


class JellyfinServer(Protocol):
    """What a Jellyfin library's refresher and "test connection" need from a client
    (``app.adapters.jellyfin.JellyfinClient`` fits)."""

    def apply(self, refresh: JellyfinRefresh) -> None: ...
    def system_info(self) -> JellyfinInfo: ...
    def close(self) -> None: ...


class JellyfinInfo(Protocol):
    @property
    def server_name(self) -> str: ...
    @property
    def version(self) -> str: ...


JellyfinClientFactory = Callable[[str, str, float], JellyfinServer]
"""(base URL, API key, timeout in seconds) -> a client."""


@dataclass(frozen=True, slots=True)
class RefreshClients:
    """The client factories a refresher may need (given by ``app/bootstrap.py``)."""

    plex_client: PlexClientFactory
    jellyfin_client: JellyfinClientFactory | None = None


@dataclass(frozen=True, slots=True)
class SideContext:
    """What a side builder gets besides the library: the concrete adapter factories and the
    run's settings. ``write_options`` already carries the run's ``dry_run``."""

    plex_client: PlexClientFactory
    file_states: FileStateRepositoryPort
    write_options: WriteOptions
    dry_run: bool = False
    worker_processes: int = 1
    tag_pool_min_items: int = MIN_ITEMS
    file_cache: FileCache = FileCache.USE
    subsonic_client: SubsonicClientFactory | None = None
    jellyfin_client: JellyfinClientFactory | None = None


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What "Test connection" found: ``facts`` as (label, value) rows in the order shown
    (never a secret) and ``warnings`` in words (credentials over plain HTTP, ...)."""

    facts: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaylistSideRequest:
    """What a playlist side builder gets for a side of a playlists link: B's music catalog and
    root (to match entries against; None and "" when B holds tracks, not playlist files), the
    link's options and a way to build any library's rating side (a folder side lists its
    tracks through it)."""

    catalog_b: FolderCatalog | None
    root_b: str
    thresholds: MatchThresholds
    absolute_paths: bool
    rating_side: Callable[[int], RatingSide]


RatingSideBuilder = Callable[[LibraryRecord, str | None, SideContext], RatingSide]
PlaylistSideBuilder = Callable[
    [LibraryRecord, str | None, SideContext, PlaylistSideRequest],
    "tuple[PlaylistSide, EntryResolver]",
]
RefreshBuilder = Callable[[LibraryRecord, str | None, RefreshClients], Refresher]
ConnectionCheck = Callable[[Mapping[str, Any], str, SideContext, float], ConnectionReport]
"""(validated config, secret, context, timeout in seconds) -> what the server said; raises a
``CrossfadeError`` (unreachable, refused) with the reason."""


@dataclass(frozen=True, slots=True)
class SecretSpec:
    """A kind's secret: ``label`` names it on forms ("X-Plex-Token"); ``missing`` is the
    message when a new library comes without it."""

    label: str
    missing: str


@dataclass(frozen=True, slots=True)
class KindEntry:
    """One library kind. ``joins`` maps each link kind the library can join to the sides it
    can take there; ``path_mappings``: the library's paths are a server's and may be mapped to
    local ones; ``playlist_dir_key``: the config key of a folder of playlist files (the library
    can be side B of a playlists link, and side A only with that folder set). A kind with a
    ``playlist_side`` but no ``playlist_dir_key`` holds tracks (Plex, MediaMonkey, Subsonic):
    as side B it meets another such kind on side A, entries paired track to track. ``check``:
    the dashboard's "Test connection" (add form and library page) for this kind."""

    kind: str
    display_name: str
    config_model: type[BaseModel]
    joins: Mapping[LinkKind, frozenset[Side]] = field(default_factory=dict)
    secret: SecretSpec | None = None
    path_mappings: bool = False
    playlist_dir_key: str | None = None
    rating_side: RatingSideBuilder | None = None
    playlist_side: PlaylistSideBuilder | None = None
    refresh: RefreshBuilder | None = None
    form: KindForm | None = None  # None: no dashboard form (added through the API)
    check: ConnectionCheck | None = None  # "Test connection" on the add form and its page

    @property
    def form_fields(self) -> tuple[FormField, ...]:
        return () if self.form is None else self.form.fields

    def can_join(self, link_kind: LinkKind | str, side: Side) -> bool:
        return side in self.joins.get(LinkKind(link_kind), frozenset())


class KindRegistry:
    """The library kinds an installation knows, in the order they were registered."""

    def __init__(self, entries: Iterable[KindEntry] = ()) -> None:
        self._entries: dict[str, KindEntry] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: KindEntry) -> None:
        if entry.kind in self._entries:
            raise ValueError(f"library kind {entry.kind!r} is registered twice")
        self._entries[entry.kind] = entry

    def kinds(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def entries(self) -> tuple[KindEntry, ...]:
        return tuple(self._entries.values())

    def entry(self, kind: str) -> KindEntry:
        """The entry of ``kind``; an unknown kind is an InvalidInput naming the known ones."""
        found = self._entries.get(kind)
        if found is None:
            known = ", ".join(self._entries)
            raise InvalidInput(f"unknown library kind {kind!r}; use one of {known}")
        return found

    def display_names(self) -> dict[str, str]:
        return {entry.kind: entry.display_name for entry in self._entries.values()}

    def joining(self, link_kind: LinkKind | str, side: Side) -> tuple[str, ...]:
        """The kinds that can be ``side`` of a ``link_kind`` link."""
        return tuple(e.kind for e in self._entries.values() if e.can_join(link_kind, side))

    def can_join(self, kind: str, link_kind: LinkKind | str, side: Side) -> bool:
        found = self._entries.get(kind)
        return found is not None and found.can_join(link_kind, side)
