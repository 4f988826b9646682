"""``crossfade ratings import|export`` mean what they mean in PlexMusicRatingsSync: the source's
rating wins wherever it is rated and the other side differs, an unrated source clears nothing,
and the agreed values become the baseline so the next ``sync`` starts clean.

End to end: real files, the Plex emulator, the CLI. Each row of PMRS's table is one track of
the demo library, first on a first run, then again after a ``sync`` recorded baselines and a
person re-rated both sides."""

from __future__ import annotations

from collections.abc import Mapping

import mutagen
import pytest

from tests.cli.ratings_cli_support import (
    ALL,
    CA_VA,
    CAFE,
    FIRST,
    OOPS,
    WAVE,
    ZWEITE,
    HalfStars,
    World,
    emulator,
    env,
    music,
    world,
)

__all__ = ["emulator", "env", "music", "world"]  # fixtures
pytestmark = pytest.mark.usefixtures("env")

# (Plex, file) before -> after. Rows: source rated & other unrated, both rated & differ (source
# higher, source lower), source unrated & other rated, both equal, both unrated.
Table = dict[str, tuple[HalfStars, HalfStars]]
BEFORE: Table = {FIRST: (None, 6), CAFE: (8, 6), CA_VA: (4, 9), ZWEITE: (8, None), OOPS: (6, 6)}
IMPORT_AFTER: Table = {FIRST: (6, 6), CAFE: (6, 6), CA_VA: (9, 9), ZWEITE: (8, None), OOPS: (6, 6)}
EXPORT_BEFORE: Table = {
    FIRST: (6, None),
    CAFE: (8, 6),
    CA_VA: (4, 9),
    ZWEITE: (None, 8),
    OOPS: (6, 6),
}
EXPORT_AFTER: Table = {FIRST: (6, 6), CAFE: (8, 8), CA_VA: (4, 4), ZWEITE: (None, 8), OOPS: (6, 6)}


def _expected(
    after: Mapping[str, tuple[HalfStars, HalfStars]],
) -> dict[str, tuple[HalfStars, HalfStars]]:
    return {relative: after.get(relative, (None, None)) for relative in ALL}


def test_import_on_a_first_run_writes_every_rated_file_into_plex(world: World) -> None:
    world.set(BEFORE)
    preview = world.run("import", "--dry-run")
    assert world.state() == _expected(BEFORE), "a dry run writes nothing"
    assert sorted(str(e["action"]) for e in preview["events"]) == ["write_a"] * 3

    document = world.run("import")
    assert world.state() == _expected(IMPORT_AFTER)
    counters = document["counters"]
    assert isinstance(counters, dict)
    assert (
        counters.get("written_a", 0),
        counters.get("written_b", 0),
        counters.get("kept", 0),
    ) == (3, 0, 1)

    # the agreed values are the baseline: a sync right after writes only the kept pair, which
    # had no baseline and so is settled as on a first run (its rated side goes across)
    again = world.run("sync")["counters"]
    assert isinstance(again, dict)
    assert (again.get("written_a", 0), again.get("written_b", 0)) == (0, 1)
    assert again.get("conflicts", 0) == 0
    assert world.state()[ZWEITE] == (8, 8)


def test_export_on_a_first_run_writes_every_rated_plex_value_into_the_files(
    world: World,
) -> None:
    world.set(EXPORT_BEFORE)
    document = world.run("export")
    assert world.state() == _expected(EXPORT_AFTER)
    counters = document["counters"]
    assert isinstance(counters, dict)
    assert (
        counters.get("written_a", 0),
        counters.get("written_b", 0),
        counters.get("kept", 0),
    ) == (0, 3, 1)


def test_after_a_baseline_the_source_still_wins_both_ways(world: World) -> None:
    """With a baseline of 3★ everywhere, both sides re-rated: sync would see changes on both
    sides; import and export ignore that and let their source win."""
    world.set(dict.fromkeys(ALL, (6, 6)))
    world.run("sync")

    # a file re-rated in another player while Plex stayed: export puts Plex back into it
    world.set({FIRST: (6, 9), CAFE: (4, 6), CA_VA: (8, 2), ZWEITE: (6, None), OOPS: (None, 6)})
    world.run("export")
    assert world.state() == {
        FIRST: (6, 6),
        CAFE: (4, 4),
        CA_VA: (8, 8),
        ZWEITE: (6, 6),
        OOPS: (None, 6),  # unrated Plex clears nothing
        WAVE: (6, 6),
    }

    # Plex re-rated while the file stayed: import puts the file back into Plex
    world.set({FIRST: (9, 6), CAFE: (2, 4), CA_VA: (None, 8), ZWEITE: (6, None), WAVE: (6, 6)})
    world.run("import")
    assert world.state() == {
        FIRST: (6, 6),
        CAFE: (4, 4),
        CA_VA: (8, 8),
        ZWEITE: (6, None),  # an unrated file never clears Plex
        OOPS: (6, 6),  # the rated file goes to the unrated Plex
        WAVE: (6, 6),
    }

    # the next sync starts from what import agreed: a change on one side goes across
    world.set({CAFE: (4, 10)})
    counters = world.run("sync")["counters"]
    assert isinstance(counters, dict)
    assert world.state()[CAFE] == (10, 10)
    assert counters.get("conflicts", 0) == 0


def test_pmrs_half_star_rating_10_in_a_percent_library_imports_as_half_a_star(
    world: World,
) -> None:
    """PMRS writes Vorbis RATING 10–100; its ½★ ("10") alone looks like tenths (5★), but the
    library's other values of the field (20, 60, 100) are percent."""
    for relative, value in ((FIRST, "20"), (ZWEITE, "100"), (OOPS, "10")):
        audio = mutagen.File(world.music / relative)
        audio["RATING"] = value
        audio.save()
    world.run("import")
    assert {r: plex for r, (plex, _file) in world.state().items()} == {
        FIRST: 2,
        CAFE: None,
        CA_VA: None,
        ZWEITE: 10,
        OOPS: 1,
        WAVE: None,
    }
