"""``GET /api/v1/health``: version, database and queue. Never behind authentication."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.deps import ContainerDep
from app.api.schemas import DatabaseHealth, Health, QueueHealth

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "a part is not working"}},
)
def health(container: ContainerDep, response: Response) -> Health:
    report = container.health()
    response.status_code = 200 if report.ok else 503
    return Health(
        status="ok" if report.ok else "degraded",
        version=report.version,
        database=DatabaseHealth(ok=report.database_ok, detail=report.database_detail),
        queue=QueueHealth(
            mode=report.queue_mode, reachable=report.queue_reachable, detail=report.queue_detail
        ),
    )
