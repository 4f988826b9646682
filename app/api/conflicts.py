"""``/api/v1/conflicts`` and ``/api/v1/matches``: what the ratings sync needs a person for."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import ContainerDep
from app.api.library_schemas import (
    ConflictOut,
    ConflictPage,
    ConflictResolve,
    MatchDecision,
    MatchOut,
    MatchPage,
)
from app.api.schemas import Problem

router = APIRouter(tags=["conflicts"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**_problem, "description": "no such conflict or match"},
    422: {**_problem, "description": "invalid choice, or the conflict is closed"},
    502: {**_problem, "description": "the Plex server failed"},
}


@router.get("/conflicts", response_model=ConflictPage)
def list_conflicts(
    container: ContainerDep,
    status: Annotated[str | None, Query(pattern="^(open|resolved|skipped)$")] = "open",
    link: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ConflictPage:
    items, total = container.domains.review.conflicts(
        status=status, link_id=link, limit=limit, offset=offset
    )
    return ConflictPage(
        items=[ConflictOut.of(item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/conflicts/{conflict_id}", response_model=ConflictOut, responses=ERRORS)
def get_conflict(conflict_id: int, container: ContainerDep) -> ConflictOut:
    return ConflictOut.of(container.domains.review.conflict(conflict_id))


@router.post("/conflicts/{conflict_id}/resolve", response_model=ConflictOut, responses=ERRORS)
def resolve_conflict(
    conflict_id: int, body: ConflictResolve, container: ContainerDep
) -> ConflictOut:
    """Write the chosen rating to both sides and record it as the pair's baseline."""
    return ConflictOut.of(
        container.domains.review.resolve(conflict_id, choice=body.choice, stars=body.stars)
    )


@router.get("/matches", response_model=MatchPage)
def list_matches(
    container: ContainerDep,
    status: Annotated[str | None, Query(pattern="^(auto|review|confirmed|rejected)$")] = "review",
    link: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> MatchPage:
    items, total = container.domains.review.matches(
        status=status, link_id=link, limit=limit, offset=offset
    )
    return MatchPage(
        items=[MatchOut.of(item) for item in items], total=total, limit=limit, offset=offset
    )


@router.post("/matches/{match_id}", response_model=MatchOut, responses=ERRORS)
def decide_match(match_id: int, body: MatchDecision, container: ContainerDep) -> MatchOut:
    """``confirm`` (synced from the next run on, kept when the file moves) or ``reject``."""
    return MatchOut.of(container.domains.review.decide_match(match_id, body.decision))
