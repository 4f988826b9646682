"""Scans through plexapi (docs/PLEX.md §6.1) and the webhooks they and ratings fire (§7.1)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from plexapi.server import PlexServer

from plex_emulator.builder import Folder
from plex_emulator.demo_files import DemoTrack
from plex_emulator.server import EmulatorServer
from tests.emulator.support import (
    OWNER_TOKEN,
    WebhookReceiver,
    running_emulator,
    write_library,
)


@pytest.fixture
def library(tmp_path: Path, audio_library: Path) -> Path:
    root = tmp_path / "music"
    shutil.copytree(audio_library, root, ignore=shutil.ignore_patterns(".templates"))
    return root


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def server(library: Path, hooks: WebhookReceiver) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(library))]) as emulator:
        emulator.webhooks.add_target(hooks.url)
        yield emulator


def test_partial_scan_of_a_folder_with_spaces_and_unicode(
    server: EmulatorServer,
    library: Path,
    hooks: WebhookReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    plex = PlexServer(server.url, OWNER_TOKEN)
    music = plex.library.section("Music")
    before = {t.title for t in music.searchTracks()}
    new = DemoTrack("Sigur Rós/Ágætis byrjun/01 Intro.flac", "Intro", "Sigur Rós", "Ágætis byrjun")
    write_library(library, tmp_path_factory, [new])
    (library / "Artist" / "Album" / "01 First.flac").unlink()  # outside the scanned folder

    folder = str(library / "Sigur Rós")
    music.update(path=folder)
    assert server.scans.wait_idle()
    (entry,) = [e for e in server.log.entries() if e.path.endswith("/refresh")]
    assert entry.param("path") == folder
    after = {t.title for t in music.searchTracks()}
    assert after == before | {"Intro"}  # First is gone on disk but was not rescanned

    music.update()
    assert server.scans.wait_idle()
    assert {t.title for t in music.searchTracks()} == after - {"First"}
    assert hooks.events() == ["library.new"]
    (hook,) = hooks.received
    assert hook.payload["Metadata"]["title"] == "Intro"
    assert hook.payload["Server"]["uuid"] == plex.machineIdentifier
    assert hook.field_names == ("payload", "thumb")


def test_refresh_is_asynchronous_and_shows_refreshing(server: EmulatorServer) -> None:
    server.knobs.scan_delay_s = 0.3
    plex = PlexServer(server.url, OWNER_TOKEN)
    plex.library.section("Music").update()
    plex.library._invalidateCachedProperties()
    assert plex.library.section("Music").refreshing is True
    assert server.scans.wait_idle()
    plex.library._invalidateCachedProperties()
    assert plex.library.section("Music").refreshing is False


def test_rating_fires_media_rate(server: EmulatorServer, hooks: WebhookReceiver) -> None:
    plex = PlexServer(server.url, OWNER_TOKEN)
    track = plex.library.section("Music").searchTracks()[0]
    track.rate(8)
    track.rate()
    assert hooks.events() == ["media.rate", "media.rate"]
    first, second = (h.payload for h in hooks.received)
    assert first["rating"] == "8"
    assert first["Metadata"]["userRating"] == 8.0
    assert first["Metadata"]["ratingKey"] == str(track.ratingKey)
    assert first["Account"]["id"] == 1
    assert first["owner"] is True and first["user"] is True
    assert second["rating"] == "-1"
    assert "userRating" not in second["Metadata"]
