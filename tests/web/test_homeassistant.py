"""The Home Assistant page and the README section: valid YAML, this instance's URL, the
fields of /api/v1/status that the sensor uses."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from app.web.homeassistant import README_BASE_URL, STATUS_FIELDS, readme_section, snippets

ROOT = Path(__file__).resolve().parents[2]


class HomeAssistantLoader(yaml.SafeLoader):
    """YAML as Home Assistant reads it: ``!secret name`` is a reference."""


HomeAssistantLoader.add_constructor(
    "!secret", lambda loader, node: f"<secret {loader.construct_scalar(node)}>"
)


def load(text: str) -> Any:
    return yaml.load(text, Loader=HomeAssistantLoader)


def test_snippets_are_valid_yaml_filled_in_for_the_instance() -> None:
    text = snippets("http://music.home:8080/", [3, 7])
    assert load(text.secrets) == {"crossfade_auth": "Bearer cf_PASTE_YOUR_TOKEN_HERE"}
    commands = load(text.rest_command)["rest_command"]
    assert sorted(commands) == ["crossfade_sync_link_3", "crossfade_sync_link_7"]
    command = commands["crossfade_sync_link_7"]
    assert command["url"] == "http://music.home:8080/api/v1/jobs"
    assert command["headers"] == {"authorization": "<secret crossfade_auth>"}
    assert load(command["payload"]) == {"link": 7, "mode": "sync", "dry_run": False}
    rest = load(text.rest_sensor)["rest"][0]
    assert rest["resource"] == "http://music.home:8080/api/v1/status"
    assert rest["sensor"][0]["value_template"] == "{{ value_json.state }}"
    automation = load(text.automation)[0]
    assert automation["triggers"][0]["trigger"] == "webhook"
    assert "http://music.home:8080/jobs/" in automation["actions"][0]["data"]["message"]
    assert "crossfade_sync_link_1" in snippets("http://x", []).rest_command


def test_the_page_uses_the_url_the_browser_reached_and_real_status_fields(
    app_client: TestClient,
) -> None:
    page = app_client.get("/homeassistant").text
    blocks = [
        html.unescape(b)
        for b in re.findall(r'<pre class="yaml"[^>]*><code>(.*?)</code></pre>', page, re.S)
    ]
    assert len(blocks) == 4
    assert load(blocks[1])["rest_command"]["crossfade_sync_link_1"]["url"] == (
        "http://testserver/api/v1/jobs"
    )
    assert "crossfade token create --name home-assistant --scope trigger" in page

    # Every field the page documents and the sensor reads is in the real answer.
    status = app_client.get("/api/v1/status").json()
    for name, _meaning in STATUS_FIELDS:
        assert name in status, name
    attributes = load(snippets("http://x", []).rest_sensor)["rest"][0]["sensor"][0]
    for name in attributes["json_attributes"]:
        assert name in status, name


def test_the_readme_section_is_the_same_text() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "\n## Home Assistant\n" in readme
    section = readme.split("\n## Home Assistant\n", 1)[1].split("\n## ", 1)[0]
    assert readme_section() in section
    assert README_BASE_URL in section
