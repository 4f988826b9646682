"""MQTT: a connection to a broker (paho-mqtt, imported only when MQTT is switched on)."""

from app.adapters.mqtt.connection import (
    MqttConnection,
    MqttTarget,
    check_broker,
    check_config,
    connection_for,
)

__all__ = ["MqttConnection", "MqttTarget", "check_broker", "check_config", "connection_for"]
