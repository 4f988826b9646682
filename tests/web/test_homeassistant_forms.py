"""The Home Assistant page's forms: MQTT settings (the password never shown again), "test"
against a real broker, Apprise URLs shown by scheme only, and a webhook's signing secret on
request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.mqtt_support import Broker, broker
from tests.services.hook_support import JsonReceiver

__all__ = ["broker"]

MQTT_FORM = {
    "broker_url": "mqtt://127.0.0.1:1",
    "username": "crossfade",
    "password": "broker-password-123",
    "base_topic": "crossfade",
    "discovery_prefix": "homeassistant",
    "public_url": "http://crossfade.test:8080",
}


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    with JsonReceiver() as running:
        yield running


def page_of(client: TestClient) -> str:
    return str(client.get("/homeassistant").text)


def post(client: TestClient, path: str, form: dict[str, Any]) -> Any:
    return client.post(path, data=form, follow_redirects=False)


def test_mqtt_settings_keep_the_password_out_of_the_page(app_client: TestClient) -> None:
    answer = post(app_client, "/homeassistant/mqtt", MQTT_FORM)
    assert answer.status_code == 303
    page = app_client.get("/homeassistant?notice=mqtt-saved").text
    assert "MQTT settings saved." in page
    assert "broker-password-123" not in page
    assert "set (leave empty to keep it)" in page
    assert 'value="mqtt://127.0.0.1:1"' in page
    assert "sensor.crossfade_pending_conflicts" in page  # what appears in Home Assistant
    # saving again without a password keeps it; a bad broker URL is refused with a reason
    assert post(app_client, "/homeassistant/mqtt", MQTT_FORM | {"password": ""}).status_code == 303
    assert "set (leave empty to keep it)" in app_client.get("/homeassistant").text
    refused = post(app_client, "/homeassistant/mqtt", MQTT_FORM | {"broker_url": "http://x"})
    assert refused.status_code == 422
    assert "mqtt://host:1883" in refused.text


def test_the_test_button_reaches_a_real_broker(app_client: TestClient, broker: Broker) -> None:
    post(app_client, "/homeassistant/mqtt", MQTT_FORM)
    failed = post(app_client, "/homeassistant/mqtt/test", {}).text
    assert "Test failed: mqtt://127.0.0.1:1:" in failed
    post(app_client, "/homeassistant/mqtt", MQTT_FORM | {"broker_url": broker.url})
    assert (
        "The broker accepted the connection."
        in post(app_client, "/homeassistant/mqtt/test", {}).text
    )


def test_notification_urls_are_shown_by_scheme_and_tested(
    app_client: TestClient, receiver: JsonReceiver
) -> None:
    url = receiver.url("/secret-topic").replace("http://", "json://", 1)
    form = {"urls_job_failed": url, "ratings_threshold": "50", "public_url": ""}
    assert post(app_client, "/homeassistant/notifications", form).status_code == 303
    page = app_client.get("/homeassistant").text
    assert "set: json://…" in page
    assert "secret-topic" not in page
    assert (
        "Test notification sent." in post(app_client, "/homeassistant/notifications/test", {}).text
    )
    assert receiver.received[0].path == "/secret-topic"
    # an empty box keeps the URLs, "clear" removes them
    post(app_client, "/homeassistant/notifications", {"ratings_threshold": "50"})
    assert "set: json://…" in app_client.get("/homeassistant").text
    post(app_client, "/homeassistant/notifications", {"clear_job_failed": "true"})
    assert "set: json://…" not in app_client.get("/homeassistant").text
    bad = post(app_client, "/homeassistant/notifications", {"urls_job_failed": "no scheme"})
    assert bad.status_code == 422


def test_a_webhooks_signing_secret_is_shown_on_request(app_client: TestClient) -> None:
    form = {"name": "receiver", "url": "https://example.test/hook", "events": ["job_failed"]}
    assert post(app_client, "/webhooks/outgoing/new", form).status_code == 303
    [hook_id] = [int(n) for n in re.findall(r"/homeassistant/webhooks/(\d+)/", page_of(app_client))]
    page = app_client.get("/homeassistant").text
    assert not re.findall(r"whsec_[A-Za-z0-9+/=]+", page)
    shown = post(app_client, f"/homeassistant/webhooks/{hook_id}/signing-secret", {}).text
    [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", shown)
    again = post(app_client, f"/homeassistant/webhooks/{hook_id}/signing-secret", {}).text
    assert secret in again  # stable
    assert secret not in app_client.get("/webhooks").text
