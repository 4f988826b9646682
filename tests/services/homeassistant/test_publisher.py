"""Crossfade as a Home Assistant device, against a real mosquitto: a paho test client subscribed
to the discovery prefix and the base topic sees valid discovery documents, state that follows
real jobs, buttons that start runs (only with commands on), a deleted link's entities removed,
and everything back after a broker restart or Home Assistant's ``online``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Container, build_container
from app.domain.jobs import JobRecord, JobStatus
from app.domain.library_records import LinkRecord
from app.services.homeassistant.publisher import PublisherTiming
from app.services.jobs.selftest import SELFTEST
from app.settings import Settings
from tests.conftest import FAST_TIMING, wait_until
from tests.mqtt_support import Broker, Listener, broker
from tests.services.folders_support import LINK_TITLE, conflicting_folders_link

__all__ = ["broker"]  # the module-scoped fixture, imported to be found

PREFIX = "homeassistant"
BASE = "crossfade"
STATE = f"{BASE}/state"
AVAILABILITY = f"{BASE}/availability"

# What Home Assistant's MQTT schema asks of each platform (beyond availability and device).
REQUIRED = {
    "sensor": {"state_topic"},
    "binary_sensor": {"state_topic", "payload_on", "payload_off"},
    "button": {"command_topic"},
}
# Keys HA's MQTT discovery accepts for these platforms (a subset of its schema; an unknown key
# makes HA refuse the document).
ACCEPTED = {
    "name",
    "unique_id",
    "object_id",
    "availability_topic",
    "payload_available",
    "payload_not_available",
    "device",
    "origin",
    "state_topic",
    "value_template",
    "icon",
    "unit_of_measurement",
    "device_class",
    "state_class",
    "payload_on",
    "payload_off",
    "command_topic",
    "payload_press",
}
DEVICE_KEYS = {
    "identifiers",
    "name",
    "manufacturer",
    "model",
    "sw_version",
    "configuration_url",
}


@dataclass
class World:
    container: Container
    link: LinkRecord
    listener: Listener

    def configure(self, broker: Broker, *, commands: bool) -> None:
        self.container.integrations.settings.save_mqtt(
            enabled=True,
            broker_url=broker.url,
            username=None,
            password=None,
            base_topic=BASE,
            discovery_prefix=PREFIX,
            commands_enabled=commands,
            public_url="http://crossfade.test:8080",
        )

    def discovery(self) -> dict[str, dict[str, Any]]:
        return {
            topic: json.loads(payload)
            for topic, payload in self.listener.snapshot().items()
            if topic.startswith(f"{PREFIX}/") and topic.endswith("/config")
        }

    def jobs(self) -> list[JobRecord]:
        return self.container.jobs.page(limit=50).items

    def finish(self, job: JobRecord) -> JobRecord:
        wait_until(
            lambda: not self.container.jobs.get(job.id).status.is_active,
            timeout_s=60,
            what=f"job {job.id} to end",
        )
        return self.container.jobs.get(job.id)


@pytest.fixture
def world(
    broker: Broker, settings: Settings, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Two music folders with a ratings link (one track rated differently on each side: a
    conflict under ``ask``), MQTT configured with commands off, the publisher not started."""
    container = build_container(
        settings,
        timing=FAST_TIMING,
        publisher_timing=PublisherTiming(busy_interval_s=0.05, idle_interval_s=0.5),
    )
    listener = Listener(broker, f"{PREFIX}/#", f"{BASE}/#")
    try:
        container.startup()
        link = conflicting_folders_link(container, tmp_path, tmp_path_factory)
        world = World(container, link, listener)
        world.configure(broker, commands=False)
        yield world
    finally:
        container.close()
        # a newcomer must not see this test's retained messages
        for topic in listener.snapshot():
            listener.publish(topic, "", retain=True)
        listener.close()


def started(world: World) -> World:
    assert world.container.integrations.mqtt.start()
    world.listener.wait_for(
        lambda seen: seen.get(AVAILABILITY) == "online" and STATE in seen,
        what="availability and state",
    )
    return world


def test_mqtt_is_off_by_default(settings: Settings) -> None:
    container = build_container(settings, timing=FAST_TIMING)
    try:
        container.startup()
        assert container.integrations.settings.mqtt().enabled is False
        assert container.integrations.mqtt.start() is False
        assert not container.integrations.mqtt.running
    finally:
        container.close()


def test_discovery_documents_are_valid_for_home_assistant(world: World) -> None:
    started(world)
    link_id = world.link.id
    world.listener.wait_for(
        lambda seen: f"{PREFIX}/button/{BASE}/link_{link_id}_preview/config" in seen,
        what="the preview button",
    )
    documents = world.discovery()
    components = {topic.split("/")[1] for topic in documents}
    assert components == {"sensor", "binary_sensor", "button"}
    unique_ids = [document["unique_id"] for document in documents.values()]
    assert len(unique_ids) == len(set(unique_ids))
    for topic, document in documents.items():
        prefix, component, node, object_id, last = topic.split("/")
        assert (prefix, node, last) == (PREFIX, BASE, "config")
        assert document["unique_id"].endswith(object_id)
        assert REQUIRED[component] <= set(document), topic
        assert set(document) <= ACCEPTED, set(document) - ACCEPTED
        assert document["availability_topic"] == AVAILABILITY
        device = document["device"]
        assert set(device) <= DEVICE_KEYS
        assert device["name"] == "Crossfade"
        assert device["identifiers"] == [f"crossfade_{BASE}"]
        assert device["configuration_url"] == "http://crossfade.test:8080"
        assert device["sw_version"]
        if component == "sensor":
            assert document["state_topic"] in (STATE, f"{BASE}/link/{link_id}/state")
            assert document["value_template"].startswith("{{ value_json.")
    names = {document["name"] for document in documents.values()}
    assert {"State", "Progress", "Pending conflicts", "Items needing review", "Problem"} <= names
    assert f"{LINK_TITLE} run" in names
    assert f"{LINK_TITLE} preview (dry run)" in names
    buttons = {
        document["command_topic"]
        for topic, document in documents.items()
        if topic.split("/")[1] == "button"
    }
    assert buttons == {f"{BASE}/link/{link_id}/run", f"{BASE}/link/{link_id}/preview"}
    state = world.listener.json(STATE)
    assert state["state"] == "idle"
    assert state["problem"] is False


