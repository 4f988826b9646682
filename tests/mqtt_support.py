"""A real mosquitto broker on loopback for the MQTT tests (the binary from
CROSSFADE_TEST_MOSQUITTO, which scripts/test.d/10-mosquitto.sh exports), and a paho test client
that keeps what it heard: the retained view of the topics it follows, and every message."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import required_service_url, wait_until

MOSQUITTO_ENV = "CROSSFADE_TEST_MOSQUITTO"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Broker:
    """mosquitto on 127.0.0.1 with anonymous access and no persistence; ``restart`` keeps the
    port (and, like a real restart without persistence, loses every retained message)."""

    def __init__(self, binary: str, work_dir: Path) -> None:
        self.binary = binary
        self.port = _free_port()
        self.config = work_dir / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        )
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self.binary, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    binary = required_service_url(MOSQUITTO_ENV)
    running = Broker(binary, tmp_path_factory.mktemp("mosquitto"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


class Listener:
    """A client subscribed to ``topics``: ``retained`` is topic -> payload as a newcomer would
    see it (an empty payload removes the topic), ``heard`` every (topic, payload)."""

    def __init__(self, broker: Broker, *topics: str) -> None:
        self.retained: dict[str, str] = {}
        self.heard: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._topics = topics
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{time.time_ns()}")
        self.client.on_connect = self._connected
        self.client.on_message = self._message
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def _connected(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        for topic in self._topics:
            client.subscribe(topic, qos=1)

    def _message(self, client: Any, userdata: Any, message: Any) -> None:
        payload = bytes(message.payload).decode("utf-8")
        with self._lock:
            self.heard.append((str(message.topic), payload))
            if payload:
                self.retained[str(message.topic)] = payload
            else:
                self.retained.pop(str(message.topic), None)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self.retained)

    def json(self, topic: str) -> Any:
        return json.loads(self.snapshot()[topic])

    def states(self, topic: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                json.loads(payload) for heard, payload in self.heard if heard == topic and payload
            ]

    def wait_for(
        self, check: Callable[[dict[str, str]], bool], *, what: str, timeout_s: float = 15
    ) -> None:
        wait_until(lambda: check(self.snapshot()), timeout_s=timeout_s, what=what)

    def publish(self, topic: str, payload: str, *, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
