"""The integration settings the dashboard edits: MQTT (for Home Assistant) and Apprise
notifications, stored through a small port; secrets (the MQTT password, the Apprise URLs) are
sealed by the repository and never handed back to a page except as "set"."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from app.domain.errors import InvalidInput
from app.domain.homeassistant import check_topic
from app.domain.integrations import (
    MqttConfig,
    NotifyConfig,
    NotifyEvent,
    check_apprise_urls,
    parse_broker_url,
)

MQTT_KEY = "mqtt"
NOTIFY_KEY = "apprise"


class StoredSettingView(Protocol):
    @property
    def value(self) -> dict[str, Any]: ...

    @property
    def secret(self) -> str | None: ...

    @property
    def secret_error(self) -> str | None: ...


class SettingsStore(Protocol):
    """``IntegrationSettingsRepository`` (``app.adapters.db.integration_repo``)."""

    def get(self, key: str) -> StoredSettingView | None: ...

    def put(self, key: str, value: dict[str, Any], secret: str | None) -> None: ...


def _public_url(url: str | None) -> str | None:
    url = (url or "").strip().rstrip("/")
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("Crossfade's address must start with http:// or https://")
    return url


class IntegrationSettings:
    def __init__(self, store: SettingsStore) -> None:
        self._store = store

    # -- MQTT -----------------------------------------------------------------------------

    def mqtt(self) -> MqttConfig:
        stored = self._store.get(MQTT_KEY)
        if stored is None:
            return MqttConfig()
        value = stored.value
        defaults = MqttConfig()
        return MqttConfig(
            enabled=bool(value.get("enabled", False)),
            broker_url=str(value.get("broker_url") or defaults.broker_url),
            username=value.get("username") or None,
            password=stored.secret,
            base_topic=str(value.get("base_topic") or defaults.base_topic),
            discovery_prefix=str(value.get("discovery_prefix") or defaults.discovery_prefix),
            commands_enabled=bool(value.get("commands_enabled", False)),
            public_url=value.get("public_url") or None,
        )

    def mqtt_secret_error(self) -> str | None:
        stored = self._store.get(MQTT_KEY)
        return stored.secret_error if stored is not None else None

    def save_mqtt(
        self,
        *,
        enabled: bool,
        broker_url: str,
        username: str | None,
        password: str | None,
        base_topic: str,
        discovery_prefix: str,
        commands_enabled: bool,
        public_url: str | None,
        keep_password: bool = True,
    ) -> MqttConfig:
        """Check and store; ``password`` None (or empty) with ``keep_password`` keeps the
        stored one, so a form never has to show it."""
        parse_broker_url(broker_url)
        try:
            base = check_topic(base_topic, what="base topic")
            prefix = check_topic(discovery_prefix, what="discovery prefix")
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if base == prefix:
            raise InvalidInput("the base topic and the discovery prefix must differ")
        secret = password or None
        if secret is None and keep_password:
            secret = self.mqtt().password
        value = {
            "enabled": enabled,
            "broker_url": broker_url.strip(),
            "username": (username or "").strip() or None,
            "base_topic": base,
            "discovery_prefix": prefix,
            "commands_enabled": commands_enabled,
            "public_url": _public_url(public_url),
        }
        self._store.put(MQTT_KEY, value, secret)
        return self.mqtt()

    # -- Apprise --------------------------------------------------------------------------

    def notify(self) -> NotifyConfig:
        stored = self._store.get(NOTIFY_KEY)
        if stored is None:
            return NotifyConfig()
        urls: dict[NotifyEvent, tuple[str, ...]] = {}
        if stored.secret:
            for name, listed in json.loads(stored.secret).items():
                if name in NotifyEvent.__members__.values():
                    urls[NotifyEvent(name)] = tuple(str(url) for url in listed)
        return NotifyConfig(
            urls=urls,
            ratings_threshold=int(stored.value.get("ratings_threshold", 100)),
            public_url=stored.value.get("public_url") or None,
        )

    def save_notify(
        self,
        *,
        urls: Mapping[NotifyEvent, Sequence[str]],
        ratings_threshold: int,
        public_url: str | None,
    ) -> NotifyConfig:
        """Store the Apprise URLs of each event (replacing all), the threshold and the
        address job links start with."""
        if ratings_threshold < 0:
            raise InvalidInput("the ratings threshold cannot be negative")
        checked: dict[str, list[str]] = {}
        for event, listed in urls.items():
            try:
                kept = check_apprise_urls(listed)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
            if kept:
                checked[NotifyEvent(event).value] = list(kept)
        value = {"ratings_threshold": ratings_threshold, "public_url": _public_url(public_url)}
        self._store.put(NOTIFY_KEY, value, json.dumps(checked) if checked else None)
        return self.notify()