def test_state_follows_real_runs(world: World) -> None:
    started(world)
    selftest = world.finish(world.container.jobs.start(SELFTEST, {"steps": 6, "step_s": 0.25}))
    assert selftest.status is JobStatus.SUCCEEDED
    assert selftest.problems > 0  # the selftest warns once: "finished with problems"
    world.listener.wait_for(
        lambda seen: (
            json.loads(seen[STATE])["state"] == "idle"
            and json.loads(seen[STATE])["last_result"] == "problems"
            and json.loads(seen[STATE])["last_run_problems"] == selftest.problems
        ),
        what="idle after the selftest",
    )
    heard = world.listener.states(STATE)
    running = [state for state in heard if state["state"] == "running"]
    assert running, "never published running"
    assert any(0 < (state["progress"] or 0) < 100 for state in running), running
    assert any(state["phase"] == "stepping" for state in running)
    assert any(f"selftest #{selftest.id}" == state["current_job"] for state in running)

    job = world.finish(world.container.link_runs.run(world.link.id))
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert job.counters.get("conflicts") == 1
    link_state = f"{BASE}/link/{world.link.id}/state"
    world.listener.wait_for(
        lambda seen: (
            json.loads(seen[STATE])["pending_conflicts"] == 1
            and json.loads(seen[STATE])["state"] == "idle"
            and json.loads(seen.get(link_state, "{}")).get("last_result") == "succeeded"
        ),
        what="the conflict counted",
    )
    state = world.listener.json(STATE)
    assert state["last_result"] == "succeeded"
    assert state["last_run_at"] == job.finished_at.isoformat()  # type: ignore[union-attr]
    assert world.listener.json(link_state)["last_run_at"] == job.finished_at.isoformat()  # type: ignore[union-attr]


def test_a_button_starts_a_run_only_with_commands_on(world: World, broker: Broker) -> None:
    started(world)
    run_topic = f"{BASE}/link/{world.link.id}/run"
    world.listener.publish(run_topic, "PRESS")
    time.sleep(0.5)
    assert world.jobs() == []  # commands are off

    world.configure(broker, commands=True)
    assert world.container.integrations.mqtt.restart()
    started(world)
    world.listener.publish(f"{BASE}/link/{world.link.id}/preview", "PRESS")
    wait_until(lambda: len(world.jobs()) == 1, what="the preview job")
    [preview] = world.jobs()
    assert (preview.link_id, preview.kind, preview.dry_run) == (
        world.link.id,
        "ratings_sync",
        True,
    )
    world.finish(preview)
    world.listener.publish(run_topic, "PRESS")
    wait_until(lambda: len(world.jobs()) == 2, what="the run job")
    run = world.jobs()[0]
    assert (run.link_id, run.dry_run) == (world.link.id, False)
    assert world.finish(run).status is JobStatus.SUCCEEDED
    # a press left retained on the broker does not start a run when the publisher connects
    world.container.integrations.mqtt.stop()
    world.listener.publish(run_topic, "PRESS", retain=True)
    try:
        started(world)
        time.sleep(0.5)
        assert len(world.jobs()) == 2
    finally:
        world.listener.publish(run_topic, "", retain=True)


def test_a_deleted_links_entities_disappear(world: World) -> None:
    started(world)
    link_id = world.link.id
    run_button = f"{PREFIX}/button/{BASE}/link_{link_id}_run/config"
    world.listener.wait_for(lambda seen: run_button in seen, what="the run button")
    world.container.domains.libraries.delete_link(link_id)  # noticed at the next idle read
    world.listener.wait_for(
        lambda seen: not any(f"/link_{link_id}_" in topic for topic in seen),
        what="the link's entities removed",
    )
    assert f"{BASE}/link/{link_id}/state" not in world.listener.snapshot()
    assert f"{PREFIX}/sensor/{BASE}/state/config" in world.listener.snapshot()


def test_broker_restart_and_home_assistant_restart(world: World, broker: Broker) -> None:
    started(world)
    wanted = set(world.discovery())
    assert wanted
    broker.restart()  # no persistence: every retained message is gone
    fresh = Listener(broker, f"{PREFIX}/#", f"{BASE}/#")
    try:
        fresh.wait_for(
            lambda seen: wanted <= set(seen) and seen.get(AVAILABILITY) == "online",
            what="discovery and availability re-published after the restart",
            timeout_s=20,
        )
        # Home Assistant restarted: its discovery documents are re-sent on its "online"
        for topic in wanted:
            fresh.publish(topic, "", retain=True)
        fresh.wait_for(lambda seen: not wanted & set(seen), what="discovery cleared")
        fresh.publish(f"{PREFIX}/status", "online")
        fresh.wait_for(lambda seen: wanted <= set(seen), what="discovery after HA's online")
    finally:
        fresh.close()


def test_stopping_says_offline(world: World) -> None:
    started(world)
    world.container.integrations.mqtt.stop()
    world.listener.wait_for(
        lambda seen: seen.get(AVAILABILITY) == "offline", what="availability offline"
    )
