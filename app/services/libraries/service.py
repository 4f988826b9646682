"""Libraries and links: validated configuration per kind, and the sides a ratings link joins.

Library kinds and their ``config``:

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

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions
from app.adapters.tags.workers import MIN_ITEMS, TagWorkers
from app.domain.errors import InvalidInput
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.matching import MatchThresholds
from app.domain.path_input import check_local_path, check_server_path, path_problem
from app.domain.paths import PathMapping
from app.domain.ratings.merge import Direction, Policy, Side
from app.domain.ratings.rating import ReadPolicy, ReadPolicyKind, parse_scale, preset
from app.services.ports import RatingSide
from app.services.ratings.sides import FolderOptions, FolderRatingSide, PlexRatingSide
from app.services.ratings.sync import LinkRules, SyncSides

LIBRARY_KINDS = ("plex_music", "plex_movies", "music_folder", "movie_folder")
PLEX_KINDS = ("plex_music", "plex_movies")
LINK_KINDS = ("ratings", "playlists", "mirror")
MUSIC_KINDS = ("plex_music", "music_folder")


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _absolute(path: str) -> str:
    problem = path_problem(path)
    if problem is not None:
        raise ValueError(problem)
    return os.path.normpath(path)


class PlexMusicConfig(_Config):
    base_url: str = Field(min_length=1, max_length=500)
    section_ids: list[int] = Field(min_length=1)
    account: str = Field(default="owner", max_length=100)
    timeout_s: float = Field(default=30.0, gt=0, le=600)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")


class MusicFolderConfig(_Config):
    root: str
    write_profile: str = "musicbee"
    write_mode: Literal["update_existing", "default_only", "replace_all"] | None = None
    read_policy: str = "priority"
    pinned_scale: str | None = None
    playlist_dir: str | None = None

    @field_validator("root")
    @classmethod
    def _root(cls, value: str) -> str:
        return _absolute(value)

    @field_validator("playlist_dir")
    @classmethod
    def _playlist_dir(cls, value: str | None) -> str | None:
        return None if value is None else _absolute(value)

    @field_validator("write_profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        try:
            preset(value)
        except InvalidInput as error:
            raise ValueError(str(error)) from None
        return value.strip().lower()

    @field_validator("read_policy")
    @classmethod
    def _read_policy(cls, value: str) -> str:
        try:
            ReadPolicy.parse(value)
        except InvalidInput as error:
            raise ValueError(str(error)) from None
        return value.strip().lower()

    @field_validator("pinned_scale")
    @classmethod
    def _scale(cls, value: str | None) -> str | None:
        try:
            scale = parse_scale(value)
        except InvalidInput as error:
            raise ValueError(str(error)) from None
        return None if scale is None else scale.value


class MovieFolderConfig(_Config):
    root: str
    layout: Literal["plex", "jellyfin", "auto"] = "auto"

    @field_validator("root")
    @classmethod
    def _root(cls, value: str) -> str:
        return _absolute(value)


class RatingsLinkOptions(_Config):
    first_run_primary: Literal["a", "b"] | None = None
    accept_score: float = Field(default=85.0, ge=0, le=100)
    review_score: float = Field(default=60.0, ge=0, le=100)


class MirrorLinkOptions(_Config):
    source_format: Literal["plex", "jellyfin", "auto"] = "auto"
    target_format: Literal["plex", "jellyfin", "auto"] = "auto"
    materializer: Literal["hardlink", "copy", "force-copy"] = "hardlink"
    delete: bool = False
    refresh_library_id: int | None = None


class PlaylistsLinkOptions(_Config):
    """A ``playlists`` link: ``mode`` mirror (the target becomes identical, order included) or
    append (only what is missing is added); ``playlists`` the titles to keep in step (None: every
    non-smart one); ``playlist_dir`` B's folder of playlist files (default: the B library's);
    ``delete`` lets a playlist deleted on one side be deleted on the other."""

    mode: Literal["mirror", "append"] = "mirror"
    playlists: list[str] | None = None
    playlist_dir: str | None = None
    delete: bool = False
    absolute_paths: bool = False
    first_run_primary: Literal["a", "b"] | None = None
    accept_score: float = Field(default=85.0, ge=0, le=100)
    review_score: float = Field(default=60.0, ge=0, le=100)

    @field_validator("playlist_dir")
    @classmethod
    def _playlist_dir(cls, value: str | None) -> str | None:
        return None if value is None else _absolute(value)

    def folder_b(self, library_b: LibraryRecord) -> str | None:
        return self.playlist_dir or library_b.config.get("playlist_dir")


PLAYLIST_POLICIES = ("prefer_a", "prefer_b", "newest", "ask")


def _validate_playlists_link(
    library_a: LibraryRecord, library_b: LibraryRecord, policy: str, options: dict[str, Any]
) -> dict[str, Any]:
    if policy not in PLAYLIST_POLICIES:
        raise InvalidInput(f"playlists links take policy {', '.join(PLAYLIST_POLICIES)}")
    checked = _validated(PlaylistsLinkOptions, options, "playlists link options")
    folder_b = PlaylistsLinkOptions.model_validate(checked).folder_b(library_b)
    folder_a = library_a.config.get("playlist_dir") if library_a.kind == "music_folder" else ""
    if not folder_b or folder_a is None:
        raise InvalidInput("a playlists link needs a playlist folder on each music folder side")
    if folder_a == folder_b:
        raise InvalidInput("the two sides of a playlists link need different playlist folders")
    return checked


_CONFIGS: dict[str, type[_Config]] = {
    "plex_music": PlexMusicConfig,
    "plex_movies": PlexMusicConfig,
    "music_folder": MusicFolderConfig,
    "movie_folder": MovieFolderConfig,
}


def _validated(model: type[_Config], raw: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        return model.model_validate(raw).model_dump()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or what}: {e['msg']}" for e in error.errors()
        )
        raise InvalidInput(f"invalid {what}: {problems}") from None


def validate_library_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    model = _CONFIGS.get(kind)
    if model is None:
        raise InvalidInput(f"unknown library kind {kind!r}; use one of {', '.join(LIBRARY_KINDS)}")
    return _validated(model, config, f"{kind} configuration")


def validate_link(
    kind: str,
    library_a: LibraryRecord,
    library_b: LibraryRecord,
    direction: str,
    policy: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """Check that the link makes sense for its libraries; returns the normalised options."""
    try:
        Direction(direction)
    except ValueError:
        raise InvalidInput(f"unknown direction {direction!r}; use both, a_to_b or b_to_a") from None
    if kind == "ratings":
        if library_a.kind not in MUSIC_KINDS or library_b.kind not in MUSIC_KINDS:
            raise InvalidInput("a ratings link joins two music libraries (Plex or folder)")
        try:
            Policy(policy)
        except ValueError:
            names = ", ".join(p.value for p in Policy)
            raise InvalidInput(f"unknown policy {policy!r}; use one of {names}") from None
        return _validated(RatingsLinkOptions, options, "ratings link options")
    if kind == "mirror":
        if library_a.kind != "movie_folder" or library_b.kind != "movie_folder":
            raise InvalidInput("a mirror link joins two movie folders (source A, target B)")
        return _validated(MirrorLinkOptions, options, "mirror link options")
    if kind == "playlists":
        if library_a.kind not in MUSIC_KINDS or library_b.kind != "music_folder":
            raise InvalidInput("a playlists link joins a music library (A) and a music folder (B)")
        return _validate_playlists_link(library_a, library_b, policy, options)
    raise InvalidInput(f"unknown link kind {kind!r}; use one of {', '.join(LINK_KINDS)}")


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


PlexClientFactory = Callable[[str, str, float], PlexServerClient]


@dataclass(frozen=True, slots=True)
class SideFactory:
    """Builds the sides of a ratings link from its libraries' rows."""

    libraries: LibraryRepository
    sync_repository: SyncRepository
    plex_client: PlexClientFactory
    write_options: WriteOptions
    # Worker processes per run: folder tags written (from 3: read) on this many, and from 2
    # the Plex listing parsed in a child process. 1: everything in the job's process.
    worker_processes: int = 1
    tag_pool_min_items: int = MIN_ITEMS  # fewer files than this: no pool, all in-process

    def side(self, library_id: int, *, dry_run: bool) -> RatingSide:
        library = self.libraries.library(library_id)
        if library.kind == "plex_music":
            config = PlexMusicConfig.model_validate(library.config)
            token = self.libraries.secret(library_id) or ""
            client = self.plex_client(config.base_url, token, config.timeout_s)
            mappings = [PathMapping(plex, local) for plex, local in library.path_mappings]
            return PlexRatingSide(
                client,
                config.section_ids,
                mappings,
                label=library.name,
                list_in_child=self.worker_processes > 1,
            )
        if library.kind == "music_folder":
            folder = MusicFolderConfig.model_validate(library.config)
            profile = preset(folder.write_profile, folder.write_mode)
            options = FolderOptions(
                profile=profile,
                read_policy=ReadPolicy.for_profile(profile, ReadPolicyKind(folder.read_policy)),
                pinned_scale=parse_scale(folder.pinned_scale),
                write_options=WriteOptions(
                    preserve_mtime=self.write_options.preserve_mtime,
                    hardlinks=self.write_options.hardlinks,
                    dry_run=dry_run,
                ),
            )
            return FolderRatingSide(
                folder.root,
                library.id,
                options,
                self.sync_repository,
                label=library.name,
                workers=TagWorkers(self.worker_processes, min_items=self.tag_pool_min_items),
            )
        raise InvalidInput(f"library {library.name!r} ({library.kind}) holds no music ratings")

    def sides(self, link: LinkRecord, *, dry_run: bool) -> SyncSides:
        if link.kind != "ratings":
            raise InvalidInput(f"link {link.id} is a {link.kind} link, not a ratings link")
        return SyncSides(
            a=self.side(link.library_a_id, dry_run=dry_run),
            b=self.side(link.library_b_id, dry_run=dry_run),
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

    def __init__(self, repository: LibraryRepository) -> None:
        self._repository = repository

    @property
    def repository(self) -> LibraryRepository:
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
        checked = validate_library_config(kind, config)
        if kind in PLEX_KINDS and not secret:
            raise InvalidInput("a Plex library needs a token")
        if kind not in PLEX_KINDS and path_mappings:
            raise InvalidInput("path mappings belong to Plex libraries")
        return self._repository.add_library(
            kind=kind,
            name=name,
            config=checked,
            secret=secret if kind in PLEX_KINDS else None,
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
            checked = validate_library_config(current.kind, {**current.config, **config})
        if path_mappings is not None and current.kind not in PLEX_KINDS:
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
        checked = validate_link(kind, library_a, library_b, direction, policy, options or {})
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
