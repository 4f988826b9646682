"""Discovery documents and state messages: topics, entities per link kind, commands parsed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.domain.homeassistant import (
    Component,
    DeviceInfo,
    InstanceState,
    LinkAction,
    LinkEntity,
    LinkState,
    Topics,
    check_topic,
    discovery_documents,
    state_messages,
)

TOPICS = Topics(base="crossfade", discovery_prefix="homeassistant")
DEVICE = DeviceInfo(version="1.2.3", configuration_url=None)


@pytest.mark.parametrize(
    ("topic", "command"),
    [
        ("crossfade/link/3/run", (3, LinkAction.RUN)),
        ("crossfade/link/12/preview", (12, LinkAction.PREVIEW)),
        ("crossfade/link/3/state", None),
        ("crossfade/link/x/run", None),
        ("crossfade/link/3/run/extra", None),
        ("other/link/3/run", None),
        ("crossfade/state", None),
    ],
)
def test_command_of(topic: str, command: tuple[int, LinkAction] | None) -> None:
    assert TOPICS.command_of(topic) == command


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("crossfade", True),
        ("home/crossfade-2", True),
        ("  crossfade ", True),
        ("", False),
        ("crossfade/", False),
        ("/crossfade", False),
        ("cross+fade", False),
        ("cross#", False),
        ("two words", False),
    ],
)
def test_check_topic(text: str, ok: bool) -> None:
    if ok:
        assert check_topic(text, what="base topic") == text.strip()
    else:
        with pytest.raises(ValueError, match="base topic"):
            check_topic(text, what="base topic")


@pytest.mark.parametrize(
    ("kind", "buttons"),
    [("ratings", {"run", "preview"}), ("playlists", {"run"}), ("mirror", {"run"})],
)
def test_entities_per_link_kind(kind: str, buttons: set[str]) -> None:
    documents = discovery_documents(TOPICS, DEVICE, [LinkEntity(4, kind, "A ⇄ B")])
    found = {
        topic.split("/")[3].removeprefix("link_4_")
        for topic in documents
        if topic.split("/")[1] == Component.BUTTON.value
    }
    assert found == buttons
    assert "homeassistant/sensor/crossfade/link_4_last_result/config" in documents
    assert (
        "configuration_url"
        not in documents["homeassistant/sensor/crossfade/state/config"]["device"]
    )


def test_a_second_base_topic_is_a_second_device() -> None:
    other = Topics(base="home/crossfade", discovery_prefix="homeassistant")
    mine = discovery_documents(TOPICS, DEVICE, [])
    theirs = discovery_documents(other, DEVICE, [])
    assert not set(mine) & set(theirs)
    ids = {doc["unique_id"] for doc in mine.values()}
    assert not ids & {doc["unique_id"] for doc in theirs.values()}
    assert other.availability == "home/crossfade/availability"


def test_state_messages() -> None:
    at = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    state = InstanceState(
        state="running",
        progress=33.333,
        phase="scanning",
        current_job="ratings_sync #5",
        last_run_at=at,
        last_result="failed",
        pending_conflicts=2,
        needs_review=1,
        last_run_problems=0,
        links=(LinkState(1, "failed", at, problem=True), LinkState(2, None, None, problem=False)),
    )
    messages = state_messages(TOPICS, state)
    instance = json.loads(messages["crossfade/state"])
    assert instance["progress"] == 33.3
    assert instance["problem"] is True
    assert instance["last_run_at"] == "2026-12-07T04:00:00+00:00"
    assert json.loads(messages["crossfade/link/2/state"]) == {
        "last_result": None,
        "last_run_at": None,
        "problem": False,
    }
