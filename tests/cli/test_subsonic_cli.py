"""``crossfade subsonic check`` against the emulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from tests.subsonic_emulator import SubsonicEmulator, serve


@pytest.fixture
def server() -> Iterator[tuple[SubsonicEmulator, str]]:
    emulator = SubsonicEmulator(token_auth=False)
    emulator.library.add_user("alice", "pw", api_key="k-1")
    url, stop = serve(emulator)
    try:
        yield emulator, url
    finally:
        stop()


def test_check_shows_the_server_and_the_auth_that_worked(
    server: tuple[SubsonicEmulator, str],
) -> None:
    _, url = server
    result = CliRunner().invoke(app, ["subsonic", "check", "--url", url, "--user", "alice",
                                      "--password", "pw"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Server: crossfade-emulator 0.1" in result.output
    assert "API version: 1.16.1" in result.output
    assert "Extensions: formPost, apiKeyAuthentication" in result.output
    assert "Auth: password" in result.output  # this server refuses tokens
    assert "warning" not in result.output  # loopback


def test_check_with_an_api_key_and_its_errors(server: tuple[SubsonicEmulator, str]) -> None:
    _, url = server
    runner = CliRunner()
    ok = runner.invoke(app, ["subsonic", "check", "--url", url, "--api-key", "k-1"])
    assert ok.exit_code == 0, ok.output
    assert "Auth: api_key" in ok.output
    bad = runner.invoke(app, ["subsonic", "check", "--url", url, "--api-key", "nope"])
    assert bad.exit_code == 1
    assert "error 44" in bad.output
    no_fallback = runner.invoke(app, ["subsonic", "check", "--url", url, "--user", "alice",
                                      "--password", "pw", "--no-password"])  # fmt: skip
    assert no_fallback.exit_code == 1
    assert "not allowed" in no_fallback.output
    both = runner.invoke(app, ["subsonic", "check", "--url", url])
    assert both.exit_code == 2
