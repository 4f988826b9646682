import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import build_container
from app.main import create_app
from app.settings import load_settings


def test_health_inline(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": None}
    assert body["queue"] == {"mode": "inline", "reachable": True, "detail": None}
    assert body["version"]


@contextmanager
def arq_client(tmp_path: Path, redis_url: str) -> Iterator[TestClient]:
    settings = load_settings(data_dir=tmp_path / "d", database_url=None, redis_url=redis_url)
    with TestClient(create_app(settings, container_factory=build_container)) as client:
        yield client


@pytest.mark.redis
def test_health_arq_with_redis(tmp_path: Path, redis_url: str) -> None:
    with arq_client(tmp_path, redis_url) as client:
        body = client.get("/api/v1/health").json()
        assert body["queue"] == {"mode": "arq", "reachable": True, "detail": None}


def test_health_arq_without_redis_is_503(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with arq_client(tmp_path, f"redis://127.0.0.1:{port}/0") as client:
        response = client.get("/api/v1/health")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded"
        assert body["database"]["ok"] is True
        assert body["queue"]["reachable"] is False
        assert body["queue"]["detail"]
