from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli.main import app
from plex_emulator.builder import Folder
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library

START_CLI = "from app.cli.main import main; main()"


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plex-cli") / "data" / "music"
    return write_library(root, tmp_path_factory)


def test_check_proposes_the_mapping(music: Path) -> None:
    runner = CliRunner()
    with running_emulator(music=[Folder(str(music), "D:\\Music")]) as server:
        args = ["plex", "check", "--url", server.url, "--token", OWNER_TOKEN]
        first = runner.invoke(app, [*args, "--root", str(music.parent)])
        mapped = runner.invoke(app, [*args, "--map", f"D:\\Music={music}", "--section", "Music"])
    assert first.exit_code == 1, first.output
    assert "[1] Music (artist): D:\\Music" in first.output
    assert "sampled 6, 0 found locally, 6 missing" in first.output
    assert f"--map 'D:\\Music={music}'" in first.output
    assert "With them, 6 of 6 misses resolve." in first.output
    assert mapped.exit_code == 0, mapped.output
    assert "sampled 6, 6 found locally, 0 missing" in mapped.output


def test_check_reports_errors_without_the_token(music: Path) -> None:
    runner = CliRunner()
    with running_emulator(music=[Folder(str(music))]) as server:
        result = runner.invoke(
            app, ["plex", "check", "--url", server.url, "--token", "wrong-secret-token"]
        )
        missing = runner.invoke(
            app, ["plex", "check", "--url", server.url, "--token", OWNER_TOKEN, "--section", "X"]
        )
    assert result.exit_code == 2
    assert "refused the token" in result.output
    assert "wrong-secret-token" not in result.output
    assert missing.exit_code == 2 and "no section titled 'X'" in missing.output


def test_emulator_command_serves_and_keeps_state(music: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    command = [
        sys.executable, "-c", START_CLI, "emulator", "--music", str(music), "--port", "0",
        "--token", "cli-owner", "--user", "bob=cli-bob", "--state", str(state),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" at ")[1].strip()
        assert process.stdout.readline().strip() == "owner token: cli-owner"
        owner = {"X-Plex-Token": "cli-owner"}
        listing = httpx.get(f"{url}/library/sections/1/all?type=10", headers=owner).text
        key = listing.split('<Track ratingKey="')[1].split('"')[0]
        rate = {"key": key, "identifier": "com.plexapp.plugins.library", "rating": "4"}
        assert httpx.put(f"{url}/:/rate", params=rate, headers=owner).status_code == 200
        bob = httpx.get(f"{url}/library/sections", headers={"X-Plex-Token": "cli-bob"})
        assert bob.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "stopped" in out
    saved = json.loads(state.read_text())
    assert saved["user_data"]["1"][key][0] == 4.0


def test_emulator_needs_something_to_serve() -> None:
    result = CliRunner().invoke(app, ["emulator", "--port", "0"])
    assert result.exit_code == 2
