"""Libraries and links: validated configuration per kind, and the sides a ratings link joins.

Each library kind (its config model, secret, links, sides, form) is declared once in the
registry (``app.services.libraries.kinds``; the built-in ones in ``builtin_kinds``). The
built-in kinds and their ``config``:

- ``plex_music``: ``base_url``, ``section_ids`` (one or more music sections), ``account`` (a
  label for the token's account); the token is the library's secret; path mappings rewrite the
  server's paths to local ones.
- ``music_folder``: ``root``, ``write_profile`` (a preset name), ``write_mode``
  (update_existing | default_only | replace_all), ``read_policy`` (priority | highest | lowest |
  average | ask), ``pinned_scale`` (percent | stars5 | tenths | unit, or none), ``playlist_dir``.
- ``movie_folder``: ``root``, ``layout`` (plex | jellyfin | auto).
- ``plex_movies``: like ``plex_music`` with movie sections; a mirror link asks it to rescan the
  folders a run changed.

Link kinds: ``ratings`` (any two music libraries), ``mirror`` (two movie folders), ``playlists``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from croniter import croniter

from app.adapters.tags import WriteOptions
from app.adapters.tags.workers import MIN_ITEMS
from app.domain.errors import InvalidInput
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import Direction, LinkKind, Side
from app.domain.matching import MatchThresholds
from app.domain.path_input import check_local_path, check_server_path
from app.domain.ratings.merge import Policy
from app.domain.ratings.records import FileCache
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.configs import (
    MirrorLinkOptions,
    PlaylistsLinkOptions,
    RatingsLinkOptions,
    validated,
)
from app.services.libraries.kinds import (
    JellyfinClientFactory,
    KindRegistry,
    PlexClientFactory,
    SideContext,
)
from app.services.ports import FileStateRepositoryPort, LibraryRepositoryPort, RatingSide
from app.services.ratings.run.concurrency import SyncSides
from app.services.ratings.run.values import LinkRules
from app.services.subsonic.api import SubsonicClientFactory

PLAYLIST_POLICIES = ("prefer_a", "prefer_b", "newest", "ask")
# What each link kind joins, said when a library cannot be the side it was given.
JOINS_WHAT = {
    LinkKind.RATINGS: "a ratings link joins two music libraries (Plex or folder)",
    LinkKind.MIRROR: "a mirror link joins two movie folders (source A, target B)",
    LinkKind.PLAYLISTS: (
        "a playlists link joins a music library (A) and a music folder or another library "
        "with playlists (B)"
    ),
}


def _validate_playlists_link(
    kinds: KindRegistry,
    library_a: LibraryRecord,
    library_b: LibraryRecord,
    policy: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    if policy not in PLAYLIST_POLICIES:
        raise InvalidInput(f"playlists links take policy {', '.join(PLAYLIST_POLICIES)}")
    checked = validated(PlaylistsLinkOptions, options, "playlists link options")
    dir_key_a = kinds.entry(library_a.kind).playlist_dir_key
    if kinds.entry(library_b.kind).playlist_dir_key is None:
        _validate_tracks_both(dir_key_a, library_a, checked)
        return checked
    folder_b = PlaylistsLinkOptions.model_validate(checked).folder_b(library_b)
    folder_a = library_a.config.get(dir_key_a) if dir_key_a is not None else ""
    if not folder_b or folder_a is None:
        raise InvalidInput("a playlists link needs a playlist folder on each music folder side")
    if folder_a == folder_b:
        raise InvalidInput("the two sides of a playlists link need different playlist folders")
    return checked


def _validate_tracks_both(
    dir_key_a: str | None, library_a: LibraryRecord, options: dict[str, Any]
) -> None:
    """Side B holds tracks (Plex, MediaMonkey, Subsonic): side A must hold tracks too, and the
    options about playlist files mean nothing there."""
    if dir_key_a is not None:
        raise InvalidInput(
            f"library {library_a.name!r} holds playlist files: make it side B of the link, "
            "and the library that holds tracks side A"
        )
    if options.get("playlist_dir") or options.get("absolute_paths"):
        raise InvalidInput(
            "playlist_dir and absolute_paths are for a side B that holds playlist files"
        )


def validate_library_config(
    kind: str, config: dict[str, Any], kinds: KindRegistry | None = None
) -> dict[str, Any]:
    entry = (kinds or builtin_kind_registry()).entry(kind)
    return validated(entry.config_model, config, f"{kind} configuration")


def _link_kind(kind: str) -> LinkKind:
    try:
        return LinkKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in LinkKind)
        raise InvalidInput(f"unknown link kind {kind!r}; use one of {names}") from None


def _policy(policy: str) -> None:
    try:
        Policy(policy)
    except ValueError:
        names = ", ".join(p.value for p in Policy)
        raise InvalidInput(f"unknown policy {policy!r}; use one of {names}") from None


def validate_link(
    kind: str,
    library_a: LibraryRecord,
    library_b: LibraryRecord,
    direction: str,
    policy: str,
    options: dict[str, Any],
    kinds: KindRegistry | None = None,
) -> dict[str, Any]:
    """Check that the link makes sense for its libraries; returns the normalised options."""
    try:
        Direction(direction)
    except ValueError:
        raise InvalidInput(f"unknown direction {direction!r}; use both, a_to_b or b_to_a") from None
    link_kind = _link_kind(kind)
    registry = kinds or builtin_kind_registry()
    joined = registry.can_join(library_a.kind, link_kind, Side.A) and registry.can_join(
        library_b.kind, link_kind, Side.B
    )
    if not joined:
        raise InvalidInput(JOINS_WHAT[link_kind])
    if link_kind is LinkKind.RATINGS:
        _policy(policy)
        return validated(RatingsLinkOptions, options, "ratings link options")
    if link_kind is LinkKind.MIRROR:
        return validated(MirrorLinkOptions, options, "mirror link options")
    return _validate_playlists_link(registry, library_a, library_b, policy, options)


def link_rules(link: LinkRecord) -> LinkRules:
    options = RatingsLinkOptions.model_validate(link.options)
    primary = None if options.first_run_primary is None else Side(options.first_run_primary)
    return LinkRules(
        direction=Direction(link.direction),
        policy=Policy(link.policy),
        first_run_primary=primary,
        thresholds=MatchThresholds(
            accept_score=options.accept_score, review_score=options.review_score
        ),
    )


@dataclass(frozen=True, slots=True)
class SideFactory:
    """Builds the sides of a link from its libraries' rows, through their kinds' entries."""

    libraries: LibraryRepositoryPort
    sync_repository: FileStateRepositoryPort
    plex_client: PlexClientFactory
    write_options: WriteOptions
    # Worker processes per run: folder tags written (from 3: read) on this many, and from 2
    # the Plex listing parsed in a child process. 1: everything in the job's process.
    worker_processes: int = 1
    tag_pool_min_items: int = MIN_ITEMS  # fewer files than this: no pool, all in-process
    kinds: KindRegistry = field(default_factory=builtin_kind_registry)
    subsonic_client: SubsonicClientFactory | None = None
    jellyfin_client: JellyfinClientFactory | None = None

    def context(self, *, dry_run: bool, file_cache: FileCache = FileCache.USE) -> SideContext:
        return SideContext(
            file_cache=file_cache,
            plex_client=self.plex_client,
            file_states=self.sync_repository,
            write_options=self.write_options,
            dry_run=dry_run,
            worker_processes=self.worker_processes,
            tag_pool_min_items=self.tag_pool_min_items,
            subsonic_client=self.subsonic_client,
            jellyfin_client=self.jellyfin_client,
        )

    def secret(self, library: LibraryRecord) -> str | None:
        """The library's secret, read only for a kind that has one."""
        if self.kinds.entry(library.kind).secret is None:
            return None
        return self.libraries.secret(library.id)

    def side(
        self, library_id: int, *, dry_run: bool, file_cache: FileCache = FileCache.USE
    ) -> RatingSide:
        library = self.libraries.library(library_id)
        build = self.kinds.entry(library.kind).rating_side
        if build is None:
            raise InvalidInput(f"library {library.name!r} ({library.kind}) holds no music ratings")
        context = self.context(dry_run=dry_run, file_cache=file_cache)
        return build(library, self.secret(library), context)

    def sides(
        self, link: LinkRecord, *, dry_run: bool, file_cache: FileCache = FileCache.USE
    ) -> SyncSides:
        if link.kind != LinkKind.RATINGS:
            raise InvalidInput(f"link {link.id} is a {link.kind} link, not a ratings link")
        return SyncSides(
            a=self.side(link.library_a_id, dry_run=dry_run, file_cache=file_cache),
            b=self.side(link.library_b_id, dry_run=dry_run, file_cache=file_cache),
        )


