"""Webhooks in (endpoints, secrets, dispatch with debounce) and out (job and conflict events),
on a real container with the Plex emulator, job kinds faked behind the registry."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Container, HookTiming, build_container
from app.domain.errors import AlreadyRunning, Forbidden, InvalidInput, NotFound
from app.domain.jobs import JobStatus, JobTrigger
from app.services.hooks.notifier import HookNotifier, observed_kinds
from app.settings import Settings
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.conftest import FAST_TIMING, Waiter
from tests.emulator.support import OWNER_TOKEN
from tests.services.hook_support import FakeKinds, JsonReceiver


def make_container(settings: Settings, kinds: FakeKinds, *, debounce_s: float = 0.1) -> Container:
    container = build_container(
        settings,
        job_kinds=kinds.registry(),
        timing=FAST_TIMING,
        hook_timing=HookTiming(debounce_s=debounce_s, post_timeout_s=2.0),
    )
    container.startup()
    container.scheduler.stop()
    return container


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


def folder(container: Container, tmp_path: Path, name: str, kind: str = "music_folder") -> int:
    root = tmp_path / name
    root.mkdir()
    library = container.domains.libraries.add_library(
        kind=kind, name=name, config={"root": str(root)}
    )
    return library.id


def plex_library(container: Container, url: str, name: str, section_id: int) -> int:
    library = container.domains.libraries.add_library(
        kind="plex_music",
        name=name,
        config={"base_url": url, "section_ids": [section_id]},
        secret=OWNER_TOKEN,
    )
    return library.id


def ratings_link(container: Container, a: int, b: int) -> int:
    return container.domains.libraries.add_link(kind="ratings", library_a_id=a, library_b_id=b).id


def plex_payload(server_uuid: str, section_id: int, event: str = "media.rate") -> str:
    return json.dumps(
        {
            "event": event,
            "rating": "8",
            "Account": {"id": 1},
            "Server": {"uuid": server_uuid},
            "Metadata": {"librarySectionID": section_id, "ratingKey": "1003", "title": "T"},
        }
    )


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


# -- Radarr / Sonarr ----------------------------------------------------------------------------


def radarr(event: str, folder_path: str) -> bytes:
    return json.dumps(
        {"eventType": event, "movie": {"title": "Heat", "folderPath": folder_path}}
    ).encode()


def mirror_world(container: Container, tmp_path: Path) -> tuple[int, Path]:
    source = folder(container, tmp_path, "plex-movies", kind="movie_folder")
    target = folder(container, tmp_path, "jellyfin-movies", kind="movie_folder")
    link = container.domains.libraries.add_link(
        kind="mirror", library_a_id=source, library_b_id=target
    )
    return link.id, tmp_path / "plex-movies"


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
            world.hooks.inbound.repository, world.job_repository, lambda link_id: 3
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
