"""``/api/v1/libraries``: music and movie libraries (Plex tokens are write-only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import ContainerDep
from app.api.library_schemas import LibraryCreate, LibraryOut, LibraryPage, LibraryUpdate
from app.api.schemas import Problem

router = APIRouter(prefix="/libraries", tags=["libraries"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**_problem, "description": "no such library"},
    409: {**_problem, "description": "name taken, or the library is in use"},
    422: {**_problem, "description": "invalid configuration"},
}


@router.get("", response_model=LibraryPage)
def list_libraries(container: ContainerDep, kind: str | None = None) -> LibraryPage:
    items = container.domains.libraries.libraries(kind=kind)
    return LibraryPage(items=[LibraryOut.of(item) for item in items], total=len(items))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LibraryOut, responses=ERRORS)
def create_library(body: LibraryCreate, container: ContainerDep, response: Response) -> LibraryOut:
    library = container.domains.libraries.add_library(
        kind=body.kind,
        name=body.name,
        config=body.config,
        secret=body.token,
        path_mappings=[m.model_dump() for m in body.path_mappings],
    )
    response.headers["Location"] = f"/api/v1/libraries/{library.id}"
    return LibraryOut.of(library)


@router.get("/{library_id}", response_model=LibraryOut, responses=ERRORS)
def get_library(library_id: int, container: ContainerDep) -> LibraryOut:
    return LibraryOut.of(container.domains.libraries.library(library_id))


@router.patch("/{library_id}", response_model=LibraryOut, responses=ERRORS)
def update_library(library_id: int, body: LibraryUpdate, container: ContainerDep) -> LibraryOut:
    mappings = body.path_mappings
    return LibraryOut.of(
        container.domains.libraries.update_library(
            library_id,
            name=body.name,
            config=body.config,
            secret=body.token,
            path_mappings=None if mappings is None else [m.model_dump() for m in mappings],
        )
    )


@router.delete("/{library_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
def delete_library(library_id: int, container: ContainerDep) -> Response:
    container.domains.libraries.delete_library(library_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
