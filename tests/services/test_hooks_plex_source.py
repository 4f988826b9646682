"""Webhooks from Plex: ``media.rate`` and ``library.new`` start (debounced) runs of the links of
that server and section, with the Plex emulator; events that start nothing; bad payloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Container
from app.domain.errors import InvalidInput
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
    plex_library,
    plex_payload,
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


# -- Plex -------------------------------------------------------------------------------------


def test_media_rate_syncs_the_links_of_that_server_and_section_once(
    settings: Settings, kinds: FakeKinds, emulator: EmulatorServer, tmp_path: Path, wait: Waiter
) -> None:
    world = make_container(settings, kinds, debounce_s=600)  # flushed by hand below
    try:
        _media_rate_syncs(world, kinds, emulator, tmp_path, wait)
    finally:
        world.close()


def _media_rate_syncs(
    world: Container, kinds: FakeKinds, emulator: EmulatorServer, tmp_path: Path, wait: Waiter
) -> None:
    machine = emulator.state.machine_identifier
    section_1 = plex_library(world, emulator.url, "Plex 1", 1)
    section_2 = plex_library(world, emulator.url, "Plex 2", 2)
    link_1 = ratings_link(world, section_1, folder(world, tmp_path, "files-1"))
    ratings_link(world, section_2, folder(world, tmp_path, "files-2"))
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(name="Plex", source="plex").endpoint

    outcomes = [hooks.handle_plex(endpoint, plex_payload(machine, 1)) for _ in range(10)]
    assert {outcome.outcome for outcome in outcomes} == {"queued"}
    assert {outcome.link_ids for outcome in outcomes} == {(link_1,)}
    assert "joined the pending run" in outcomes[-1].detail
    assert hooks.debouncer.pending() == {link_1: 10}

    assert hooks.flush() == [link_1]
    wait(lambda: len(kinds.runs()) == 1, what="one run")
    job = world.jobs.get(kinds.runs()[0])
    assert job.link_id == link_1 and job.trigger is JobTrigger.WEBHOOK
    wait(lambda: world.jobs.get(job.id).status is JobStatus.SUCCEEDED, what="the run")
    assert len(kinds.runs()) == 1

    deliveries = hooks.deliveries(endpoint.id)
    assert len(deliveries) == 10 and deliveries[0].event == "media.rate"
    assert deliveries[0].outcome == "queued" and deliveries[0].link_ids == (link_1,)


@pytest.mark.parametrize(
    ("payload_for", "reason"),
    [
        (lambda machine: plex_payload("another-server", 1), "no ratings link includes"),
        (lambda machine: plex_payload(machine, 9), "no ratings link includes section 9"),
        (lambda machine: plex_payload(machine, 1, "media.play"), "not an event"),
        (lambda machine: plex_payload(machine, 1, "library.new"), "not an event"),
    ],
)
def test_plex_events_that_start_nothing(
    world: Container,
    emulator: EmulatorServer,
    tmp_path: Path,
    payload_for: Any,
    reason: str,
) -> None:
    ratings_link(
        world, plex_library(world, emulator.url, "Plex", 1), folder(world, tmp_path, "files")
    )
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(name="Plex", source="plex").endpoint
    outcome = hooks.handle_plex(endpoint, payload_for(emulator.state.machine_identifier))
    assert outcome.outcome == "ignored" and reason in outcome.detail
    assert hooks.debouncer.pending() == {}
    assert hooks.deliveries(endpoint.id)[0].outcome == "ignored"


def test_library_new_syncs_when_asked_and_links_limit_the_endpoint(
    world: Container, emulator: EmulatorServer, tmp_path: Path
) -> None:
    plex = plex_library(world, emulator.url, "Plex", 1)
    first = ratings_link(world, plex, folder(world, tmp_path, "one"))
    ratings_link(world, plex, folder(world, tmp_path, "two"))
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(
        name="Plex", source="plex", link_ids=[first], options={"on_library_new": True}
    ).endpoint
    outcome = hooks.handle_plex(
        endpoint, plex_payload(emulator.state.machine_identifier, 1, "library.new")
    )
    assert outcome.outcome == "queued" and outcome.link_ids == (first,)


def test_an_unreachable_server_may_still_be_the_one(world: Container, tmp_path: Path) -> None:
    plex = plex_library(world, "http://127.0.0.1:9", "Gone", 1)
    link = ratings_link(world, plex, folder(world, tmp_path, "files"))
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(name="Plex", source="plex").endpoint
    outcome = hooks.handle_plex(endpoint, plex_payload("whatever", 1))
    assert outcome.link_ids == (link,)


@pytest.mark.parametrize("payload", [None, "not json", '{"no": "event"}'])
def test_malformed_plex_payloads_are_refused_and_recorded(
    world: Container, payload: str | None
) -> None:
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(name="Plex", source="plex").endpoint
    with pytest.raises(InvalidInput):
        hooks.handle_plex(endpoint, payload)
    [delivery] = hooks.deliveries(endpoint.id)
    assert delivery.outcome == "refused"
