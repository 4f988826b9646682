"""Webhooks of the generic source: a run starts at once and the answer names its job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Container
from app.domain.errors import AlreadyRunning, Forbidden, InvalidInput
from app.domain.jobs import JobStatus, JobTrigger
from app.settings import Settings
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.conftest import Waiter
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


# -- generic ----------------------------------------------------------------------------------


def test_generic_starts_a_run_at_once(
    world: Container, kinds: FakeKinds, tmp_path: Path, wait: Waiter
) -> None:
    link = ratings_link(world, folder(world, tmp_path, "a"), folder(world, tmp_path, "b"))
    other = ratings_link(world, folder(world, tmp_path, "c"), folder(world, tmp_path, "d"))
    hooks = world.hooks.inbound
    limited = hooks.create_endpoint(name="script", source="generic", link_ids=[link]).endpoint
    open_endpoint = hooks.create_endpoint(name="any", source="generic").endpoint

    kinds.hold.clear()
    started = hooks.handle_generic(limited, b'{"mode": "import", "dry_run": true}')
    assert started.outcome == "started" and started.link_ids == (link,)
    [job_id] = started.job_ids
    job = world.jobs.get(job_id)
    assert job.params == {"mode": "import"} and job.dry_run and job.trigger is JobTrigger.WEBHOOK

    with pytest.raises(AlreadyRunning) as busy:
        hooks.handle_generic(limited, json.dumps({"link": link}).encode())
    assert busy.value.job_id == job_id
    with pytest.raises(Forbidden, match=f"may not start link {other}"):
        hooks.handle_generic(limited, json.dumps({"link": other}).encode())
    with pytest.raises(InvalidInput, match="name a link"):
        hooks.handle_generic(open_endpoint, b"")
    with pytest.raises(InvalidInput, match="unknown fields"):
        hooks.handle_generic(open_endpoint, b'{"link": 1, "kind": "x"}')
    kinds.hold.set()
    wait(lambda: world.jobs.get(job_id).status is JobStatus.SUCCEEDED, what="the run")
    outcomes = [d.outcome for d in hooks.deliveries(limited.id)]
    assert outcomes == ["refused", "refused", "started"]
