"""The registry of job kinds: name -> handler, parameter check and lock key.

The composition root (``app.bootstrap``) registers every kind; later issues add theirs
("ratings_sync", "mirror", "playlists_sync", ...) with one ``register`` call there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import InvalidInput
from app.services.jobs.context import JobContext

JobHandler = Callable[[JobContext], None]
ParamsParser = Callable[[Mapping[str, Any]], dict[str, Any]]


def no_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    if raw:
        raise InvalidInput(f"this job kind takes no parameters (got {sorted(raw)})")
    return {}


@dataclass(frozen=True, slots=True)
class JobKind:
    """``lock_key`` is the default key when the caller (a link) gives none."""

    name: str
    title: str
    handler: JobHandler
    lock_key: str
    parse_params: ParamsParser = no_params


class JobKindRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def register(self, kind: JobKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"job kind {kind.name!r} registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            known = ", ".join(sorted(self._kinds)) or "none"
            raise InvalidInput(f"unknown job kind {name!r} (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[JobKind]:
        return iter(sorted(self._kinds.values(), key=lambda kind: kind.name))
