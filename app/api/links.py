"""``/api/v1/links``: what to keep in step between two libraries, and running it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import ContainerDep
from app.api.library_schemas import LinkCreate, LinkOut, LinkPage, LinkRun, LinkUpdate
from app.api.schemas import JobOut, Problem
from app.domain.jobs import JobTrigger

router = APIRouter(prefix="/links", tags=["links"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**_problem, "description": "no such link or library"},
    409: {**_problem, "description": "a job for these libraries is active; see job_id"},
    422: {**_problem, "description": "invalid link"},
}


@router.get("", response_model=LinkPage)
def list_links(container: ContainerDep, kind: str | None = None) -> LinkPage:
    items = container.domains.libraries.links(kind=kind)
    return LinkPage(items=[LinkOut.of(item) for item in items], total=len(items))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LinkOut, responses=ERRORS)
def create_link(body: LinkCreate, container: ContainerDep, response: Response) -> LinkOut:
    link = container.domains.libraries.add_link(**body.model_dump())
    response.headers["Location"] = f"/api/v1/links/{link.id}"
    return LinkOut.of(link)


@router.get("/{link_id}", response_model=LinkOut, responses=ERRORS)
def get_link(link_id: int, container: ContainerDep) -> LinkOut:
    return LinkOut.of(container.domains.libraries.link(link_id))


@router.patch("/{link_id}", response_model=LinkOut, responses=ERRORS)
def update_link(link_id: int, body: LinkUpdate, container: ContainerDep) -> LinkOut:
    changes = body.model_dump(exclude_unset=True)
    return LinkOut.of(container.domains.libraries.update_link(link_id, **changes))


@router.delete("/{link_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
def delete_link(link_id: int, container: ContainerDep) -> Response:
    container.domains.libraries.delete_link(link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{link_id}/run", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut, responses=ERRORS
)
def run_link(
    link_id: int, container: ContainerDep, response: Response, body: LinkRun | None = None
) -> JobOut:
    """Queue a run; ``dry_run`` plans and reports without writing anything anywhere."""
    body = body or LinkRun()
    job = container.link_runs.run(
        link_id,
        mode=body.mode,
        dry_run=body.dry_run,
        trigger=JobTrigger.API,
        file_cache=body.file_cache,
    )
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)
