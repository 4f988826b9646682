"""``POST /api/v1/diffs``: compare a mirror's target with what a sync would make of it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.deps import ContainerDep
from app.api.path_types import LocalPath
from app.api.schemas import Problem

router = APIRouter(tags=["mirror"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}


class DiffRequest(BaseModel):
    """Either a mirror ``link``, or ``source`` and ``target`` folders inside configured movie
    library roots."""

    model_config = ConfigDict(extra="forbid")

    link: int | None = Field(default=None, ge=1)
    source: LocalPath | None = Field(default=None, max_length=4096)
    target: LocalPath | None = Field(default=None, max_length=4096)
    source_format: Literal["plex", "jellyfin", "auto"] = "auto"
    target_format: Literal["plex", "jellyfin", "auto"] = "auto"

    @model_validator(mode="after")
    def _one_target(self) -> DiffRequest:
        paths = self.source is not None and self.target is not None
        if (self.link is None) == (not paths):
            raise ValueError("give either link, or both source and target")
        return self


@router.post(
    "/diffs",
    responses={
        403: {**_problem, "description": "a path outside the configured library roots"},
        404: {**_problem, "description": "no such link"},
        422: {**_problem, "description": "not a mirror link, or invalid paths"},
    },
)
def create_diff(body: DiffRequest, container: ContainerDep) -> dict[str, Any]:
    """The diff document (a superset of jellyplex-sync 0.5.0's ``diff --json``): movies only in
    the source or target, differing movies, translation losses. Read-only."""
    mirror = container.domains.mirror
    if body.link is not None:
        return mirror.diff_link(body.link)
    assert body.source is not None and body.target is not None
    return mirror.diff_paths(
        body.source,
        body.target,
        source_format=body.source_format,
        target_format=body.target_format,
    )
