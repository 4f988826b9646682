"""Shared fixtures: settings in a temporary data dir, fresh databases, real redis, app client.

``redis_url`` and ``postgres_url`` come from CROSSFADE_TEST_REDIS_URL and
CROSSFADE_TEST_POSTGRES_URL (``scripts/test`` starts both). When one is unset the test is
skipped, except under CI (CI=true), where it fails: CI must run them.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app.adapters.db import migrate
from app.adapters.db.engine import SessionFactory, create_db_engine, create_session_factory
from app.bootstrap import Container, build_container
from app.main import create_app
from app.services.jobs.context import ContextTiming
from app.settings import Settings, load_settings
from tests.auth_support import set_up_admin

REDIS_ENV = "CROSSFADE_TEST_REDIS_URL"
POSTGRES_ENV = "CROSSFADE_TEST_POSTGRES_URL"

# Fast enough for tests, still exercising batching and throttling.
FAST_TIMING = ContextTiming(
    progress_interval_s=0.2, event_batch_size=50, event_interval_s=0.2, cancel_check_interval_s=0.0
)


def required_service_url(env_name: str) -> str:
    url = os.environ.get(env_name)
    if url:
        return url
    message = f"{env_name} is not set (scripts/test starts the service and sets it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


Waiter = Callable[..., None]


def wait_until(
    predicate: Callable[[], bool], *, timeout_s: float = 20.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def wait() -> Waiter:
    """``wait(predicate, timeout_s=..., what=...)``: poll until true, fail on timeout."""
    return wait_until


def worker_redis_url(base_url: str, worker_id: str) -> str:
    """The redis database of one pytest-xdist worker: ``gw0`` gets database 1, ``gw1`` database
    2, and so on (``master``, a run without workers, keeps the URL's own database), so that one
    worker's ``flushdb`` never empties another's queue."""
    if not worker_id.startswith("gw"):
        return base_url
    database = 1 + int(worker_id[2:]) % 15
    return urlsplit(base_url)._replace(path=f"/{database}").geturl()


@pytest.fixture
def redis_url(worker_id: str) -> Iterator[str]:
    """A real redis, emptied before and after the test (arq job ids repeat across tests)."""
    url = worker_redis_url(required_service_url(REDIS_ENV), worker_id)
    client: Redis = Redis.from_url(url)
    try:
        client.flushdb()
        yield url
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL with a fresh, empty schema first on the search path."""
    base_url = required_service_url(POSTGRES_ENV)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def migrated_engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with the schema at head."""
    engine = create_db_engine(db_url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(migrated_engine: Engine) -> SessionFactory:
    return create_session_factory(migrated_engine)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults in a temporary data dir: SQLite, in-process jobs."""
    return load_settings(
        data_dir=tmp_path / "data",
        database_url=None,
        redis_url=None,
        secret_key="test-secret-key",
        inline_workers=2,
    )


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    """A started container (schema at head) on ``settings``, closed after the test."""
    built = build_container(settings, timing=FAST_TIMING)
    try:
        built.startup()
        yield built
    finally:
        built.close()


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """The real application (lifespan included) on ``settings``, signed in as the admin: the
    first-run setup page created the admin, the client holds the session cookie and sends the
    session's CSRF token (``X-CSRF-Token``) with every request, as the dashboard's HTMX does."""
    application = create_app(
        settings, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    with TestClient(application) as client:
        set_up_admin(client)
        yield client


@pytest.fixture
def anonymous_client(settings: Settings) -> Iterator[TestClient]:
    """The real application with no admin yet and no credentials."""
    application = create_app(
        settings, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    with TestClient(application) as client:
        yield client
