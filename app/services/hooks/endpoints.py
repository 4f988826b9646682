"""Webhook endpoints: the options each source takes, the link kinds it may start, new secrets,
and the values the service answers with (see ``app.services.hooks.incoming``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.domain.errors import InvalidInput
from app.domain.hook_records import EndpointRecord
from app.domain.hooks import HOOK_SOURCES
from app.domain.links import LinkKind
from app.domain.path_input import path_problem
from app.domain.paths import PathMapping

SECRET_BYTES = 32
NOT_FOUND_MESSAGE = "Not Found"
LINK_KINDS_BY_SOURCE: dict[str, tuple[LinkKind, ...]] = {
    "plex": (LinkKind.RATINGS,),
    "radarr": (LinkKind.MIRROR,),
    "sonarr": (LinkKind.MIRROR,),
    "generic": (LinkKind.RATINGS, LinkKind.MIRROR, LinkKind.PLAYLISTS),
}


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


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    """An endpoint with its secret, shown this once."""

    endpoint: EndpointRecord
    secret: str


class Outcome(StrEnum):
    """What came of a call (stored as a delivery's ``outcome``)."""

    QUEUED = "queued"  # debounced runs of the links
    STARTED = "started"  # jobs started at once
    IGNORED = "ignored"  # nothing to do
    REFUSED = "refused"  # an error answered the call (recorded, never returned)


@dataclass(frozen=True, slots=True)
class HookOutcome:
    """``outcome``: ``queued`` (debounced runs of ``link_ids``), ``started`` (``job_ids``), or
    ``ignored`` (nothing to do; ``detail`` says why)."""

    outcome: Outcome
    detail: str
    link_ids: tuple[int, ...] = ()
    job_ids: tuple[int, ...] = ()
    delay_s: float | None = None


def new_secret() -> str:
    """32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)
