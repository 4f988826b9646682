"""Webhooks from Radarr and Sonarr: an import runs the mirror links whose source holds the folder;
without mirror runs the call is refused clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Container
from app.domain.errors import InvalidInput
from app.domain.jobs import JobTrigger
from app.settings import Settings
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.conftest import Waiter
from tests.emulator.support import OWNER_TOKEN
from tests.services.hook_support import (
    FakeKinds,
    folder,
    make_container,
    mirror_world,
    radarr,
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


# -- Radarr / Sonarr ----------------------------------------------------------------------------


def test_radarr_refuses_clearly_while_mirror_runs_are_missing(
    world: Container, tmp_path: Path
) -> None:
    link, root = mirror_world(world, tmp_path)
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(name="Radarr", source="radarr").endpoint
    with pytest.raises(InvalidInput, match="not available on this installation"):
        hooks.handle_arr(endpoint, radarr("Download", str(root / "Heat (1995)")))
    [delivery] = hooks.deliveries(endpoint.id)
    assert delivery.outcome == "refused" and delivery.link_ids == (link,)


def test_radarr_import_runs_the_mirror_of_that_folder(
    settings: Settings, tmp_path: Path, wait: Waiter
) -> None:
    kinds = FakeKinds(mirror=True)
    container = make_container(settings, kinds)
    try:
        link, root = mirror_world(container, tmp_path)
        other_source = folder(container, tmp_path, "other", kind="movie_folder")
        other_target = folder(container, tmp_path, "other-target", kind="movie_folder")
        container.domains.libraries.add_link(
            kind="mirror", library_a_id=other_source, library_b_id=other_target
        )
        hooks = container.hooks.inbound
        endpoint = hooks.create_endpoint(
            name="Radarr",
            source="radarr",
            options={"path_mappings": [f"/movies={root}"]},
        ).endpoint

        outcome = hooks.handle_arr(endpoint, radarr("Download", "/movies/Heat (1995)"))
        assert outcome.outcome == "queued" and outcome.link_ids == (link,)
        wait(lambda: len(kinds.runs("mirror")) == 1, what="the mirror run")
        job = container.jobs.get(kinds.runs("mirror")[0])
        assert job.link_id == link and job.trigger is JobTrigger.WEBHOOK

        for event, expected in [
            ("Test", "test received"),
            ("Grab", "not an import"),
        ]:
            ignored = hooks.handle_arr(endpoint, radarr(event, "/movies/Heat (1995)"))
            assert ignored.outcome == "ignored" and expected in ignored.detail
        elsewhere = hooks.handle_arr(endpoint, radarr("Rename", "/elsewhere/Heat (1995)"))
        assert elsewhere.outcome == "ignored" and "no mirror link" in elsewhere.detail
        with pytest.raises(InvalidInput, match="no folder path"):
            hooks.handle_arr(endpoint, b'{"eventType": "Download"}')
        with pytest.raises(InvalidInput, match="not valid JSON"):
            hooks.handle_arr(endpoint, b"<xml/>")
    finally:
        container.close()
