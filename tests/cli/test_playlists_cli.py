"""``crossfade playlists``: ad hoc runs against the emulator, with a Windows path mapping."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.adapters.plex import PlexServerClient
from app.bootstrap import build_container
from app.cli.main import app
from app.settings import load_settings
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    folder = tmp_path / "lists"
    folder.mkdir()
    return folder


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music), "D:\\Music")]) as server:
        yield server


@pytest.fixture
def plex(emulator: EmulatorServer) -> Iterator[PlexServerClient]:
    with PlexServerClient(emulator.url, OWNER_TOKEN) as client:
        yield client


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)


def keys(plex: PlexServerClient, *names: str) -> list[int]:
    by_name = {
        track.file_paths[0].rsplit("\\", 1)[-1]: track.rating_key for track in plex.iter_tracks(1)
    }
    return [by_name[name] for name in names]


def args(
    command: str, emulator: EmulatorServer, music: Path, lists: Path, *extra: str
) -> list[str]:
    return [
        "playlists",
        command,
        "--plex-url",
        emulator.url,
        "--token",
        OWNER_TOKEN,
        "--section",
        "music",
        "--playlist-dir",
        str(lists),
        "--music-dir",
        str(music),
        "--path-map",
        f"D:\\Music={music}",
        *extra,
    ]


@pytest.mark.usefixtures("env")
def test_export_dry_run_then_export_then_edit_and_import(
    emulator: EmulatorServer, plex: PlexServerClient, music: Path, lists: Path
) -> None:
    runner = CliRunner()
    created = plex.create_playlist("Road Trip", 1, keys(plex, "01 First.flac", "03 Oops.opus"))

    dry = runner.invoke(app, args("export", emulator, music, lists, "--dry-run"))

    assert dry.exit_code == 0, dry.output
    assert "Dry run (nothing written)" in dry.output
    assert re.search(r"created on side B\s+1\n", dry.output)
    assert "+ 1. Artist – First" in dry.output
    assert list(lists.iterdir()) == []

    done = runner.invoke(app, args("export", emulator, music, lists))
    assert done.exit_code == 0, done.output
    path = lists / "Road Trip.m3u8"
    assert path.read_text().splitlines()[2:] == [
        "#EXTINF:0,Artist - First",
        "../music/Artist/Album/01 First.flac",
        "#EXTINF:0,Track Artist - Oops",
        "../music/Various Artists/Hits/03 Oops.opus",
    ]

    path.write_text(
        "../music/Various Artists/Hits/03 Oops.opus\n../music/Artist/Album/01 First.flac\n"
    )
    emulator.log.clear()
    imported = runner.invoke(app, args("import", emulator, music, lists, "--json"))

    assert imported.exit_code == 0, imported.output
    document = json.loads(imported.stdout)
    assert document["counters"]["updated_a"] == 1
    assert {event["playlist"] for event in document["events"]} == {"Road Trip"}
    assert [item.track.rating_key for item in plex.playlist_items(created.playlist_id)] == keys(
        plex, "03 Oops.opus", "01 First.flac"
    )
    assert OWNER_TOKEN not in imported.output

    again = runner.invoke(app, args("sync", emulator, music, lists, "--json"))
    assert json.loads(again.stdout)["counters"].get("unchanged") == 1


@pytest.mark.usefixtures("env")
def test_the_same_arguments_reuse_one_link(
    emulator: EmulatorServer, music: Path, lists: Path
) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, args("sync", emulator, music, lists, "--mode", "append"))
        assert result.exit_code == 0, result.output
    container = build_container(load_settings(), runner="inline")
    try:
        links = container.domains.libraries.repository.links(kind="playlists")
    finally:
        container.close()
    assert len(links) == 1 and links[0].options["mode"] == "append"


@pytest.mark.usefixtures("env")
def test_unmatched_entries_are_listed_and_an_unreadable_file_fails_the_exit_status(
    emulator: EmulatorServer, music: Path, lists: Path
) -> None:
    (lists / "Mix.m3u8").write_text("../music/Artist/Album/01 First.flac\nhttp://radio/x\n")
    (lists / "Broken.m3u8").write_bytes(b"\x00\x01binary")
    digest = hashlib.sha256((lists / "Broken.m3u8").read_bytes()).hexdigest()

    result = CliRunner().invoke(app, args("import", emulator, music, lists))

    assert result.exit_code == 3, result.output
    assert "? http://radio/x" in result.output
    assert re.search(r"errors\s+1\n", result.output)
    assert hashlib.sha256((lists / "Broken.m3u8").read_bytes()).hexdigest() == digest


@pytest.mark.usefixtures("env")
def test_a_missing_playlist_folder_is_a_clear_failure(
    emulator: EmulatorServer, music: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, args("sync", emulator, music, tmp_path / "nope"))
    assert result.exit_code == 1
    assert "cannot be listed" in result.output


@pytest.mark.usefixtures("env")
def test_a_saved_playlists_link_runs_by_id_and_ad_hoc_options_are_checked(
    emulator: EmulatorServer, plex: PlexServerClient, music: Path, lists: Path
) -> None:
    runner = CliRunner()
    plex.create_playlist("Road Trip", 1, keys(plex, "01 First.flac"))
    first = runner.invoke(app, args("export", emulator, music, lists, "--section", "1", "--json"))
    assert first.exit_code == 0, first.output
    assert (lists / "Road Trip.m3u8").exists() or any(lists.iterdir())

    listed = runner.invoke(app, ["links", "list", "--kind", "playlists", "--json"])
    [saved] = json.loads(listed.stdout)
    again = runner.invoke(app, ["playlists", "sync", "--link", str(saved["id"]), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["counters"].get("unchanged") == 1

    extra = runner.invoke(
        app, ["playlists", "sync", "--link", str(saved["id"]), "--plex-url", emulator.url]
    )
    assert extra.exit_code == 2 and "drop --plex-url" in extra.stderr
    missing = runner.invoke(app, ["playlists", "sync", "--plex-url", emulator.url])
    assert missing.exit_code == 2
    assert "missing --token, --section, --playlist-dir" in missing.stderr
