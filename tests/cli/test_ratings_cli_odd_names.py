"""``crossfade ratings sync`` through the whole job system over a folder holding names that are
not valid UTF-8: the run ends with problems (exit status 3) instead of crashing, the odd names
show in their display form in valid JSON, and the good files are synced."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.adapters.plex import PlexServerClient
from app.adapters.tags import read_file
from app.cli.main import app
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library

CAFE = "Artist/Album/02 Café & Crema.mp3"
CAFE_LATIN1 = "Artist/Album/02 Caf\xe9 & Crema.mp3".encode("latin-1")
BROKEN_LATIN1 = b"Artist/Album/00 Kaputt \xe9.mp3"


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


def rate_in_plex(emulator: EmulatorServer, name_end: str, half_stars: int) -> None:
    with PlexServerClient(emulator.url, OWNER_TOKEN) as client:
        section = next(s for s in client.list_sections() if s.is_music)
        key = next(
            t.rating_key
            for t in client.iter_tracks(section.section_id)
            if t.file_paths[0].endswith(name_end)
        )
        client.rate(key, half_stars)


def half_stars(path: bytes) -> int | None:
    tags = read_file(os.fsdecode(path))
    rating = tags.resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


@pytest.mark.usefixtures("env")
def test_odd_names_end_with_problems_not_a_crash(emulator: EmulatorServer, music: Path) -> None:
    root = os.fsencode(music)
    os.rename(music / CAFE, root + b"/" + CAFE_LATIN1)  # Plex still has the UTF-8 name
    Path(os.fsdecode(root + b"/" + BROKEN_LATIN1)).write_bytes(b"\xff\xfb" + b"\x00" * 10)
    rate_in_plex(emulator, "02 Café & Crema.mp3", 9)
    command = [
        "ratings",
        "sync",
        "--plex-url",
        emulator.url,
        "--token",
        OWNER_TOKEN,
        "--section",
        "music",
        "--music-dir",
        str(music),
        "--path-map",
        f"D:\\Music={music}",
        "--json",
    ]

    result = CliRunner().invoke(app, command)

    assert result.exit_code == 3, result.output
    result.stdout.encode("utf-8")
    document = json.loads(result.stdout)
    assert document["status"] == "succeeded"
    assert document["problems"] == 1
    (unreadable,) = [e for e in document["events"] if e["level"] == "error"]
    assert unreadable["subject"].endswith("00 Kaputt \\xe9.mp3")
    assert half_stars(root + b"/" + CAFE_LATIN1) == 9

    human = CliRunner().invoke(app, command[:-1])
    assert human.exit_code == 3, human.output
    assert "problems (see its events)" in human.output
