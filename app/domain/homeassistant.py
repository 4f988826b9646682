"""Home Assistant MQTT discovery: the documents that make Crossfade one device with entities,
the state messages that keep them current, and the command topics of its buttons.

Pure: values in, ``topic -> payload`` out. The publisher (``app.services.homeassistant``) sends
them retained. Topics, for base topic ``crossfade`` and discovery prefix ``homeassistant``:

- ``crossfade/availability``: ``online`` / ``offline`` (the MQTT last will says ``offline``);
- ``crossfade/state``: one JSON document the instance sensors read with a value template;
- ``crossfade/link/<id>/state``: one JSON document per link (last run result and time);
- ``crossfade/link/<id>/run`` and ``.../preview``: what the buttons publish (``PRESS``);
- ``homeassistant/<component>/<node>/<object>/config``: the discovery documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

DEFAULT_DISCOVERY_PREFIX = "homeassistant"
DEFAULT_BASE_TOPIC = "crossfade"
ONLINE = "online"
OFFLINE = "offline"
PRESS = "PRESS"


class Component(StrEnum):
    """The Home Assistant MQTT platforms Crossfade uses."""

    SENSOR = "sensor"
    BINARY_SENSOR = "binary_sensor"
    BUTTON = "button"


class LinkAction(StrEnum):
    """What a link's button starts: a run, or (ratings links) a dry run."""

    RUN = "run"
    PREVIEW = "preview"


_TOPIC_WORD = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")


def check_topic(topic: str, *, what: str) -> str:
    """A base topic or discovery prefix: words of letters, digits, ``_`` and ``-`` joined by
    ``/`` (no wildcards, no leading or trailing slash). Raises ``ValueError`` otherwise."""
    topic = topic.strip()
    if not _TOPIC_WORD.match(topic):
        raise ValueError(f"{what} {topic!r}: use letters, digits, _ and - joined by /")
    return topic


@dataclass(frozen=True, slots=True)
class Topics:
    base: str = DEFAULT_BASE_TOPIC
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX

    @property
    def node_id(self) -> str:
        """The discovery node id: the base topic as one word (two installations with different
        base topics are two devices)."""
        return self.base.replace("/", "_")

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def ha_status(self) -> str:
        """Where Home Assistant announces ``online`` after it (re)started."""
        return f"{self.discovery_prefix}/status"

    @property
    def commands(self) -> str:
        """The subscription that catches every button press."""
        return f"{self.base}/link/+/+"

    @property
    def own_discovery(self) -> str:
        """The subscription that finds this device's retained discovery documents."""
        return f"{self.discovery_prefix}/+/{self.node_id}/+/config"

    def link_state(self, link_id: int) -> str:
        return f"{self.base}/link/{link_id}/state"

    def link_command(self, link_id: int, action: LinkAction) -> str:
        return f"{self.base}/link/{link_id}/{action.value}"

    def discovery(self, component: Component, object_id: str) -> str:
        return f"{self.discovery_prefix}/{component.value}/{self.node_id}/{object_id}/config"

    def command_of(self, topic: str) -> tuple[int, LinkAction] | None:
        """``(link id, action)`` for a button's command topic, None for any other topic."""
        prefix = f"{self.base}/link/"
        if not topic.startswith(prefix):
            return None
        parts = topic[len(prefix) :].split("/")
        if len(parts) != 2 or not parts[0].isdigit():
            return None
        try:
            return int(parts[0]), LinkAction(parts[1])
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    version: str
    configuration_url: str | None


@dataclass(frozen=True, slots=True)
class LinkEntity:
    """A link as its entities name it."""

    id: int
    kind: str
    title: str

    @property
    def actions(self) -> tuple[LinkAction, ...]:
        if self.kind == "ratings":
            return (LinkAction.RUN, LinkAction.PREVIEW)
        return (LinkAction.RUN,)


@dataclass(frozen=True, slots=True)
class LinkState:
    id: int
    last_result: str | None
    last_run_at: datetime | None
    problem: bool


@dataclass(frozen=True, slots=True)
class InstanceState:
    state: str
    progress: float | None
    phase: str | None
    current_job: str | None
    last_run_at: datetime | None
    last_result: str | None
    pending_conflicts: int
    needs_review: int
    last_run_problems: int
    links: tuple[LinkState, ...]

    @property
    def problem(self) -> bool:
        """A link's last run failed or finished with problems."""
        return any(link.problem for link in self.links)


@dataclass(frozen=True, slots=True)
class _Sensor:
    key: str
    name: str
    icon: str
    extra: Mapping[str, Any]


# The instance sensors: key in the state document, name, icon, extra discovery fields.
INSTANCE_SENSORS: tuple[_Sensor, ...] = (
    _Sensor("state", "State", "mdi:sync", {}),
    _Sensor("progress", "Progress", "mdi:progress-clock", {"unit_of_measurement": "%"}),
    _Sensor("phase", "Current phase", "mdi:timeline-text", {}),
    _Sensor("current_job", "Current job", "mdi:briefcase-clock", {}),
    _Sensor("last_run_at", "Last run", "mdi:clock-check", {"device_class": "timestamp"}),
    _Sensor("last_result", "Last run result", "mdi:check-circle-outline", {}),
    _Sensor(
        "pending_conflicts", "Pending conflicts", "mdi:call-split", {"state_class": "measurement"}
    ),
    _Sensor(
        "needs_review", "Items needing review", "mdi:eye-check", {"state_class": "measurement"}
    ),
    _Sensor(
        "last_run_problems",
        "Problems in last run",
        "mdi:alert-circle-outline",
        {"state_class": "measurement"},
    ),
)


