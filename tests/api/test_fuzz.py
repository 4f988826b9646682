"""Schemathesis against the real app's OpenAPI, signed in: no generated input may cause a 5xx.

The app runs under uvicorn on loopback (lifespan, middleware, SQLite, the in-process job
runner: all real). Every operation in the schema is fuzzed with a bounded, derandomized
number of examples, so the run is reproducible and takes well under a minute.

A generated ``Authorization`` header (the schema declares the bearer scheme) is sent once as
generated (garbage must be a 401, never a 5xx), then the request is repeated with the admin's
session alone, so every operation is really exercised.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from app.bootstrap import build_container
from app.main import create_app
from app.settings import load_settings
from tests.auth_support import CSRF_HEADER, set_up_admin
from tests.conftest import FAST_TIMING

# CROSSFADE_FUZZ_DEEP=1 adds schemathesis' coverage phase (boundary and negative values for
# every parameter) and more examples: about three times as long, for a run by hand.
DEEP = os.environ.get("CROSSFADE_FUZZ_DEEP") == "1"
MAX_EXAMPLES = 50 if DEEP else 15
AUTH_REFUSALS = {"unauthorized", "setup_required", "forbidden", "csrf_failed"}
# Every response must be what the schema says: a documented status, its media type, its schema.
RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class LiveApp:
    base_url: str
    session: requests.Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "data"
    app_settings = load_settings(
        data_dir=data_dir, database_url=None, redis_url=None, secret_key="fuzz-secret"
    )
    application = create_app(
        app_settings, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url) as browser:
            csrf = set_up_admin(browser)
            cookies = dict(browser.cookies.items())
        session = requests.Session()
        session.cookies.update(cookies)
        session.headers[CSRF_HEADER] = csrf
        yield LiveApp(base_url=base_url, session=session)
        # Stop what the fuzzer started (a generated self-test may run for seconds) so the
        # server shuts down promptly.
        for job in session.get(f"{base_url}/api/v1/jobs?status=running&status=queued").json()[
            "items"
        ]:
            session.post(f"{base_url}/api/v1/jobs/{job['id']}/cancel")
        session.close()
    finally:
        server.should_exit = True
        thread.join(60)


@pytest.fixture(scope="module")
def api_schema(live_app: LiveApp) -> schemathesis.BaseSchema:
    document = live_app.session.get(f"{live_app.base_url}/api/v1/openapi.json").json()
    assert len(document["paths"]) > 20
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": DEEP}}})
    return schemathesis.openapi.from_dict(document, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_generated_request_causes_a_server_error(
    case: schemathesis.Case, live_app: LiveApp
) -> None:
    if "Authorization" in case.headers:
        garbled = case.call(base_url=live_app.base_url, session=live_app.session, timeout=30)
        assert garbled.status_code < 500, (case.headers, garbled.text[:500])
        case.validate_response(garbled, checks=RESPONSE_CHECKS)
        del case.headers["Authorization"]
    response = case.call(base_url=live_app.base_url, session=live_app.session, timeout=30)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n"
        f"query={case.query!r} body={case.body!r}\n{response.text[:2000]}"
    )
    case.validate_response(response, checks=RESPONSE_CHECKS)
    if response.status_code in (401, 403):
        code = response.json().get("code")
        assert code not in AUTH_REFUSALS, (
            f"{case.method} {case.formatted_path} was refused ({code}): the fuzzer must be "
            f"signed in\n{response.text[:500]}"
        )
