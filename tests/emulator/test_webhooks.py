from __future__ import annotations

from pathlib import Path

import httpx

from plex_emulator.builder import Folder
from plex_emulator.knobs import Knobs
from tests.emulator.support import BOB_TOKEN, OWNER_TOKEN, WebhookReceiver, running_emulator


def _rate(url: str, token: str, key: int, rating: str) -> None:
    response = httpx.put(
        f"{url}/:/rate",
        params={"key": key, "identifier": "com.plexapp.plugins.library", "rating": rating},
        headers={"X-Plex-Token": token},
    )
    assert response.status_code == 200


def test_async_delivery_and_per_account_targets(audio_library: Path) -> None:
    with (
        WebhookReceiver() as owner_hooks,
        WebhookReceiver() as bob_hooks,
        running_emulator(music=[Folder(str(audio_library))], knobs=Knobs()) as server,
    ):
        server.webhooks.add_target(owner_hooks.url)
        server.webhooks.add_target(bob_hooks.url, account_id=1000)
        server.webhooks.add_target("http://127.0.0.1:9/refused")
        key = server.state.sections[1].leaf_keys[0]
        _rate(server.url, OWNER_TOKEN, key, "6")
        _rate(server.url, BOB_TOKEN, key, "9.5")
        scrobble = {"key": key, "identifier": "com.plexapp.plugins.library"}
        headers = {"X-Plex-Token": OWNER_TOKEN}
        httpx.get(f"{server.url}/:/scrobble", params=scrobble, headers=headers)
        server.webhooks.flush()
        *rates, played = owner_hooks.received
        assert played.payload["event"] == "media.scrobble"
        assert played.thumb is None and played.payload["Metadata"]["viewCount"] == 1
        owner_hooks.received[:] = rates
        assert [h.payload["rating"] for h in owner_hooks.received] == ["6", "9.5"]
        assert [h.payload["Account"]["title"] for h in owner_hooks.received] == ["owner", "bob"]
        assert [(h.payload["user"], h.payload["owner"]) for h in owner_hooks.received] == [
            (True, True),
            (False, True),
        ]
        (bob_hook,) = bob_hooks.received
        assert (bob_hook.payload["user"], bob_hook.payload["owner"]) == (True, False)
        assert bob_hook.payload["Metadata"]["userRating"] == 9.5
        assert bob_hook.thumb is not None and bob_hook.thumb.startswith(b"\xff\xd8")
        failures = [d for d in server.webhooks.deliveries if d.error]
        assert len(failures) == 3  # the refused target, once per event; nothing raised
