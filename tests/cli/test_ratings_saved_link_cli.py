"""``crossfade ratings sync|import|export --link``: a saved link run from cron as it is
configured; ``--section`` repeatable for ad hoc runs; clear usage errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from tests.cli.ratings_cli_support import FIRST, World, emulator, env, music, world

__all__ = ["emulator", "env", "music", "world"]  # fixtures
pytestmark = pytest.mark.usefixtures("env")


def test_a_saved_link_runs_by_id_or_by_a_library_name(world: World) -> None:
    world.set({FIRST: (8, None)})
    world.run("sync", "--dry-run", "--section", "music")  # creates the link, writes nothing
    runner = CliRunner()
    by_id = runner.invoke(app, ["ratings", "export", "--link", "1", "--json"])
    assert by_id.exit_code == 0, by_id.output
    assert json.loads(by_id.stdout)["counters"]["written_b"] == 1
    assert world.state()[FIRST] == (8, 8)

    world.set({FIRST: (8, 4)})
    by_name = runner.invoke(app, ["ratings", "import", "--link", f"folder {world.music}", "--json"])
    assert by_name.exit_code == 0, by_name.output
    assert world.state()[FIRST] == (4, 4)

    unknown = runner.invoke(app, ["ratings", "sync", "--link", "nothing"])
    assert unknown.exit_code == 1
    assert "no link matches 'nothing'; give its id. ratings links: 1: " in unknown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--link", "1", "--plex-url", "http://x"], "drop --plex-url"),
        (["--link", "1", "--profile", "pmrs"], "drop tag options"),
        (["--plex-url", "http://x", "--token", "t"], "missing --section, --music-dir"),
    ],
)
def test_usage_errors_say_what_is_missing_or_extra(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["ratings", "sync", *args])
    assert result.exit_code == 2
    assert message in result.output
