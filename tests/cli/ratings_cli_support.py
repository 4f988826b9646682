"""The world of the ratings CLI tests: the demo library's real files, the Plex emulator
serving them under a Windows path, and the ``crossfade ratings`` commands run in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.cli.main import app
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
ZWEITE = "Björk & Friends/Ünïcødé Album/2-01 Zweite <Seite>.ogg"
OOPS = "Various Artists/Hits/03 Oops.opus"
WAVE = "Various Artists/Hits/04 Wave.wav"
ALL = (FIRST, CAFE, CA_VA, ZWEITE, OOPS, WAVE)

HalfStars = int | None


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music), "D:\\Music")]) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)


class World:
    def __init__(self, emulator: EmulatorServer, music: Path) -> None:
        self.emulator, self.music = emulator, music
        with PlexServerClient(emulator.url, OWNER_TOKEN) as client:
            section = next(s for s in client.list_sections() if s.is_music)
            self.keys = {
                relative: next(
                    t.rating_key
                    for t in client.iter_tracks(section.section_id)
                    if t.file_paths[0].replace("\\", "/").endswith(relative)
                )
                for relative in ALL
            }

    def set(self, ratings: Mapping[str, tuple[HalfStars, HalfStars]]) -> None:
        """Rate each track: (Plex, file)."""
        with PlexServerClient(self.emulator.url, OWNER_TOKEN) as client:
            for relative, (plex, file) in ratings.items():
                client.rate(self.keys[relative], plex)
                write_rating(
                    self.music / relative,
                    None if file is None else Rating(file),
                    preset("musicbee"),
                    options=WriteOptions(),
                )

    def state(self) -> dict[str, tuple[HalfStars, HalfStars]]:
        with PlexServerClient(self.emulator.url, OWNER_TOKEN) as client:
            plex = {r: client.get_track(self.keys[r]).user_rating for r in ALL}
        policy = ReadPolicy.for_profile(preset("musicbee"))
        files = {r: read_file(self.music / r).resolve(policy).rating for r in ALL}
        return {r: (plex[r], _half_stars(files[r])) for r in ALL}

    def run(self, mode: str, *extra: str) -> dict[str, Any]:
        result = self.run_raw(mode, *extra)
        assert result.exit_code == 0, result.output
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    def run_raw(self, mode: str, *extra: str) -> Result:
        return CliRunner().invoke(
            app,
            [
                "ratings",
                mode,
                "--plex-url",
                self.emulator.url,
                "--token",
                OWNER_TOKEN,
                "--section",
                "music",
                "--music-dir",
                str(self.music),
                "--path-map",
                f"D:\\Music={self.music}",
                "--json",
                *extra,
            ],
        )


@pytest.fixture
def world(emulator: EmulatorServer, music: Path) -> World:
    return World(emulator, music)


def _half_stars(rating: Rating | None) -> HalfStars:
    return None if rating is None else rating.half_stars
