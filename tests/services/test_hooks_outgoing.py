"""Webhooks out: job and conflict events posted to outgoing webhooks (a slow receiver never holds
a job up, failures logged without the secret), test events, validation."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.http_out import post_json
from app.bootstrap import Container
from app.domain.errors import InvalidInput, NotFound
from app.domain.jobs import JobStatus
from app.services.hooks.notifier import HookNotifier, observed_kinds
from app.settings import Settings
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.conftest import Waiter
from tests.emulator.support import OWNER_TOKEN
from tests.services.hook_support import (
    FakeKinds,
    JsonReceiver,
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


# -- outgoing -----------------------------------------------------------------------------------


def test_jobs_are_announced_to_outgoing_webhooks(
    world: Container, kinds: FakeKinds, tmp_path: Path, wait: Waiter
) -> None:
    link = ratings_link(world, folder(world, tmp_path, "a"), folder(world, tmp_path, "b"))
    with JsonReceiver() as everything, JsonReceiver() as failures:
        world.hooks.outgoing.create(
            name="all",
            url=everything.url(),
            events=["job_started", "job_finished", "job_failed", "conflicts_pending"],
        )
        world.hooks.outgoing.create(name="failures", url=failures.url(), events=["job_failed"])

        ok = world.link_runs.run(link)
        wait(lambda: everything.events() == ["job_started", "job_finished"], what="two events")
        started, finished = everything.received
        assert started.body["job_id"] == ok.id and started.body["status"] == "running"
        assert finished.body["status"] == "succeeded" and finished.body["link_id"] == link
        assert finished.body["finished_at"] is not None

        kinds.fail = True
        bad = world.link_runs.run(link)
        wait(lambda: len(failures.received) == 1, what="the failure")
        body = failures.received[0].body
        assert body["event"] == "job_failed" and body["job_id"] == bad.id
        assert body["error"] == "the fake sync was told to fail"
        wait(lambda: everything.events()[-1] == "job_failed", what="the failure, everywhere")
        assert "conflicts_pending" not in everything.events()
        assert world.hooks.notifier.wait_idle()
        stored = world.hooks.outgoing.hooks()
        assert [(h.last_status, h.last_error) for h in stored] == [(200, None), (200, None)]


def test_a_slow_receiver_never_holds_a_job_up(
    world: Container, kinds: FakeKinds, tmp_path: Path, wait: Waiter
) -> None:
    link = ratings_link(world, folder(world, tmp_path, "a"), folder(world, tmp_path, "b"))
    with JsonReceiver() as receiver:
        receiver.hold.clear()  # every answer waits
        world.hooks.outgoing.create(
            name="slow", url=receiver.url(), events=["job_started", "job_finished"]
        )
        job = world.link_runs.run(link)
        wait(lambda: world.jobs.get(job.id).status is JobStatus.SUCCEEDED, what="the job")
        assert receiver.received == []
        receiver.hold.set()
        wait(lambda: receiver.events() == ["job_started", "job_finished"], what="the events")


def test_failed_deliveries_are_logged_without_the_secret(
    world: Container, tmp_path: Path, wait: Waiter, caplog: pytest.LogCaptureFixture
) -> None:
    link = ratings_link(world, folder(world, tmp_path, "a"), folder(world, tmp_path, "b"))
    with JsonReceiver(status=500) as receiver:
        hook = world.hooks.outgoing.create(
            name="broken", url=receiver.url("/hook/TOPSECRET"), events=["job_finished"]
        )
        with caplog.at_level(logging.WARNING, logger="app.services.hooks.notifier"):
            world.link_runs.run(link)
            wait(lambda: world.hooks.outgoing.get(hook.id).last_status == 500, what="a try")
    stored = world.hooks.outgoing.get(hook.id)
    assert stored.last_error is not None and "answered 500" in stored.last_error
    messages = [record.getMessage() for record in caplog.records]
    assert any("broken" in message and "answered 500" in message for message in messages)
    assert all("TOPSECRET" not in message for message in messages)
    assert "TOPSECRET" not in stored.last_error


def test_conflicts_pending_follows_a_sync_that_left_conflicts(
    world: Container, kinds: FakeKinds, tmp_path: Path, wait: Waiter
) -> None:
    link = ratings_link(world, folder(world, tmp_path, "a"), folder(world, tmp_path, "b"))
    with JsonReceiver() as receiver:
        world.hooks.outgoing.create(
            name="conflicts", url=receiver.url(), events=["conflicts_pending"]
        )
        notifier = HookNotifier(
            world.hooks.inbound.repository, world.job_repository, lambda link_id: 3, post=post_json
        )
        kinds.conflicts = 2
        job = world.link_runs.run(link)
        wait(lambda: world.jobs.get(job.id).status is JobStatus.SUCCEEDED, what="the job")
        notifier.job_ended(job.id)
        assert notifier.wait_idle()
        notifier.close()
        [body] = receiver.bodies("conflicts_pending")
        assert (body["link_id"], body["pending"], body["job_id"]) == (link, 3, job.id)
        # the container's own notifier asked the real conflict table: none are open
        assert world.hooks.notifier.wait_idle()
        assert len(receiver.received) == 1


def test_sending_a_test_event(world: Container) -> None:
    with JsonReceiver() as receiver:
        hook = world.hooks.outgoing.create(name="t", url=receiver.url(), events=["job_failed"])
        result = world.hooks.outgoing.send_test(hook.id)
    assert result.ok and receiver.events() == ["test"]
    assert world.hooks.outgoing.get(hook.id).last_status == 200


def test_outgoing_validation(world: Container) -> None:
    outgoing = world.hooks.outgoing
    with pytest.raises(InvalidInput, match="http"):
        outgoing.create(name="x", url="ftp://x/y", events=["job_failed"])
    with pytest.raises(InvalidInput, match="at least one"):
        outgoing.create(name="x", url="http://x/y", events=[])
    with pytest.raises(InvalidInput, match="needs a name"):
        outgoing.create(name=" ", url="http://x/y", events=["job_failed"])
    hook = outgoing.create(name="x", url="http://x/y", events=["job_failed", "job_started"])
    assert hook.events == ("job_started", "job_failed")
    changed = outgoing.update(hook.id, enabled=False, url="https://x/z")
    assert not changed.enabled and changed.url == "https://x/z"
    outgoing.delete(hook.id)
    with pytest.raises(NotFound):
        outgoing.get(hook.id)


def test_observed_kinds_keep_every_kind() -> None:
    registry = FakeKinds(mirror=True).registry()

    class Nothing(HookNotifier):
        def __init__(self) -> None:
            pass

    observed = observed_kinds(registry, Nothing())
    assert [kind.name for kind in observed] == [kind.name for kind in registry]
    assert [kind.lock_key for kind in observed] == [kind.lock_key for kind in registry]
