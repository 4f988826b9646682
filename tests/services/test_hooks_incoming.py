"""Webhooks in: endpoints and their secrets (only a digest kept, rotation, validation), and
debounced runs that are still pending at close, on a real container."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Container, HookTiming, build_container
from app.domain.errors import InvalidInput, NotFound
from app.domain.jobs import JobStatus, JobTrigger
from app.settings import Settings
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.conftest import FAST_TIMING
from tests.emulator.support import OWNER_TOKEN
from tests.services.hook_support import (
    FakeKinds,
    folder,
    make_container,
    ratings_link,
)


@pytest.fixture
def kinds() -> FakeKinds:
    return FakeKinds(mirror=False)


@pytest.fixture
def world(settings: Settings, kinds: FakeKinds) -> Iterator[Container]:
    container = make_container(settings, kinds)
    try:
        yield container
    finally:
        kinds.hold.set()
        container.close()


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    state = EmulatorState()
    state.add_account("owner", OWNER_TOKEN, owner=True)
    with EmulatorServer(state) as server:
        yield server


# -- endpoints and secrets ------------------------------------------------------------------


def test_endpoints_keep_only_a_digest_of_their_secret(world: Container) -> None:
    hooks = world.hooks.inbound
    new = hooks.create_endpoint(name=" Plex ", source="plex")
    assert new.endpoint.name == "Plex" and new.endpoint.options == {"on_library_new": False}
    assert len(new.secret) >= 43 and new.secret.replace("-", "").replace("_", "").isalnum()
    assert hooks.authenticate("plex", new.secret) == new.endpoint
    with world.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT secret_digest FROM webhook_endpoint").scalar()
    assert stored is not None and new.secret not in stored

    for source, secret in [
        ("plex", new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B")),
        ("radarr", new.secret),
        ("nope", new.secret),
        ("plex", ""),
        ("plex", "x" * 500),
    ]:
        with pytest.raises(NotFound) as caught:
            hooks.authenticate(source, secret)
        assert str(caught.value) == "Not Found"


def test_disabled_and_rotated_secrets_stop_working(world: Container) -> None:
    hooks = world.hooks.inbound
    new = hooks.create_endpoint(name="Plex", source="plex")
    hooks.update_endpoint(new.endpoint.id, enabled=False)
    with pytest.raises(NotFound):
        hooks.authenticate("plex", new.secret)
    hooks.update_endpoint(new.endpoint.id, enabled=True)
    rotated = hooks.rotate_secret(new.endpoint.id)
    assert rotated.secret != new.secret
    with pytest.raises(NotFound):
        hooks.authenticate("plex", new.secret)
    assert hooks.authenticate("plex", rotated.secret).id == new.endpoint.id


def test_endpoint_validation(world: Container, tmp_path: Path) -> None:
    hooks = world.hooks.inbound
    link = ratings_link(world, folder(world, tmp_path, "a"), folder(world, tmp_path, "b"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x", "source": "lidarr"}, "unknown source"),
        ({"name": " ", "source": "plex"}, "needs a name"),
        ({"name": "x", "source": "plex", "options": {"bogus": 1}}, "bogus"),
        ({"name": "x", "source": "radarr", "options": {"path_mappings": ["nope"]}}, "PREFIX"),
        ({"name": "x", "source": "plex", "link_ids": [999]}, "link 999 does not exist"),
        ({"name": "x", "source": "radarr", "link_ids": [link]}, "a radarr endpoint starts mirror"),
    ]
    for arguments, message in cases:
        with pytest.raises(InvalidInput, match=message):
            hooks.create_endpoint(**arguments)
    created = hooks.create_endpoint(name="g", source="generic", link_ids=[link, link])
    assert created.endpoint.link_ids == (link,)
    with pytest.raises(InvalidInput, match="bogus"):
        hooks.update_endpoint(created.endpoint.id, options={"bogus": True})


def test_pending_runs_start_at_close(settings: Settings, kinds: FakeKinds, tmp_path: Path) -> None:
    container = build_container(
        settings,
        job_kinds=kinds.registry(),
        timing=FAST_TIMING,
        hook_timing=HookTiming(debounce_s=600),
    )
    container.startup()
    link = ratings_link(
        container, folder(container, tmp_path, "a"), folder(container, tmp_path, "b")
    )
    assert container.hooks.inbound.debouncer.trigger(link)
    container.close()
    reopened = build_container(settings, job_kinds=kinds.registry(), timing=FAST_TIMING)
    try:
        jobs = reopened.jobs.page().items
        assert [(job.link_id, job.trigger) for job in jobs] == [(link, JobTrigger.WEBHOOK)]
        assert jobs[0].status is JobStatus.QUEUED  # the runner had closed: next start runs it
    finally:
        reopened.close()
