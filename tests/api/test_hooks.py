"""The secret webhook URLs: no credentials needed, a wrong secret is an unknown path, Plex's
multipart form, Radarr/Sonarr and generic calls, and the Plex emulator's real webhook ending in
a sync of the right link."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.adapters.plex import PlexServerClient
from app.adapters.tags import read_file
from app.bootstrap import Container, HookTiming, build_container
from app.domain.hooks import hook_url
from app.domain.jobs import JobStatus, JobTrigger
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.main import create_app
from app.services.jobs.kinds import JobKindRegistry
from app.settings import Settings, load_settings
from plex_emulator.builder import Folder
from tests.auth_support import set_up_admin
from tests.conftest import FAST_TIMING, Waiter
from tests.emulator.support import running_emulator, write_library
from tests.services.hook_support import FakeKinds

FIRST = "Artist/Album/01 First.flac"


@contextmanager
def signed_in_app(settings: Settings, registry: JobKindRegistry | None) -> Iterator[TestClient]:
    """The app with its job kinds replaced (``None``: the real ones), admin signed in."""
    application = create_app(
        settings,
        container_factory=lambda s: build_container(
            s,
            job_kinds=registry,
            timing=FAST_TIMING,
            hook_timing=HookTiming(debounce_s=0.1),
        ),
    )
    with TestClient(application) as client:
        set_up_admin(client)
        yield client


@pytest.fixture
def kinds() -> FakeKinds:
    return FakeKinds(mirror=False)


@pytest.fixture
def client(settings: Settings, kinds: FakeKinds) -> Iterator[TestClient]:
    with signed_in_app(settings, kinds.registry()) as signed_in:
        yield signed_in
        kinds.hold.set()


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the tests that only need endpoints of their own (each names its own)."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("shared") / "data",
        database_url=None,
        redis_url=None,
        secret_key="test-secret-key",
    )
    with signed_in_app(settings, FakeKinds(mirror=False).registry()) as signed_in:
        yield signed_in


def outsider(client: TestClient) -> TestClient:
    """Another client of the same app: no session, no token."""
    return TestClient(client.app)


def endpoint(client: TestClient, source: str, **body: Any) -> tuple[int, str]:
    name = f"{source} {uuid.uuid4().hex[:8]}"
    response = client.post("/api/v1/webhooks", json={"name": name, "source": source, **body})
    assert response.status_code == 201, response.text
    created = response.json()
    return created["id"], created["secret"]


def folders_link(client: TestClient, tmp_path: Path, kind: str = "music_folder") -> int:
    ids = []
    for side in ("a", "b"):
        root = tmp_path / f"{kind}-{side}"
        root.mkdir()
        response = client.post(
            "/api/v1/libraries",
            json={"kind": kind, "name": f"{kind}-{side}", "config": {"root": str(root)}},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    link_kind = "ratings" if kind == "music_folder" else "mirror"
    response = client.post(
        "/api/v1/links",
        json={"kind": link_kind, "library_a_id": ids[0], "library_b_id": ids[1]},
    )
    assert response.status_code == 201, response.text
    link_id: int = response.json()["id"]
    return link_id


def plex_form(event: str, section_id: int = 1) -> dict[str, tuple[None, str, str]]:
    payload = {
        "event": event,
        "Server": {"uuid": "x"},
        "Metadata": {"librarySectionID": section_id},
    }
    return {"payload": (None, json.dumps(payload), "application/json")}


def test_a_wrong_secret_looks_like_a_path_that_does_not_exist(
    shared_client: TestClient,
) -> None:
    _, secret = endpoint(shared_client, "plex")
    anonymous = outsider(shared_client)
    unknown_path = anonymous.post("/api/v1/hooks/plex/nothing/here")
    assert unknown_path.status_code == 404
    for path in (
        "/api/v1/hooks/plex/wrong-secret",
        f"/api/v1/hooks/radarr/{secret}",  # a plex secret on the radarr URL
        f"/api/v1/hooks/generic/{secret}",
        "/api/v1/hooks/plex/" + "x" * 300,
    ):
        response = anonymous.post(path, files=plex_form("media.rate"))
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert {k: body[k] for k in ("title", "detail", "code")} == {
            k: unknown_path.json()[k] for k in ("title", "detail", "code")
        }


def test_plex_hooks_need_no_credentials(shared_client: TestClient) -> None:
    _, secret = endpoint(shared_client, "plex")
    anonymous = outsider(shared_client)
    response = anonymous.post(f"/api/v1/hooks/plex/{secret}", files=plex_form("media.play"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outcome"] == "ignored" and "not an event" in body["detail"]
    as_json = anonymous.post(
        f"/api/v1/hooks/plex/{secret}",
        content=json.dumps({"event": "media.rate", "Metadata": {"librarySectionID": 4}}),
        headers={"Content-Type": "application/json"},
    )
    assert as_json.status_code == 200 and as_json.json()["outcome"] == "ignored"
    assert "no ratings link" in as_json.json()["detail"]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [
        ({"files": {"thumb": ("t.jpg", b"\xff\xd8", "image/jpeg")}}, 422, "invalid_input"),
        ({"files": {"payload": (None, "not json", "text/plain")}}, 422, "invalid_input"),
        (
            {
                "content": b"--x\r\nbroken",
                "headers": {"Content-Type": "multipart/form-data"},  # no boundary
            },
            400,
            None,
        ),
        ({"content": b"\x00\x01", "headers": {"Content-Type": "application/json"}}, 422, None),
        ({"data": {"payload": '{"event": 1}'}}, 422, "invalid_input"),
    ],
)
def test_malformed_plex_calls_are_client_errors(
    shared_client: TestClient, request_kwargs: dict[str, Any], status: int, code: str | None
) -> None:
    _, secret = endpoint(shared_client, "plex")
    response = outsider(shared_client).post(f"/api/v1/hooks/plex/{secret}", **request_kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code


def test_radarr_refuses_while_mirror_runs_are_missing(client: TestClient, tmp_path: Path) -> None:
    link = folders_link(client, tmp_path, kind="movie_folder")
    endpoint_id, secret = endpoint(client, "radarr")
    folder = tmp_path / "movie_folder-a" / "Heat (1995)"
    body = {"eventType": "Download", "movie": {"title": "Heat", "folderPath": str(folder)}}
    response = outsider(client).post(f"/api/v1/hooks/radarr/{secret}", json=body)
    assert response.status_code == 422
    assert "not available on this installation" in response.json()["detail"]
    test_call = outsider(client).post(f"/api/v1/hooks/radarr/{secret}", json={"eventType": "Test"})
    assert test_call.status_code == 200 and test_call.json()["outcome"] == "ignored"

    deliveries = client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries").json()["items"]
    assert [(d["event"], d["outcome"]) for d in deliveries] == [
        ("Test", "ignored"),
        ("Download", "refused"),
    ]
    assert deliveries[1]["link_ids"] == [link]


def test_sonarr_ignores_folders_no_link_holds(shared_client: TestClient) -> None:
    _, secret = endpoint(shared_client, "sonarr")
    body = {"eventType": "Download", "series": {"title": "Show", "path": "/tv/Show"}}
    response = outsider(shared_client).post(f"/api/v1/hooks/sonarr/{secret}", json=body)
    assert response.status_code == 200 and "no mirror link" in response.json()["detail"]


def test_generic_starts_a_run_and_names_it(
    client: TestClient, kinds: FakeKinds, tmp_path: Path, wait: Waiter
) -> None:
    link = folders_link(client, tmp_path)
    _, secret = endpoint(client, "generic", link_ids=[link])
    anonymous = outsider(client)
    kinds.hold.clear()
    response = anonymous.post(f"/api/v1/hooks/generic/{secret}", json={"link": link})
    assert response.status_code == 202, response.text
    [job_id] = response.json()["job_ids"]
    assert response.headers["location"] == f"/api/v1/jobs/{job_id}"
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["trigger"], job["link_id"]) == ("webhook", link)

    busy = anonymous.post(f"/api/v1/hooks/generic/{secret}")
    assert busy.status_code == 409 and busy.json()["job_id"] == job_id
    forbidden = anonymous.post(f"/api/v1/hooks/generic/{secret}", json={"link": link + 1})
    assert forbidden.status_code == 403
    bad = anonymous.post(f"/api/v1/hooks/generic/{secret}", json={"link": "one"})
    assert bad.status_code == 422
    kinds.hold.set()
    wait(
        lambda: client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "succeeded",
        what="the run",
    )


@pytest.mark.parametrize("source", ["plex", "radarr", "sonarr", "generic"])
def test_garbage_never_breaks_a_hook(shared_client: TestClient, source: str) -> None:
    _, secret = endpoint(shared_client, source)
    anonymous = outsider(shared_client)
    bodies: list[dict[str, Any]] = [
        {"content": b""},
        {"content": b"[]", "headers": {"Content-Type": "application/json"}},
        {"content": b"{" * 5000, "headers": {"Content-Type": "application/json"}},
        {"content": "ünï".encode("latin-1"), "headers": {"Content-Type": "text/plain"}},
        {"json": {"eventType": None, "event": None, "link": None}},
        {"json": {"eventType": "Download", "movie": "x", "series": [1]}},
        {"data": {"payload": "{}"}},
    ]
    for body in bodies:
        response = anonymous.post(f"/api/v1/hooks/{source}/{secret}", **body)
        assert response.status_code < 500, (body, response.text)


# -- the Plex emulator's real webhook ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(application: FastAPI) -> Iterator[str]:
    """The app on a real loopback port (the emulator must reach it over HTTP)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_a_rating_in_plex_syncs_that_link_through_the_webhook(
    settings: Settings,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    wait: Waiter,
) -> None:
    music = write_library(tmp_path / "music", tmp_path_factory)
    application = create_app(
        settings,
        container_factory=lambda s: build_container(
            s, timing=FAST_TIMING, hook_timing=HookTiming(debounce_s=1.0)
        ),
    )
    with running_emulator(music=[Folder(str(music))]) as emulator, served(application) as base:
        container: Container = application.state.container
        with PlexServerClient(emulator.url, emulator.owner_token) as plex:
            section = next(s for s in plex.list_sections() if s.is_music)
            key = next(
                t.rating_key
                for t in plex.iter_tracks(section.section_id)
                if str(music / FIRST) in t.file_paths
            )
            catalog = container.domains.libraries
            plex_library = catalog.add_library(
                kind="plex_music",
                name="Emulated Plex",
                config={"base_url": emulator.url, "section_ids": [section.section_id]},
                secret=emulator.owner_token,
            )
            files = catalog.add_library(
                kind="music_folder", name="Files", config={"root": str(music)}
            )
            link = catalog.add_link(
                kind="ratings", library_a_id=plex_library.id, library_b_id=files.id
            )
            new = container.hooks.inbound.create_endpoint(name="Plex", source="plex")
            emulator.webhooks.add_target(hook_url(base, "plex", new.secret))

            plex.rate(key, 8)  # 4 stars; the emulator posts media.rate to our URL
            plex.rate(key, 9)  # changed its mind at once: still one run

            def synced() -> bool:
                jobs = container.jobs.page().items
                return bool(jobs) and all(job.status is JobStatus.SUCCEEDED for job in jobs)

            wait(synced, timeout_s=30, what="the webhook's sync")
            jobs = container.jobs.page().items
            assert [(job.link_id, job.trigger, job.kind) for job in jobs] == [
                (link.id, JobTrigger.WEBHOOK, "ratings_sync")
            ]
            assert [d.status for d in emulator.webhooks.deliveries] == [202, 202]
            [delivery, _] = container.hooks.inbound.deliveries(new.endpoint.id)
            assert (delivery.event, delivery.outcome) == ("media.rate", "queued")
    stars = read_file(music / FIRST).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    assert stars is not None and stars.stars == 4.5