def mapping_pairs(raw: Sequence[Any]) -> list[tuple[str, str]]:
    """``[{"plex_prefix", "local_prefix"}]`` or ``["A=B"]`` -> ordered pairs."""
    pairs: list[tuple[str, str]] = []
    for item in raw:
        if isinstance(item, str):
            plex_prefix, sep, local_prefix = item.partition("=")
            if not sep:
                raise InvalidInput(f"path mapping {item!r} is not PLEX_PREFIX=LOCAL_PREFIX")
        elif isinstance(item, dict):
            plex_prefix = str(item.get("plex_prefix", ""))
            local_prefix = str(item.get("local_prefix", ""))
        else:
            raise InvalidInput(f"path mapping {item!r} is neither text nor an object")
        if not plex_prefix or not local_prefix:
            raise InvalidInput("a path mapping needs both prefixes")
        check_server_path(plex_prefix, what="a mapping's Plex prefix")
        check_local_path(local_prefix, what="a mapping's local prefix")
        pairs.append((plex_prefix, local_prefix))
    return pairs


class LibraryCatalog:
    """Create, change and remove libraries and links, validating them on the way in."""

    def __init__(
        self, repository: LibraryRepositoryPort, kinds: KindRegistry | None = None
    ) -> None:
        self._repository = repository
        self._kinds = kinds if kinds is not None else builtin_kind_registry()

    @property
    def kinds(self) -> KindRegistry:
        return self._kinds

    def libraries(self, kind: str | None = None) -> list[LibraryRecord]:
        return self._repository.libraries(kind=kind)

    def library(self, library_id: int) -> LibraryRecord:
        return self._repository.library(library_id)

    def delete_library(self, library_id: int) -> None:
        self._repository.delete_library(library_id)

    def links(self, kind: str | None = None) -> list[LinkRecord]:
        return self._repository.links(kind=kind)

    def link(self, link_id: int) -> LinkRecord:
        return self._repository.link(link_id)

    def delete_link(self, link_id: int) -> None:
        self._repository.delete_link(link_id)

    @property
    def repository(self) -> LibraryRepositoryPort:
        return self._repository

    def add_library(
        self,
        *,
        kind: str,
        name: str,
        config: dict[str, Any],
        secret: str | None = None,
        path_mappings: Sequence[Any] = (),
    ) -> LibraryRecord:
        name = name.strip()
        if not name:
            raise InvalidInput("a library needs a name")
        checked = validate_library_config(kind, config, self._kinds)
        entry = self._kinds.entry(kind)
        if entry.secret is not None and not secret:
            raise InvalidInput(entry.secret.missing)
        if not entry.path_mappings and path_mappings:
            raise InvalidInput("path mappings belong to Plex libraries")
        return self._repository.add_library(
            kind=kind,
            name=name,
            config=checked,
            secret=secret if entry.secret is not None else None,
            path_mappings=mapping_pairs(path_mappings),
        )

    def update_library(
        self,
        library_id: int,
        *,
        name: str | None = None,
        config: dict[str, Any] | None = None,
        secret: str | None = None,
        path_mappings: Sequence[Any] | None = None,
    ) -> LibraryRecord:
        current = self._repository.library(library_id)
        checked = None
        if config is not None:
            checked = validate_library_config(
                current.kind, {**current.config, **config}, self._kinds
            )
        if path_mappings is not None and not self._kinds.entry(current.kind).path_mappings:
            raise InvalidInput("path mappings belong to Plex libraries")
        return self._repository.update_library(
            library_id,
            name=None if name is None else name.strip() or current.name,
            config=checked,
            secret=secret or None,
            path_mappings=None if path_mappings is None else mapping_pairs(path_mappings),
        )

    def add_link(
        self,
        *,
        kind: str,
        library_a_id: int,
        library_b_id: int,
        direction: str = "both",
        policy: str = "ask",
        options: dict[str, Any] | None = None,
        schedule: str | None = None,
        enabled: bool = True,
    ) -> LinkRecord:
        library_a = self._repository.library(library_a_id)
        library_b = self._repository.library(library_b_id)
        checked = validate_link(
            kind, library_a, library_b, direction, policy, options or {}, self._kinds
        )
        return self._repository.add_link(
            kind=kind,
            library_a_id=library_a_id,
            library_b_id=library_b_id,
            direction=direction,
            policy=policy,
            options=checked,
            schedule=validate_schedule(schedule),
            enabled=enabled,
        )

    def update_link(self, link_id: int, **changes: Any) -> LinkRecord:
        link = self._repository.link(link_id)
        merged_options = {**link.options, **(changes.get("options") or {})}
        checked = validate_link(
            link.kind,
            self._repository.library(link.library_a_id),
            self._repository.library(link.library_b_id),
            changes.get("direction") or link.direction,
            changes.get("policy") or link.policy,
            merged_options,
            self._kinds,
        )
        if "options" in changes:
            changes["options"] = checked
        if "schedule" in changes:
            changes["schedule"] = validate_schedule(changes["schedule"])
        return self._repository.update_link(link_id, **changes)


def validate_schedule(schedule: str | None) -> str | None:
    """A five-field cron expression, or None (no schedule)."""
    if schedule is None or not schedule.strip():
        return None
    fields = schedule.split()
    if len(fields) != 5 or not croniter.is_valid(" ".join(fields)):
        raise InvalidInput(f"schedule {schedule!r} is not a five-field cron expression")
    return " ".join(fields)
