"""``crossfade ratings``: ad hoc runs against the emulator, with a Windows path mapping."""

from __future__ import annotations

import json
import re
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

FIRST = "Artist/Album/01 First.flac"


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


def stars(path: Path) -> float | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.stars


def rate_first_in_plex(emulator: EmulatorServer, half_stars: int | None) -> None:
    with PlexServerClient(emulator.url, OWNER_TOKEN) as client:
        section = next(s for s in client.list_sections() if s.is_music)
        key = next(
            t.rating_key
            for t in client.iter_tracks(section.section_id)
            if t.file_paths[0].endswith("01 First.flac")
        )
        client.rate(key, half_stars)


def args(mode: str, emulator: EmulatorServer, music: Path, *extra: str) -> list[str]:
    return [
        "ratings",
        mode,
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
        *extra,
    ]


@pytest.mark.usefixtures("env")
def test_export_dry_run_then_export_then_unrate(emulator: EmulatorServer, music: Path) -> None:
    runner = CliRunner()
    rate_first_in_plex(emulator, 9)

    preview = runner.invoke(app, args("export", emulator, music, "--dry-run", "--json"))
    assert preview.exit_code == 0, preview.output
    document = json.loads(preview.stdout)
    assert document["dry_run"] is True
    assert [(e["action"], e["after"]) for e in document["events"]] == [("write_b", "4½★")]
    assert stars(music / FIRST) is None

    real = runner.invoke(app, args("export", emulator, music))
    assert real.exit_code == 0, real.output
    assert re.search(r"ratings changed on side B\s+1\n", real.output)
    assert re.search(r"matched pairs\s+6\n", real.output)
    assert stars(music / FIRST) == 4.5

    rate_first_in_plex(emulator, None)
    again = runner.invoke(app, args("sync", emulator, music, "--json"))
    assert again.exit_code == 0, again.output
    counters = json.loads(again.stdout)["counters"]
    assert counters["files_cached"] == 6
    assert stars(music / FIRST) is None

    listed = runner.invoke(app, ["info", "--json"])
    assert listed.exit_code == 0


@pytest.mark.usefixtures("env")
def test_a_bad_file_makes_the_exit_status_non_zero(emulator: EmulatorServer, music: Path) -> None:
    (music / "Artist" / "Album" / "00 Broken.mp3").write_bytes(b"\xff\xfb" + b"\x00" * 10)
    result = CliRunner().invoke(app, args("sync", emulator, music))
    assert result.exit_code == 3, result.output
    assert re.search(r"errors\s+1\n", result.output)


@pytest.mark.usefixtures("env")
def test_unknown_section_is_a_clear_error(emulator: EmulatorServer, music: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "ratings",
            "sync",
            "--plex-url",
            emulator.url,
            "--token",
            OWNER_TOKEN,
            "--section",
            "Podcasts",
            "--music-dir",
            str(music),
        ],
    )
    assert result.exit_code == 1
    assert "no music section 'Podcasts'" in result.output
    assert OWNER_TOKEN not in result.output
