"""Tag writing and reading choices on ``crossfade ratings``: presets (PMRS's ``Plex`` POPM,
Winamp), a custom POPM email, the write mode, a read priority list; kept by the folder's
library for later runs; offered as choices in ``--help``."""

from __future__ import annotations

import json
import re

import mutagen.id3
import pytest
from typer.testing import CliRunner

from app.cli.main import app
from tests.cli.ratings_cli_support import CAFE, World, emulator, env, music, world

__all__ = ["emulator", "env", "music", "world"]  # fixtures
pytestmark = pytest.mark.usefixtures("env")


def popm(world: World) -> dict[str, int]:
    """The MP3's POPM frames: email -> rating byte."""
    frames = mutagen.id3.ID3(world.music / CAFE).getall("POPM")
    return {frame.email: frame.rating for frame in frames}


def test_pmrs_preset_writes_its_own_plex_popm_frame(world: World) -> None:
    world.set({CAFE: (7, None)})
    world.run("export", "--profile", "pmrs")
    assert popm(world) == {"Plex": 186}


@pytest.mark.parametrize(
    ("options", "frames"),
    [
        (("--profile", "winamp"), {"rating@winamp.com": 196}),
        (("--popm-email", "me@example.org"), {"me@example.org": 196}),
        (("--profile", "windows", "--popm-email", "Plex"), {"Plex": 196}),
    ],
)
def test_winamp_and_custom_popm_emails(
    world: World, options: tuple[str, ...], frames: dict[str, int]
) -> None:
    world.set({CAFE: (8, None)})
    world.run("export", *options)
    assert popm(world) == frames


def test_write_mode_replace_all_leaves_only_the_chosen_frame_and_is_kept(world: World) -> None:
    world.set({CAFE: (None, 4)})  # a MusicBee frame
    world.run("sync")  # Plex learns 2★
    world.set({CAFE: (8, 4)})
    world.run("sync", "--popm-email", "Plex", "--write-mode", "replace_all")
    assert popm(world) == {"Plex": 196}, "the other rating frames are removed"
    # the folder keeps its choices: a later run without options writes the same way
    world.set({CAFE: (10, 8)})
    world.run("sync")
    assert popm(world) == {"Plex": 255}


def test_read_priority_picks_among_disagreeing_frames(world: World) -> None:
    tags = mutagen.id3.ID3(world.music / CAFE)
    tags.add(mutagen.id3.POPM(email="MusicBee", rating=64, count=0))  # 2★
    tags.add(mutagen.id3.POPM(email="Windows Media Player 9 Series", rating=196, count=0))  # 4★
    tags.save()
    result = world.run_raw("import", "--read-priority", "WINDOWSMEDIAPLAYER,MUSICBEE", "--json")
    assert result.exit_code == 3, "a disagreement is reported as a problem"
    assert world.state()[CAFE][0] == 8
    events = json.loads(result.stdout)["events"]
    assert [e["action"] for e in events] == ["tags_disagree", "write_a"]


def test_bad_choices_are_clear_errors(world: World) -> None:
    bad_priority = world.run_raw("sync", "--read-priority", "musicbee,nonsense")
    assert bad_priority.exit_code != 0
    assert "unknown tag 'nonsense'" in bad_priority.output
    bad_profile = world.run_raw("sync", "--profile", "itunes")
    assert bad_profile.exit_code == 2
    assert "itunes" in bad_profile.output


def test_help_lists_the_choices_and_defaults() -> None:
    result = CliRunner().invoke(app, ["ratings", "sync", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = re.sub(r"[│╭╮╰╯─\s]+", " ", result.output)
    for choice in ("musicbee", "winamp", "pmrs", "replace_all", "default_only", "ask"):
        assert choice in text
    for option in ("--popm-email", "--read-priority", "--no-cache", "--clear-cache"):
        assert option in text
    assert "prefer_a for a new ad hoc link" in text
