"""One long-lived MQTT connection: last will, automatic reconnects, retained publishes.

paho-mqtt is imported when a connection is made, never at module import, so an installation
with MQTT off never loads it. Callbacks run on paho's network thread; the handlers given here
must be quick and must not raise (what they raise is logged). Errors reach callers as values
or as :class:`~app.domain.errors.SetupError`; the password never appears in a message.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.domain.errors import SetupError
from app.domain.homeassistant import OFFLINE
from app.domain.integrations import BrokerAddress, MqttConfig

if TYPE_CHECKING:
    import paho.mqtt.client as paho

logger = logging.getLogger(__name__)

KEEPALIVE_S = 30


@dataclass(frozen=True, slots=True)
class MqttTarget:
    """Where the broker is and the credentials (the password kept out of ``repr``)."""

    address: BrokerAddress
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        return self.address.shown


Message = Callable[[str, bytes, bool], None]


def _client(target: MqttTarget, client_id: str) -> paho.Client:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
    if target.username:
        client.username_pw_set(target.username, target.password)
    if target.address.tls:
        client.tls_set()
    return client


class MqttConnection:
    """Connects in the background and keeps reconnecting; ``on_connect`` runs after every
    (re)connection (subscribe and re-publish there), ``on_message(topic, payload, retained)``
    for every message of a subscription."""

    def __init__(
        self,
        target: MqttTarget,
        *,
        will_topic: str,
        will_payload: str,
        on_connect: Callable[[], None],
        on_message: Message,
        client_id: str | None = None,
        reconnect_max_s: int = 30,
    ) -> None:
        self._target = target
        self._client = _client(target, client_id or f"crossfade-{uuid.uuid4().hex[:12]}")
        self._client.will_set(will_topic, will_payload, qos=1, retain=True)
        self._client.reconnect_delay_set(min_delay=1, max_delay=reconnect_max_s)
        self._client.on_connect = self._connected
        self._client.on_disconnect = self._disconnected
        self._client.on_message = self._message
        self._on_connect = on_connect
        self._on_message = on_message
        self._connected_event = threading.Event()
        self.last_error: str | None = None

    @property
    def target(self) -> MqttTarget:
        return self._target

    @property
    def is_connected(self) -> bool:
        return self._connected_event.is_set()

    def start(self) -> None:
        try:
            self._client.connect_async(
                self._target.address.host, self._target.address.port, KEEPALIVE_S
            )
        except (OSError, ValueError) as exc:
            raise SetupError(f"MQTT broker {self._target.shown}: {exc}") from None
        self._client.loop_start()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected_event.wait(timeout_s)

    def publish(self, topic: str, payload: str, *, retain: bool) -> bool:
        """Queue a QoS 1 message; False when not connected (the next connection re-publishes
        everything, so nothing is lost by dropping it)."""
        if not self.is_connected:
            return False
        info = self._client.publish(topic, payload, qos=1, retain=retain)
        return bool(info.rc == 0)

    def subscribe(self, *topics: str) -> None:
        for topic in topics:
            self._client.subscribe(topic, qos=1)

    def unsubscribe(self, topic: str) -> None:
        self._client.unsubscribe(topic)

    def stop(self, *, last_words: tuple[str, str] | None = None, timeout_s: float = 2.0) -> None:
        """Publish ``last_words`` (topic, payload; retained) if connected, then disconnect."""
        if last_words is not None and self.is_connected:
            info = self._client.publish(last_words[0], last_words[1], qos=1, retain=True)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout_s)
        self._client.disconnect()
        self._client.loop_stop()
        self._connected_event.clear()

    # -- paho's thread ----------------------------------------------------------------------

    def _connected(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if getattr(reason, "is_failure", False):
            self.last_error = f"broker refused the connection: {reason}"
            logger.warning("MQTT %s: %s", self._target.shown, self.last_error)
            return
        self.last_error = None
        self._connected_event.set()
        logger.info("MQTT connected to %s", self._target.shown)
        try:
            self._on_connect()
        except Exception:
            logger.exception("MQTT: handling the connection failed")

    def _disconnected(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        was = self._connected_event.is_set()
        self._connected_event.clear()
        if was:
            logger.warning(
                "MQTT disconnected from %s (%s); reconnecting", self._target.shown, reason
            )

    def _message(self, client: Any, userdata: Any, message: Any) -> None:
        try:
            self._on_message(str(message.topic), bytes(message.payload), bool(message.retain))
        except Exception:
            logger.exception("MQTT: handling a message on %s failed", message.topic)


def connection_for(
    config: MqttConfig, on_connect: Callable[[], None], on_message: Message
) -> MqttConnection:
    """A connection to ``config``'s broker whose last will says ``offline`` on its
    availability topic (``InvalidInput`` for a bad broker URL)."""
    target = MqttTarget(config.broker, username=config.username, password=config.password)
    return MqttConnection(
        target,
        will_topic=config.topics.availability,
        will_payload=OFFLINE,
        on_connect=on_connect,
        on_message=on_message,
    )


def check_broker(target: MqttTarget, *, timeout_s: float = 5.0) -> str | None:
    """Connect once and disconnect: None when the broker accepted us, else what went wrong."""
    outcome: dict[str, str | None] = {}
    done = threading.Event()

    def connected(client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        failed = getattr(reason, "is_failure", False)
        outcome["error"] = f"the broker refused the connection: {reason}" if failed else None
        done.set()

    client = _client(target, f"crossfade-check-{uuid.uuid4().hex[:8]}")
    client.on_connect = connected
    try:
        client.connect(target.address.host, target.address.port, KEEPALIVE_S)
    except (OSError, ValueError) as exc:
        return f"{target.shown}: {type(exc).__name__}: {exc}"
    client.loop_start()
    try:
        if not done.wait(timeout_s):
            return f"{target.shown}: no answer within {timeout_s:g}s"
        return outcome.get("error")
    finally:
        client.disconnect()
        client.loop_stop()


def check_config(config: MqttConfig) -> str | None:
    """Connect to ``config``'s broker once (the dashboard's "test"): None when it accepted."""
    target = MqttTarget(config.broker, username=config.username, password=config.password)
    return check_broker(target)
