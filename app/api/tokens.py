"""``/api/v1/tokens``: API tokens (admin scope). A new token is in the create response only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.auth import AuthDep
from app.api.schemas import Problem
from app.domain.auth import TOKEN_NAME_MAX, Scope
from app.domain.auth_records import TokenRecord

router = APIRouter(prefix="/tokens", tags=["tokens"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**_problem, "description": "no such token"},
    422: {**_problem, "description": "invalid name or scopes"},
}


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=TOKEN_NAME_MAX, examples=["home assistant"])
    scopes: list[Scope] = Field(
        min_length=1,
        max_length=3,
        examples=[["trigger"]],
        description="read: GET everything but tokens; trigger: read + run, cancel, undo jobs, "
        "resolve conflicts, decide matches; admin: everything",
    )


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[Scope]
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    active: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: TokenRecord) -> TokenOut:
        return cls(
            id=record.id,
            name=record.name,
            scopes=sorted(record.scopes, key=lambda scope: scope.rank),
            prefix=record.prefix,
            active=record.active,
            created_at=record.created_at,
            last_used_at=record.last_used_at,
            revoked_at=record.revoked_at,
        )


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself. Shown this once; only its hash is kept.")


class TokenPage(BaseModel):
    items: list[TokenOut]
    total: int


@router.get("", response_model=TokenPage)
def list_tokens(auth: AuthDep, include_revoked: bool = True) -> TokenPage:
    items = auth.tokens(include_revoked=include_revoked)
    return TokenPage(items=[TokenOut.of(item) for item in items], total=len(items))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenCreated, responses=ERRORS)
def create_token(body: TokenCreate, auth: AuthDep, response: Response) -> TokenCreated:
    issued = auth.create_token(body.name, body.scopes)
    response.headers["Location"] = f"/api/v1/tokens/{issued.record.id}"
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated(**TokenOut.of(issued.record).model_dump(), token=issued.secret)


@router.get("/{token_id}", response_model=TokenOut, responses=ERRORS)
def get_token(token_id: int, auth: AuthDep) -> TokenOut:
    return TokenOut.of(auth.token(token_id))


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
def revoke_token(token_id: int, auth: AuthDep) -> Response:
    """Revoke: the token stops working at once; it stays listed as revoked."""
    auth.revoke_token(token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
