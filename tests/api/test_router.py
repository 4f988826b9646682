from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient

from app.api import build_api_router
from app.api.errors import install_error_handlers
from app.bootstrap import build_container
from app.settings import load_settings


def deny() -> None:
    raise HTTPException(status_code=401, detail="no token")


def test_dependencies_guard_every_router_but_health(tmp_path: Path) -> None:
    container = build_container(load_settings(data_dir=tmp_path, redis_url=None))
    container.startup()
    app = FastAPI()
    app.state.container = container
    install_error_handlers(app)
    app.include_router(build_api_router(dependencies=[Depends(deny)]))
    try:
        with TestClient(app) as client:
            assert client.get("/api/v1/health").status_code == 200
            denied = client.get("/api/v1/jobs")
            assert denied.status_code == 401
            assert denied.headers["content-type"] == "application/problem+json"
            assert client.post("/api/v1/jobs", json={"kind": "selftest"}).status_code == 401
    finally:
        container.close()
