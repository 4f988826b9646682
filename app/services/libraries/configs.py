"""The validated configuration of the built-in library kinds and of each link kind's options.

A library's ``config`` (a JSON object in the database) is checked by its kind's model on the way
in (``LibraryCatalog``) and read back through it by the code that builds the kind's sides.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.domain.errors import InvalidInput
from app.domain.library_records import LibraryRecord
from app.domain.path_input import path_problem
from app.domain.ratings.profiles import WriteProfile, preset, with_popm_email
from app.domain.ratings.resolution import ReadPolicy, ReadPolicyKind, parse_priority
from app.domain.ratings.scales import parse_scale


class KindConfig(BaseModel):
    """A kind's or a link's configuration: unknown keys refused, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _absolute(path: str) -> str:
    problem = path_problem(path)
    if problem is not None:
        raise ValueError(problem)
    return os.path.normpath(path)


class PlexMusicConfig(KindConfig):
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


class MusicFolderConfig(KindConfig):
    root: str
    write_profile: str = "musicbee"
    write_mode: Literal["update_existing", "default_only", "replace_all"] | None = None
    read_policy: str = "priority"
    pinned_scale: str | None = None
    playlist_dir: str | None = None
    # MP3 ratings go to this POPM email's frame instead of the profile's (e.g. "Plex" as PMRS
    # writes, "rating@winamp.com"); None: the profile's
    popm_email: str | None = Field(default=None, max_length=200)
    # read priority for disagreeing tags, e.g. "musicbee, windows, vorbis:rating" (put before
    # the profile's own dialects); None: the profile's
    read_priority: str | None = Field(default=None, max_length=2000)

    def profile(self) -> WriteProfile:
        """The write profile: the preset, its mode, the custom POPM email."""
        chosen = preset(self.write_profile, self.write_mode)
        return chosen if self.popm_email is None else with_popm_email(chosen, self.popm_email)

    def read(self) -> ReadPolicy:
        """The read policy: the kind, and the priority list before the profile's dialects."""
        priority = () if self.read_priority is None else parse_priority(self.read_priority)
        return ReadPolicy.for_profile(self.profile(), ReadPolicyKind(self.read_policy), priority)

    @field_validator("popm_email")
    @classmethod
    def _popm_email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            with_popm_email(preset("musicbee"), value)
        except InvalidInput as error:
            raise ValueError(str(error)) from None
        return value.strip()

    @field_validator("read_priority", mode="before")
    @classmethod
    def _read_priority(cls, value: object) -> str | None:
        """Text (``"musicbee, windows"``) or a list of items; stored as dialect ids joined by
        ", "."""
        if value is None:
            return None
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            items: str | list[str] = list(value)
        elif isinstance(value, str):
            items = value
        else:
            raise ValueError("read_priority is text or a list of tag names")
        if not (items.strip() if isinstance(items, str) else items):
            return None
        try:
            return ", ".join(parse_priority(items))
        except InvalidInput as error:
            raise ValueError(str(error)) from None

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


class MovieFolderConfig(KindConfig):
    root: str
    layout: Literal["plex", "jellyfin", "auto"] = "auto"

    @field_validator("root")
    @classmethod
    def _root(cls, value: str) -> str:
        return _absolute(value)


class RatingsLinkOptions(KindConfig):
    first_run_primary: Literal["a", "b"] | None = None
    accept_score: float = Field(default=85.0, ge=0, le=100)
    review_score: float = Field(default=60.0, ge=0, le=100)


class MirrorLinkOptions(KindConfig):
    source_format: Literal["plex", "jellyfin", "auto"] = "auto"
    target_format: Literal["plex", "jellyfin", "auto"] = "auto"
    materializer: Literal["hardlink", "copy", "force-copy"] = "hardlink"
    delete: bool = False
    refresh_library_id: int | None = None


class PlaylistsLinkOptions(KindConfig):
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


def validated(model: type[BaseModel], raw: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        return model.model_validate(raw).model_dump()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or what}: {e['msg']}" for e in error.errors()
        )
        raise InvalidInput(f"invalid {what}: {problems}") from None
