"""The MQTT connection against a real mosquitto: the last will says ``offline`` when the
process dies without a word, the one-off check tells a refusing broker from a working one, and
the password stays out of ``repr``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from app.adapters.mqtt import MqttTarget, check_broker, check_config
from app.domain.integrations import MqttConfig, parse_broker_url
from tests.mqtt_support import Broker, Listener, broker

__all__ = ["broker"]

ROOT = Path(__file__).resolve().parents[3]


def test_the_last_will_says_offline_when_the_process_dies(broker: Broker) -> None:
    listener = Listener(broker, "lwt-test/#")
    script = textwrap.dedent(
        f"""
        import os
        from app.adapters.mqtt import connection_for
        from app.domain.integrations import MqttConfig

        config = MqttConfig(enabled=True, broker_url={broker.url!r}, base_topic="lwt-test")
        connection = connection_for(config, lambda: None, lambda *args: None)
        connection.start()
        assert connection.wait_connected(10)
        assert connection.publish("lwt-test/availability", "online", retain=True)
        import time; time.sleep(0.3)
        os._exit(0)  # no DISCONNECT: the broker must publish the will
        """
    )
    try:
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60, cwd=ROOT)
        listener.wait_for(
            lambda seen: seen.get("lwt-test/availability") == "offline", what="the last will"
        )
        assert ("lwt-test/availability", "online") in listener.heard
    finally:
        listener.publish("lwt-test/availability", "", retain=True)
        listener.close()


def test_check_broker(broker: Broker) -> None:
    assert check_config(MqttConfig(broker_url=broker.url)) is None
    refused = check_broker(MqttTarget(parse_broker_url("mqtt://127.0.0.1:1")))
    assert refused is not None and refused.startswith("mqtt://127.0.0.1:1: ConnectionRefusedError")


def test_the_password_is_not_in_repr() -> None:
    target = MqttTarget(parse_broker_url("mqtt://h"), username="u", password="pw-secret-1")
    assert "pw-secret-1" not in repr(target)
    assert "pw-secret-1" not in repr(MqttConfig(password="pw-secret-1"))
