from __future__ import annotations

import json
from pathlib import Path

import httpx

from plex_emulator.builder import Folder
from tests.emulator.support import OWNER_TOKEN, running_emulator

OWNER = {"X-Plex-Token": OWNER_TOKEN}


def test_ratings_and_playlists_survive_a_restart(audio_library: Path, tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    music = [Folder(str(audio_library))]
    with running_emulator(music=music, state_file=str(state_file)) as server:
        keys = server.state.sections[1].leaf_keys[:2]
        mid = server.state.machine_identifier
        httpx.put(
            f"{server.url}/:/rate",
            params={"key": keys[0], "identifier": "com.plexapp.plugins.library", "rating": 7},
            headers=OWNER,
        ).raise_for_status()
        uri = f"server://{mid}/com.plexapp.plugins.library/library/metadata/{keys[1]},{keys[0]}"
        httpx.post(
            f"{server.url}/playlists",
            params={"type": "audio", "title": "Kept", "smart": "0", "uri": uri},
            headers=OWNER,
        ).raise_for_status()
    saved = json.loads(state_file.read_text())
    assert saved["machine_identifier"] == mid

    with running_emulator(music=music, state_file=str(state_file)) as server:
        assert server.state.machine_identifier == mid
        assert server.state.sections[1].leaf_keys[:2] == keys
        detail = httpx.get(f"{server.url}/library/metadata/{keys[0]}", headers=OWNER).text
        assert 'userRating="7.0"' in detail
        playlists = httpx.get(f"{server.url}/playlists", headers=OWNER).text
        assert 'title="Kept"' in playlists and 'leafCount="2"' in playlists