def _device(topics: Topics, device: DeviceInfo) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "identifiers": [f"crossfade_{topics.node_id}"],
        "name": "Crossfade",
        "manufacturer": "Crossfade",
        "model": "Crossfade",
        "sw_version": device.version,
    }
    if device.configuration_url:
        shown["configuration_url"] = device.configuration_url
    return shown


def _common(topics: Topics, device: DeviceInfo, object_id: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": f"crossfade_{topics.node_id}_{object_id}",
        "object_id": f"crossfade_{object_id}",
        "availability_topic": topics.availability,
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "device": _device(topics, device),
        "origin": {"name": "Crossfade", "sw_version": device.version},
    }


def discovery_documents(
    topics: Topics, device: DeviceInfo, links: Sequence[LinkEntity]
) -> dict[str, dict[str, Any]]:
    """Every discovery document, by its config topic."""
    documents: dict[str, dict[str, Any]] = {}
    for sensor in INSTANCE_SENSORS:
        document = _common(topics, device, sensor.key, sensor.name)
        document |= {
            "state_topic": topics.state,
            "value_template": f"{{{{ value_json.{sensor.key} }}}}",
            "icon": sensor.icon,
            **sensor.extra,
        }
        documents[topics.discovery(Component.SENSOR, sensor.key)] = document
    problem = _common(topics, device, "problem", "Problem")
    problem |= {
        "state_topic": topics.state,
        "value_template": "{{ 'ON' if value_json.problem else 'OFF' }}",
        "payload_on": "ON",
        "payload_off": "OFF",
        "device_class": "problem",
    }
    documents[topics.discovery(Component.BINARY_SENSOR, "problem")] = problem
    for link in links:
        documents |= _link_documents(topics, device, link)
    return documents


def _link_documents(
    topics: Topics, device: DeviceInfo, link: LinkEntity
) -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    base = f"link_{link.id}"
    result = _common(topics, device, f"{base}_last_result", f"{link.title} last run result")
    result |= {
        "state_topic": topics.link_state(link.id),
        "value_template": "{{ value_json.last_result }}",
        "icon": "mdi:check-circle-outline",
    }
    documents[topics.discovery(Component.SENSOR, f"{base}_last_result")] = result
    when = _common(topics, device, f"{base}_last_run", f"{link.title} last run")
    when |= {
        "state_topic": topics.link_state(link.id),
        "value_template": "{{ value_json.last_run_at }}",
        "device_class": "timestamp",
    }
    documents[topics.discovery(Component.SENSOR, f"{base}_last_run")] = when
    for action in link.actions:
        label = "run" if action is LinkAction.RUN else "preview (dry run)"
        button = _common(topics, device, f"{base}_{action.value}", f"{link.title} {label}")
        button |= {
            "command_topic": topics.link_command(link.id, action),
            "payload_press": PRESS,
            "icon": "mdi:play" if action is LinkAction.RUN else "mdi:eye-outline",
        }
        documents[topics.discovery(Component.BUTTON, f"{base}_{action.value}")] = button
    return documents


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def state_messages(topics: Topics, state: InstanceState) -> dict[str, str]:
    """The state documents (JSON text), by topic."""
    instance = {
        "state": state.state,
        "progress": None if state.progress is None else round(state.progress, 1),
        "phase": state.phase,
        "current_job": state.current_job,
        "last_run_at": _when(state.last_run_at),
        "last_result": state.last_result,
        "pending_conflicts": state.pending_conflicts,
        "needs_review": state.needs_review,
        "last_run_problems": state.last_run_problems,
        "problem": state.problem,
    }
    messages = {topics.state: json.dumps(instance, sort_keys=True)}
    for link in state.links:
        body = {
            "last_result": link.last_result,
            "last_run_at": _when(link.last_run_at),
            "problem": link.problem,
        }
        messages[topics.link_state(link.id)] = json.dumps(body, sort_keys=True)
    return messages


@dataclass(frozen=True, slots=True)
class EntityRow:
    """One entity as Home Assistant lists it: platform, name, entity id."""

    component: str
    name: str
    entity_id: str


def entity_rows(documents: Mapping[str, Mapping[str, Any]]) -> list[EntityRow]:
    """The entities the discovery documents create, in the order Home Assistant's device page
    groups them (controls, sensors, diagnostic-like binary sensors)."""
    order = {Component.BUTTON.value: 0, Component.SENSOR.value: 1, Component.BINARY_SENSOR.value: 2}
    rows = [
        EntityRow(
            component=topic.split("/")[-4],
            name=str(document["name"]),
            entity_id=f"{topic.split('/')[-4]}.{document['object_id']}",
        )
        for topic, document in documents.items()
    ]
    return sorted(rows, key=lambda row: (order.get(row.component, 3), row.entity_id))
