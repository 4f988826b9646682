"""Request-scoped access to the container that ``create_app`` built at startup."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.bootstrap import Container
from app.services.jobs.service import JobService
from app.services.system.insights import Insights


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_jobs(container: Annotated[Container, Depends(get_container)]) -> JobService:
    return container.jobs


def get_insights(container: Annotated[Container, Depends(get_container)]) -> Insights:
    return container.insights


ContainerDep = Annotated[Container, Depends(get_container)]
JobsDep = Annotated[JobService, Depends(get_jobs)]
InsightsDep = Annotated[Insights, Depends(get_insights)]
