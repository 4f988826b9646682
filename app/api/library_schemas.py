"""Bodies of the libraries, links, conflicts and matches endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.path_types import LocalPath, ServerPath
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import LinkKind
from app.domain.names import display_form, display_json
from app.domain.ratings.records import ConflictRecord, TrackLinkRecord


class PathMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plex_prefix: ServerPath = Field(min_length=1, max_length=1000, examples=["D:\\Music"])
    local_prefix: LocalPath = Field(min_length=1, max_length=1000, examples=["/data/music"])


class LibraryCreate(BaseModel):
    """A library. ``token`` (Plex) is stored and never returned."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        min_length=1,
        max_length=100,
        description="a library kind of the registry (unknown kinds are refused with 422)",
        examples=[kind.value for kind in LibraryKind],
    )
    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any] = Field(
        examples=[{"base_url": "http://127.0.0.1:32400", "section_ids": [1]}]
    )
    token: str | None = Field(default=None, max_length=500)
    path_mappings: list[PathMappingIn] = Field(default_factory=list)


class LibraryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    config: dict[str, Any] | None = None
    token: str | None = Field(default=None, max_length=500)
    path_mappings: list[PathMappingIn] | None = None


class LibraryOut(BaseModel):
    id: int
    kind: str
    name: str
    config: dict[str, Any]
    has_token: bool
    path_mappings: list[PathMappingIn]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, library: LibraryRecord) -> LibraryOut:
        return cls(
            id=library.id,
            kind=library.kind,
            name=display_form(library.name),
            config=_shown_dict(library.config),
            has_token=library.has_secret,
            path_mappings=[
                PathMappingIn(plex_prefix=display_form(plex), local_prefix=display_form(local))
                for plex, local in library.path_mappings
            ],
            created_at=library.created_at,
            updated_at=library.updated_at,
        )


class LibraryPage(BaseModel):
    items: list[LibraryOut]
    total: int


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LinkKind
    library_a_id: int = Field(ge=1)
    library_b_id: int = Field(ge=1)
    direction: Literal["both", "a_to_b", "b_to_a"] = "both"
    policy: Literal["prefer_a", "prefer_b", "newest", "highest", "lowest", "ask"] = "ask"
    options: dict[str, Any] = Field(default_factory=dict)
    schedule: str | None = Field(default=None, max_length=100, examples=["0 3 * * *"])
    enabled: bool = True


class LinkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: Literal["both", "a_to_b", "b_to_a"] | None = None
    policy: Literal["prefer_a", "prefer_b", "newest", "highest", "lowest", "ask"] | None = None
    options: dict[str, Any] | None = None
    schedule: str | None = Field(default=None, max_length=100)
    enabled: bool | None = None


class LinkOut(BaseModel):
    id: int
    kind: str
    library_a_id: int
    library_b_id: int
    direction: str
    policy: str
    options: dict[str, Any]
    schedule: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, link: LinkRecord) -> LinkOut:
        return cls(
            id=link.id,
            kind=link.kind,
            library_a_id=link.library_a_id,
            library_b_id=link.library_b_id,
            direction=link.direction,
            policy=link.policy,
            options=_shown_dict(link.options),
            schedule=link.schedule,
            enabled=link.enabled,
            created_at=link.created_at,
            updated_at=link.updated_at,
        )


class LinkPage(BaseModel):
    items: list[LinkOut]
    total: int


class LinkRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["sync", "import", "export"] = "sync"
    dry_run: bool = False
    file_cache: Literal["use", "ignore", "clear"] | None = Field(
        default=None,
        description="ratings links: use the music folder's file-state cache (default), ignore "
        "it (open every file; --no-cache), or clear it first (--clear-cache); baselines are "
        "never touched",
    )


def _stars(half_stars: int | None) -> float | None:
    return None if half_stars is None else half_stars / 2


def _shown(text: str | None) -> str | None:
    """File names that are not UTF-8 in their display form (``Caf\\xe9``): JSON is text."""
    return None if text is None else display_form(text)


def _shown_dict(value: dict[str, Any]) -> dict[str, Any]:
    shown = display_json(value)
    assert isinstance(shown, dict)
    return shown


class ConflictOut(BaseModel):
    """Ratings in stars (0.5..5) or null for unrated; ``baseline_known`` false = first run."""

    id: int
    link_id: int
    track_link_id: int
    job_id: int | None
    stars_a: float | None
    stars_b: float | None
    baseline_known: bool
    baseline_stars: float | None
    evidence: dict[str, Any]
    status: str
    resolution: str | None
    resolved_stars: float | None
    created_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, conflict: ConflictRecord) -> ConflictOut:
        return cls(
            id=conflict.id,
            link_id=conflict.link_id,
            track_link_id=conflict.track_link_id,
            job_id=conflict.job_id,
            stars_a=_stars(conflict.value_a),
            stars_b=_stars(conflict.value_b),
            baseline_known=conflict.baseline_known,
            baseline_stars=_stars(conflict.baseline_rating),
            evidence=_shown_dict(conflict.evidence),
            status=conflict.status,
            resolution=conflict.resolution,
            resolved_stars=_stars(conflict.resolved_value),
            created_at=conflict.created_at,
            resolved_at=conflict.resolved_at,
        )


class ConflictPage(BaseModel):
    items: list[ConflictOut]
    total: int
    limit: int
    offset: int


class ConflictResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Literal["keep_a", "keep_b", "highest", "lowest", "custom", "skip"]
    stars: float | None = Field(default=None, ge=0, le=5, examples=[3.5])


class MatchOut(BaseModel):
    id: int
    link_id: int
    a_key: str
    b_key: str
    a_label: str | None
    b_label: str | None
    method: str
    score: float
    status: str
    note: str | None
    baseline_known: bool
    baseline_stars: float | None

    @classmethod
    def of(cls, link: TrackLinkRecord) -> MatchOut:
        return cls(
            id=link.id,
            link_id=link.link_id,
            a_key=display_form(link.a_key),
            b_key=display_form(link.b_key),
            a_label=_shown(link.a_label),
            b_label=_shown(link.b_label),
            method=link.method,
            score=link.score,
            status=link.status,
            note=_shown(link.note),
            baseline_known=link.baseline_known,
            baseline_stars=_stars(link.baseline_rating),
        )


class MatchPage(BaseModel):
    items: list[MatchOut]
    total: int
    limit: int
    offset: int


class MatchDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "reject"]
