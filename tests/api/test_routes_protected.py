"""Every route of the real app refuses a request without credentials, except the few public
ones named here. Routes added later are walked too: a new public route must be added to
PUBLIC on purpose, and a new kind of route fails the walk until it is thought about."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import WebSocket, WebSocketDisconnect
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from app.bootstrap import build_container
from app.main import create_app
from app.settings import Settings
from tests.auth_support import set_up_admin
from tests.conftest import FAST_TIMING

PUBLIC_PATHS = {"/api/v1/health", "/login", "/setup"}
PUBLIC_PREFIXES = ("/api/v1/hooks/",)
PUBLIC_MOUNTS = {"/static"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str

    @property
    def path(self) -> str:
        return re.sub(r"\{[^}:]+(:path)?\}", lambda m: "x/y" if m.group(1) else "1", self.template)

    @property
    def public(self) -> bool:
        return self.template in PUBLIC_PATHS or self.template.startswith(PUBLIC_PREFIXES)


def walk(routes: list[BaseRoute]) -> Iterator[Endpoint]:
    """Every (method, path template) the app answers, through included routers and mounts."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        path = context.path_format or context.path or ""
        if isinstance(route, Mount):
            path = context.path or ""
            if path not in PUBLIC_MOUNTS:
                yield Endpoint("GET", f"{path}/anything")
        elif isinstance(route, APIRoute | Route):
            for method in sorted(context.methods or {"GET"}):
                yield Endpoint(method, path)
        elif isinstance(route, WebSocketRoute | APIWebSocketRoute):
            yield Endpoint("WEBSOCKET", path)
        else:
            pytest.fail(f"unknown kind of route {type(route).__name__}: teach this test about it")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    application = create_app(
        settings, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    with TestClient(application) as client:
        yield client


def endpoints(client: TestClient) -> list[Endpoint]:
    found = list(walk(list(client.app.routes)))
    assert len(found) > 30, found
    return found


def assert_refused(anonymous: TestClient, endpoint: Endpoint, *, page_target: str) -> None:
    if endpoint.method == "WEBSOCKET":
        with pytest.raises(WebSocketDisconnect), anonymous.websocket_connect(endpoint.path):
            pass
        return
    response = anonymous.request(endpoint.method, endpoint.path, follow_redirects=False)
    where = f"{endpoint.method} {endpoint.template}"
    if endpoint.template.startswith("/api/"):
        assert response.status_code == 401, where
        assert response.headers["content-type"] == "application/problem+json", where
        assert response.headers["www-authenticate"].startswith("Bearer"), where
    elif endpoint.method == "HEAD":
        assert response.status_code in (303, 405), where
    else:
        assert response.status_code == 303, where
        assert response.headers["location"].startswith(page_target), where


def test_every_route_refuses_anonymous_requests(client: TestClient) -> None:
    set_up_admin(client)
    anonymous = TestClient(client.app)
    checked = 0
    for endpoint in endpoints(client):
        if endpoint.public:
            continue
        assert_refused(anonymous, endpoint, page_target="/login")
        checked += 1
    assert checked > 25


def test_before_setup_every_page_leads_to_setup(client: TestClient) -> None:
    for endpoint in endpoints(client):
        if endpoint.public:
            continue
        assert_refused(client, endpoint, page_target="/setup")


def test_only_the_named_routes_are_public(client: TestClient) -> None:
    set_up_admin(client)
    anonymous = TestClient(client.app)
    public = [endpoint for endpoint in endpoints(client) if endpoint.public]
    templates = {endpoint.template for endpoint in public}
    assert {"/api/v1/health", "/login", "/setup"} <= templates
    assert all(t in PUBLIC_PATHS or t.startswith(PUBLIC_PREFIXES) for t in templates), templates
    health = anonymous.get("/api/v1/health")
    assert health.status_code == 200
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/static/htmx.min.js").status_code == 200


def test_a_route_added_later_is_guarded_too(settings: Settings) -> None:
    application = create_app(
        settings, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )

    @application.get("/api/v1/brand-new")
    def brand_new_api() -> dict[str, str]:
        return {"secret": "data"}

    @application.get("/brand-new-page")
    def brand_new_page() -> dict[str, str]:
        return {"secret": "data"}

    @application.websocket("/brand-new-socket")
    async def brand_new_socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("secret data")
        await websocket.close()

    with TestClient(application) as client:
        set_up_admin(client)
        anonymous = TestClient(application)
        assert anonymous.get("/api/v1/brand-new").status_code == 401
        page = anonymous.get("/brand-new-page", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fbrand-new-page"
        assert client.get("/api/v1/brand-new").json() == {"secret": "data"}
        with pytest.raises(WebSocketDisconnect), anonymous.websocket_connect("/brand-new-socket"):
            pass
        with client.websocket_connect("/brand-new-socket") as socket:
            assert socket.receive_text() == "secret data"
