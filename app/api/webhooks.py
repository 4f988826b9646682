"""``/api/v1/webhooks``: manage webhook endpoints (in) and outgoing webhooks (admin).

Creating an endpoint, or rotating its secret, is the only answer that holds the secret and
the ready-to-paste URL; afterwards only ``url_template`` (without the secret) is shown.
Outgoing URLs are shown as scheme, host and port only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from app.api.deps import ContainerDep
from app.api.hook_schemas import (
    DeliveryOut,
    DeliveryPage,
    EndpointCreate,
    EndpointCreated,
    EndpointOut,
    EndpointPage,
    EndpointUpdate,
    OutgoingCreate,
    OutgoingOut,
    OutgoingPage,
    OutgoingTestResult,
    OutgoingUpdate,
)
from app.api.schemas import Problem
from app.domain.hooks import MAX_ID, hook_url
from app.services.hooks.endpoints import NewEndpoint

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

EndpointId = Annotated[int, Path(ge=1, le=MAX_ID)]
HookId = Annotated[int, Path(ge=1, le=MAX_ID)]

_problem = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**_problem, "description": "no such webhook"},
    409: {**_problem, "description": "the name is taken"},
    422: {**_problem, "description": "invalid source, links, options, URL or events"},
}


def _base_url(request: Request) -> str:
    return str(request.base_url)


def _created(new: NewEndpoint, request: Request) -> EndpointCreated:
    shown = EndpointOut.of(new.endpoint, _base_url(request))
    return EndpointCreated(
        **shown.model_dump(),
        secret=new.secret,
        url=hook_url(_base_url(request), new.endpoint.source, new.secret),
    )


# -- outgoing (declared first: "/outgoing" must not be read as an endpoint id) --------------


@router.get("/outgoing", response_model=OutgoingPage)
def list_outgoing(container: ContainerDep) -> OutgoingPage:
    items = container.hooks.outgoing.hooks()
    return OutgoingPage(items=[OutgoingOut.of(item) for item in items], total=len(items))


@router.post(
    "/outgoing", status_code=status.HTTP_201_CREATED, response_model=OutgoingOut, responses=ERRORS
)
def create_outgoing(
    body: OutgoingCreate, container: ContainerDep, response: Response
) -> OutgoingOut:
    hook = container.hooks.outgoing.create(
        name=body.name, url=body.url, events=list(body.events), enabled=body.enabled
    )
    response.headers["Location"] = f"/api/v1/webhooks/outgoing/{hook.id}"
    return OutgoingOut.of(hook)


@router.get("/outgoing/{hook_id}", response_model=OutgoingOut, responses=ERRORS)
def get_outgoing(hook_id: HookId, container: ContainerDep) -> OutgoingOut:
    return OutgoingOut.of(container.hooks.outgoing.get(hook_id))


@router.patch("/outgoing/{hook_id}", response_model=OutgoingOut, responses=ERRORS)
def update_outgoing(hook_id: HookId, body: OutgoingUpdate, container: ContainerDep) -> OutgoingOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return OutgoingOut.of(container.hooks.outgoing.update(hook_id, **changes))


@router.delete("/outgoing/{hook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
def delete_outgoing(hook_id: HookId, container: ContainerDep) -> Response:
    container.hooks.outgoing.delete(hook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/outgoing/{hook_id}/test", response_model=OutgoingTestResult, responses=ERRORS)
def test_outgoing(hook_id: HookId, container: ContainerDep) -> OutgoingTestResult:
    """POST a ``test`` event to the URL now and say how it answered."""
    result = container.hooks.outgoing.send_test(hook_id)
    return OutgoingTestResult(ok=result.ok, status=result.status, error=result.error)


# -- endpoints ------------------------------------------------------------------------------


@router.get("", response_model=EndpointPage)
def list_endpoints(request: Request, container: ContainerDep) -> EndpointPage:
    items = container.hooks.inbound.endpoints()
    base = _base_url(request)
    return EndpointPage(items=[EndpointOut.of(item, base) for item in items], total=len(items))


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=EndpointCreated, responses=ERRORS
)
def create_endpoint(
    body: EndpointCreate, request: Request, container: ContainerDep, response: Response
) -> EndpointCreated:
    """The answer holds the secret URL: this is the only time it is shown."""
    new = container.hooks.inbound.create_endpoint(
        name=body.name,
        source=body.source,
        link_ids=body.link_ids,
        options=body.options,
        enabled=body.enabled,
    )
    response.headers["Location"] = f"/api/v1/webhooks/{new.endpoint.id}"
    return _created(new, request)


@router.get("/{endpoint_id}", response_model=EndpointOut, responses=ERRORS)
def get_endpoint(endpoint_id: EndpointId, request: Request, container: ContainerDep) -> EndpointOut:
    return EndpointOut.of(container.hooks.inbound.endpoint(endpoint_id), _base_url(request))


@router.patch("/{endpoint_id}", response_model=EndpointOut, responses=ERRORS)
def update_endpoint(
    endpoint_id: EndpointId, body: EndpointUpdate, request: Request, container: ContainerDep
) -> EndpointOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    endpoint = container.hooks.inbound.update_endpoint(endpoint_id, **changes)
    return EndpointOut.of(endpoint, _base_url(request))


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
def delete_endpoint(endpoint_id: EndpointId, container: ContainerDep) -> Response:
    container.hooks.inbound.delete_endpoint(endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{endpoint_id}/rotate", response_model=EndpointCreated, responses=ERRORS)
def rotate_secret(
    endpoint_id: EndpointId, request: Request, container: ContainerDep
) -> EndpointCreated:
    """A new secret and URL (shown this once); the old URL stops working at once."""
    return _created(container.hooks.inbound.rotate_secret(endpoint_id), request)


@router.get("/{endpoint_id}/deliveries", response_model=DeliveryPage, responses=ERRORS)
def deliveries(endpoint_id: EndpointId, container: ContainerDep) -> DeliveryPage:
    """The newest calls the endpoint received and what came of them."""
    items = container.hooks.inbound.deliveries(endpoint_id, limit=50)
    return DeliveryPage(endpoint_id=endpoint_id, items=[DeliveryOut.of(item) for item in items])
