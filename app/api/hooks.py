"""``/api/v1/hooks/{source}/{secret}``: the secret webhook URLs Plex, Radarr, Sonarr and scripts
call. They need no token (the secret is the credential); a wrong secret answers exactly like a
path that does not exist (404), before the body is read.

Answers: 202 when runs were queued or started, 200 when the call was understood and nothing
needed doing (``outcome: ignored``), 400/422 for a malformed body, 403 for a link the endpoint
may not start, 409 with ``job_id`` when the link is busy (generic), 422 when the links' kind
cannot run on this installation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.api.deps import ContainerDep
from app.api.hook_schemas import GenericHookBody, HookResult
from app.api.schemas import Problem
from app.domain.hook_records import EndpointRecord
from app.services.hooks.endpoints import HookOutcome, Outcome
from app.services.hooks.incoming import HookService

router = APIRouter(prefix="/hooks", tags=["webhooks in"])

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"model": HookResult, "description": "understood; nothing to do (see detail)"},
    400: {**_problem, "description": "an unreadable form"},
    404: {**_problem, "description": "no such webhook (a wrong or disabled secret)"},
    409: {**_problem, "description": "the link is busy; see job_id"},
    422: {**_problem, "description": "a malformed payload, or a link that cannot run here"},
}

PLEX_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "payload": {"type": "string", "description": "Plex's event as JSON"},
                        "thumb": {"type": "string", "format": "binary"},
                    },
                    "required": ["payload"],
                }
            }
        },
    }
}
ARR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"eventType": {"type": "string"}},
                    "required": ["eventType"],
                }
            }
        },
    }
}
GENERIC_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": GenericHookBody.model_json_schema()}},
    }
}


async def _endpoint(service: HookService, source: str, secret: str) -> EndpointRecord:
    return await run_in_threadpool(service.authenticate, source, secret)


def _answer(outcome: HookOutcome, response: Response) -> HookResult:
    if outcome.outcome == Outcome.IGNORED:
        response.status_code = status.HTTP_200_OK
    elif len(outcome.job_ids) == 1:
        response.headers["Location"] = f"/api/v1/jobs/{outcome.job_ids[0]}"
    return HookResult.of(outcome)


@router.post(
    "/plex/{secret}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=HookResult,
    responses=ERRORS,
    openapi_extra=PLEX_BODY,
)
async def plex_hook(
    secret: str, request: Request, response: Response, container: ContainerDep
) -> HookResult:
    """Plex's webhook (multipart, field ``payload``): ``media.rate`` queues a sync of the
    ratings links that include the event's server and section (debounced per link)."""
    service = container.hooks.inbound
    endpoint = await _endpoint(service, "plex", secret)
    payload: str | bytes | None
    if request.headers.get("content-type", "").startswith("application/json"):
        payload = await request.body()
    else:
        async with request.form() as form:  # closes the thumb's temporary file
            field = form.get("payload")
            payload = await field.read() if isinstance(field, UploadFile) else field
    outcome = await run_in_threadpool(service.handle_plex, endpoint, payload)
    return _answer(outcome, response)


async def _arr(source: str, secret: str, request: Request, container: ContainerDep) -> HookOutcome:
    service = container.hooks.inbound
    endpoint = await _endpoint(service, source, secret)
    body = await request.body()
    return await run_in_threadpool(service.handle_arr, endpoint, body)


@router.post(
    "/radarr/{secret}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=HookResult,
    responses=ERRORS,
    openapi_extra=ARR_BODY,
)
async def radarr_hook(
    secret: str, request: Request, response: Response, container: ContainerDep
) -> HookResult:
    """Radarr's webhook (Connect → Webhook, On Import / On Upgrade / On Rename): queues a run
    of the mirror links whose source folder holds that movie's folder."""
    return _answer(await _arr("radarr", secret, request, container), response)


@router.post(
    "/sonarr/{secret}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=HookResult,
    responses=ERRORS,
    openapi_extra=ARR_BODY,
)
async def sonarr_hook(
    secret: str, request: Request, response: Response, container: ContainerDep
) -> HookResult:
    """Sonarr's webhook: like Radarr's, with the series folder."""
    return _answer(await _arr("sonarr", secret, request, container), response)


@router.post(
    "/generic/{secret}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=HookResult,
    responses=ERRORS,
    openapi_extra=GENERIC_BODY,
)
async def generic_hook(
    secret: str, request: Request, response: Response, container: ContainerDep
) -> HookResult:
    """``{"link": 1, "mode": "sync", "dry_run": false}`` starts a run at once (no body: the
    endpoint's links); the answer names the job."""
    service = container.hooks.inbound
    endpoint = await _endpoint(service, "generic", secret)
    body = await request.body()
    outcome = await run_in_threadpool(service.handle_generic, endpoint, body)
    return _answer(outcome, response)
