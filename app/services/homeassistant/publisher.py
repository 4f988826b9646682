"""The MQTT publisher: Crossfade as a Home Assistant device.

One thread (started by ``crossfade serve`` when MQTT is on) owns the connection's work:

- after every (re)connection, and when Home Assistant announces ``online`` on
  ``<prefix>/status``, it publishes everything again: availability ``online``, the discovery
  documents and the state, all retained (the broker's last will says ``offline``);
- it re-reads the state when a job starts or ends, every ``busy_interval_s`` while a job is
  active and every ``idle_interval_s`` otherwise, and publishes what changed;
- discovery documents of this device that are retained on the broker but no longer wanted (a
  deleted link's) are cleared with an empty retained message, so Home Assistant drops them;
- a button press (``<base>/link/<id>/run`` or ``/preview``) starts the run through
  :class:`~app.services.libraries.link_runs.LinkRuns`, like the API, but only when commands are
  enabled in the settings; a refused or failed start is logged, never raised.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.domain.errors import CrossfadeError
from app.domain.homeassistant import (
    OFFLINE,
    ONLINE,
    DeviceInfo,
    LinkAction,
    Topics,
    discovery_documents,
    state_messages,
)
from app.domain.integrations import MqttConfig
from app.domain.jobs import JobRecord, JobTrigger
from app.services.homeassistant.settings import IntegrationSettings
from app.services.homeassistant.snapshot import Snapshot

logger = logging.getLogger(__name__)

_LINK_OBJECT = re.compile(r"/link_(\d+)_[a-z_]+/config$")


class Connection(Protocol):
    """``app.adapters.mqtt.MqttConnection``."""

    @property
    def is_connected(self) -> bool: ...

    last_error: str | None

    def start(self) -> None: ...

    def publish(self, topic: str, payload: str, *, retain: bool) -> bool: ...

    def subscribe(self, *topics: str) -> None: ...

    def stop(
        self, *, last_words: tuple[str, str] | None = None, timeout_s: float = 2.0
    ) -> None: ...


OnConnect = Callable[[], None]
OnMessage = Callable[[str, bytes, bool], None]
ConnectionFactory = Callable[[MqttConfig, OnConnect, OnMessage], Connection]
# Connects once to the broker of the settings: None when it accepted, else what went wrong.
BrokerCheck = Callable[[MqttConfig], str | None]


class RunStarter(Protocol):
    """``LinkRuns.run``."""

    def __call__(
        self, link_id: int, *, mode: str | None, dry_run: bool, trigger: JobTrigger
    ) -> JobRecord: ...


@dataclass(frozen=True, slots=True)
class PublisherTiming:
    busy_interval_s: float = 1.0
    idle_interval_s: float = 15.0


@dataclass(frozen=True, slots=True)
class _Command:
    link_id: int
    action: LinkAction


_RESEND = "resend"
_REFRESH = "refresh"
_STOP = "stop"
_Item = _Command | str


class MqttPublisher:
    def __init__(
        self,
        settings: IntegrationSettings,
        snapshot: Callable[[], Snapshot],
        start_run: RunStarter,
        connect: ConnectionFactory,
        *,
        check: BrokerCheck,
        version: str,
        timing: PublisherTiming = PublisherTiming(),
    ) -> None:
        self._settings = settings
        self._snapshot = snapshot
        self._start_run = start_run
        self._connect = connect
        self._check = check
        self._version = version
        self._timing = timing
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        self._config = MqttConfig()
        self._sent: dict[str, str] = {}
        self._retained_discovery: set[str] = set()
        self._busy = False
        self.last_error: str | None = None

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def connected(self) -> bool:
        connection = self._connection
        return connection is not None and connection.is_connected

    def start(self) -> bool:
        """Connect and publish if MQTT is on (True), else do nothing (False)."""
        with self._lock:
            if self._thread is not None:
                return True
            config = self._settings.mqtt()
            if not config.enabled:
                return False
            self._config = config
            self._sent = {}
            self._retained_discovery = set()
            self._queue = queue.Queue()
            try:
                self._connection = self._connect(config, self._on_connect, self._on_message)
                self._connection.start()
            except CrossfadeError as exc:
                self.last_error = str(exc)
                logger.warning("MQTT not started: %s", exc)
                self._connection = None
                return False
            self._thread = threading.Thread(target=self._run, name="crossfade-mqtt", daemon=True)
            self._thread.start()
            return True

    def stop(self, timeout_s: float = 5.0) -> None:
        """Say ``offline`` (retained), disconnect and end the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
            connection, self._connection = self._connection, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout_s)
        if connection is not None:
            connection.stop(last_words=(self._config.topics.availability, OFFLINE))

    def test(self) -> str | None:
        """Connect once with the stored settings (on or off) and, when the publisher runs,
        publish everything again: None when the broker accepted, else what went wrong."""
        try:
            error = self._check(self._settings.mqtt())
        except CrossfadeError as exc:
            return str(exc)
        if error is None and self._thread is not None:
            self._queue.put(_RESEND)
        return error

    def restart(self) -> bool:
        """After the settings changed: stop, then start with the new ones."""
        self.stop()
        return self.start()

    # -- what jobs and the broker report (never block) ------------------------------------

    def job_started(self, job_id: int) -> None:
        self._busy = True
        self.refresh()

    def job_ended(self, job_id: int) -> None:
        self.refresh()

    def refresh(self) -> None:
        if self._thread is not None:
            self._queue.put(_REFRESH)

    def _on_connect(self) -> None:
        topics = self._config.topics
        connection = self._connection
        if connection is None:
            return
        connection.subscribe(topics.ha_status, topics.own_discovery, topics.commands)
        self._queue.put(_RESEND)

    def _on_message(self, topic: str, payload: bytes, retained: bool) -> None:
        topics = self._config.topics
        if topic == topics.ha_status:
            if payload.decode("utf-8", "replace").strip() == ONLINE:
                logger.info("Home Assistant is online: publishing discovery again")
                self._queue.put(_RESEND)
        elif topic.startswith(f"{topics.discovery_prefix}/") and topic.endswith("/config"):
            if payload:
                self._retained_discovery.add(topic)
            else:
                self._retained_discovery.discard(topic)
        else:
            command = topics.command_of(topic)
            if command is not None and not retained:
                self._queue.put(_Command(*command))

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            interval = self._timing.busy_interval_s if self._busy else self._timing.idle_interval_s
            try:
                item: _Item = self._queue.get(timeout=interval)
            except queue.Empty:
                item = _REFRESH
            if item == _STOP:
                return
            try:
                self._handle(item)
            except Exception:
                logger.exception("MQTT publisher: could not handle %s", item)

    def _handle(self, item: _Item) -> None:
        if isinstance(item, _Command):
            self._command(item)
            return
        if item == _RESEND:
            self._sent = {}
        self._publish()

    def _command(self, command: _Command) -> None:
        if not self._config.commands_enabled:
            logger.warning(
                "MQTT: %s of link %s ignored: commands are off in the MQTT settings",
                command.action.value,
                command.link_id,
            )
            return
        dry_run = command.action is LinkAction.PREVIEW
        try:
            job = self._start_run(
                command.link_id, mode=None, dry_run=dry_run, trigger=JobTrigger.API
            )
        except CrossfadeError as exc:
            logger.warning("MQTT: link %s not started: %s", command.link_id, exc)
            return
        logger.info("MQTT: started job %s (%s of link %s)", job.id, command.action, job.link_id)
        self._busy = True
        self._publish()

    def _publish(self) -> None:
        connection = self._connection
        if connection is None or not connection.is_connected:
            return
        topics = self._config.topics
        snapshot = self._snapshot()
        self._busy = snapshot.state.state == "running"
        device = DeviceInfo(version=self._version, configuration_url=self._config.public_url)
        wanted = {
            topic: json.dumps(document, sort_keys=True)
            for topic, document in discovery_documents(topics, device, snapshot.links).items()
        }
        messages = {topics.availability: ONLINE, **wanted}
        messages |= state_messages(topics, snapshot.state)
        for topic, payload in messages.items():
            if self._sent.get(topic) != payload and connection.publish(topic, payload, retain=True):
                self._sent[topic] = payload
        self._clear_stale(connection, topics, set(wanted))

    def _clear_stale(self, connection: Connection, topics: Topics, wanted: set[str]) -> None:
        """Empty retained messages for this device's discovery documents no longer wanted
        (and the state topic of their link), so Home Assistant removes those entities."""
        known = self._retained_discovery | {
            topic for topic in self._sent if topic.endswith("/config")
        }
        for topic in sorted(known - wanted):
            if not connection.publish(topic, "", retain=True):
                continue
            self._sent.pop(topic, None)
            self._retained_discovery.discard(topic)
            found = _LINK_OBJECT.search(topic)
            if found is not None:
                state_topic = topics.link_state(int(found.group(1)))
                if connection.publish(state_topic, "", retain=True):
                    self._sent.pop(state_topic, None)
