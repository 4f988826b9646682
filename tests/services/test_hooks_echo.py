"""A Plex ``media.rate`` that reports a value a link's own job just wrote there is that job's
echo: it starts no run of that link (other links of the same Plex section still hear it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db.jobs import JobRepository
from app.bootstrap import Container
from app.domain.jobs import JobTrigger
from app.domain.ratings.records import NewJournalEntry
from app.settings import Settings
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
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
def emulator() -> Iterator[EmulatorServer]:
    state = EmulatorState()
    state.add_account("owner", OWNER_TOKEN, owner=True)
    with EmulatorServer(state) as server:
        yield server


@pytest.fixture
def world(settings: Settings) -> Iterator[Container]:
    kinds = FakeKinds(mirror=False)
    container = make_container(settings, kinds, debounce_s=600)  # nothing starts by itself
    try:
        yield container
    finally:
        container.close()


def journal_write(
    world: Container, link_id: int, item_key: str, after: int | None, state: str
) -> int:
    job = JobRepository(world.session_factory).insert(
        kind="ratings_sync",
        params={},
        dry_run=False,
        trigger=JobTrigger.CLI,
        lock_key=f"test:{link_id}:{datetime.now(UTC).timestamp()}",
        now=datetime.now(UTC),
        link_id=link_id,
    )
    world.domains.sync_repository.add_journal(
        job.id,
        [
            NewJournalEntry(
                track_link_id=None,
                side="a",
                item_key=item_key,
                before=None,
                after=after,
                baseline_known_before=False,
                baseline_before=None,
                state=state,
                baseline_after=after,
            )
        ],
    )
    return job.id


def test_an_echo_is_ignored_per_link_and_other_values_are_heard(
    world: Container, emulator: EmulatorServer, tmp_path: Path
) -> None:
    machine = emulator.state.machine_identifier
    plex = plex_library(world, emulator.url, "Plex", 1)
    link_1 = ratings_link(world, plex, folder(world, tmp_path, "files-1"))
    link_2 = ratings_link(world, plex, folder(world, tmp_path, "files-2"))
    hooks = world.hooks.inbound
    endpoint = hooks.create_endpoint(name="Plex", source="plex").endpoint
    job_1 = journal_write(world, link_1, "1003", 8, "done")  # the payload's 4★ on item 1003

    heard = hooks.handle_plex(endpoint, plex_payload(machine, 1))
    assert (heard.outcome, heard.link_ids) == ("queued", (link_2,))
    assert f"an echo for links {link_1}" in heard.detail

    job_2 = journal_write(world, link_2, "1003", 8, "pending")  # journaled, being verified
    ignored = hooks.handle_plex(endpoint, plex_payload(machine, 1))
    assert ignored.outcome == "ignored"
    assert ignored.detail.endswith(f"echo of job {job_1}, {job_2} (Crossfade wrote 4★ there)")

    journal_write(world, link_1, "1004", 8, "failed")  # a failed write has no echo
    other_item = plex_payload(machine, 1).replace('"1003"', '"1004"')
    assert hooks.handle_plex(endpoint, other_item).link_ids == (link_1, link_2)
    other_value = plex_payload(machine, 1).replace('"rating": "8"', '"rating": "6"')
    assert hooks.handle_plex(endpoint, other_value).link_ids == (link_1, link_2)
    outcomes = [d.outcome for d in hooks.deliveries(endpoint.id)]
    assert outcomes == ["queued", "queued", "ignored", "queued"]  # newest first
