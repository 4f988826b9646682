"""``--no-cache`` and ``--clear-cache`` on ``crossfade ratings``: a tagger that keeps a file's
size and mtime hides its change from the file-state cache; these flags make the run open every
file. Baselines are not a cache: they survive both flags."""

from __future__ import annotations

import os

import pytest

from tests.cli.ratings_cli_support import FIRST, World, emulator, env, music, world

__all__ = ["emulator", "env", "music", "world"]  # fixtures
pytestmark = pytest.mark.usefixtures("env")


def _rerate_keeping_mtime(world: World, half_stars: int) -> None:
    """What a tagger that preserves mtimes does (the POPM byte keeps the size, too)."""
    path = world.music / FIRST
    before = os.stat(path)
    world.set({FIRST: (world.state()[FIRST][0], half_stars)})
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size


def test_no_cache_sees_a_change_the_cache_hides(world: World) -> None:
    world.set({FIRST: (6, 6)})
    world.run("sync")
    _rerate_keeping_mtime(world, 8)

    hidden = world.run("sync")["counters"]
    assert hidden.get("files_cached", 0) == 6 and hidden.get("written_a", 0) == 0
    assert world.state()[FIRST] == (6, 8)

    preview = world.run("sync", "--no-cache", "--dry-run")["counters"]
    assert preview.get("files_read", 0) == 6 and preview.get("files_cached", 0) == 0
    assert world.state()[FIRST] == (6, 8), "a dry run writes nothing"

    seen = world.run("sync", "--no-cache")["counters"]
    assert seen.get("files_read", 0) == 6 and seen.get("written_a", 0) == 1
    assert world.state()[FIRST] == (8, 8)
    # the baseline survived: the file's change was one-sided, so no conflict
    assert seen.get("conflicts", 0) == 0

    # and the refreshed cache serves the next run again
    assert world.run("sync")["counters"].get("files_cached", 0) == 6


def test_clear_cache_rebuilds_it_and_keeps_the_baselines(world: World) -> None:
    world.set({FIRST: (6, 6)})
    world.run("sync")

    dry = world.run("sync", "--clear-cache", "--dry-run")["counters"]
    assert dry.get("files_read", 0) == 6
    assert world.run("sync")["counters"].get("files_cached", 0) == 6, "a dry run kept it"

    _rerate_keeping_mtime(world, 2)
    cleared = world.run("import", "--clear-cache")["counters"]
    assert cleared.get("files_read", 0) == 6 and cleared.get("written_a", 0) == 1
    assert world.state()[FIRST] == (2, 2)

    # Plex re-rated afterwards: a one-sided change against the kept baseline, not a conflict
    world.set({FIRST: (10, 2)})
    after = world.run("sync")["counters"]
    assert after.get("conflicts", 0) == 0
    assert world.state()[FIRST] == (10, 10)
