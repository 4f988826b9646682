"""``crossfade playlists undo JOB_ID``: a run's playlist changes put back (and redone)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.adapters.plex import PlexServerClient
from app.cli.main import app
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music))]) as server:
        yield server


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)


def test_undo_then_redo_an_export(emulator: EmulatorServer, music: Path, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    with PlexServerClient(emulator.url, OWNER_TOKEN) as plex:
        first = next(t.rating_key for t in plex.iter_tracks(1) if "01 First" in t.file_paths[0])
        plex.create_playlist("Road Trip", 1, [first])
    runner = CliRunner()
    export = [
        "playlists", "export", "--plex-url", emulator.url, "--token", OWNER_TOKEN,
        "--section", "music", "--playlist-dir", str(lists), "--music-dir", str(music), "--json",
    ]  # fmt: skip
    done = runner.invoke(app, export)
    assert done.exit_code == 0, done.output
    job_id = json.loads(done.stdout)["job"]
    path = lists / "Road Trip.m3u8"
    written = path.read_bytes()

    undone = runner.invoke(app, ["playlists", "undo", str(job_id), "--json"])

    assert undone.exit_code == 0, undone.output
    document = json.loads(undone.stdout)
    assert document["counters"]["restored_b"] == 1
    assert not path.exists()

    redone = runner.invoke(app, ["playlists", "undo", str(document["job"])])
    assert redone.exit_code == 0, redone.output
    assert "restored on side B" in redone.output
    assert path.read_bytes() == written

    refused = runner.invoke(app, ["playlists", "undo", "999"])
    assert refused.exit_code != 0
