"""``crossfade ratings import|export`` mean what they mean in PlexMusicRatingsSync: the source's
rating wins wherever it is rated and the other side differs, an unrated source clears nothing,
and the agreed values become the baseline so the next ``sync`` starts clean.

End to end: real files, the Plex emulator, the CLI. Each row of PMRS's table is one track of
the demo library, first on a first run, then again after a ``sync`` recorded baselines and a
person re-rated both sides."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.cli.main import app
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
ZWEITE = "Björk & Friends/Ünïcødé Album/2-01 Zweite <Seite>.ogg"
OOPS = "Various Artists/Hits/03 Oops.opus"
WAVE = "Various Artists/Hits/04 Wave.wav"
ALL = (FIRST, CAFE, CA_VA, ZWEITE, OOPS, WAVE)

HalfStars = int | None


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music), "D:\\Music")]) as server:
        yield server


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)


class World:
    def __init__(self, emulator: EmulatorServer, music: Path) -> None:
        self.emulator, self.music = emulator, music
        with PlexServerClient(emulator.url, OWNER_TOKEN) as client:
            section = next(s for s in client.list_sections() if s.is_music)
            self.keys = {
                relative: next(
                    t.rating_key
                    for t in client.iter_tracks(section.section_id)
                    if t.file_paths[0].replace("\\", "/").endswith(relative)
                )
                for relative in ALL
            }

    def set(self, ratings: Mapping[str, tuple[HalfStars, HalfStars]]) -> None:
        """Rate each track: (Plex, file)."""
        with PlexServerClient(self.emulator.url, OWNER_TOKEN) as client:
            for relative, (plex, file) in ratings.items():
                client.rate(self.keys[relative], plex)
                write_rating(
                    self.music / relative,
                    None if file is None else Rating(file),
                    preset("musicbee"),
                    options=WriteOptions(),
                )

    def state(self) -> dict[str, tuple[HalfStars, HalfStars]]:
        with PlexServerClient(self.emulator.url, OWNER_TOKEN) as client:
            plex = {r: client.get_track(self.keys[r]).user_rating for r in ALL}
        policy = ReadPolicy.for_profile(preset("musicbee"))
        files = {r: read_file(self.music / r).resolve(policy).rating for r in ALL}
        return {r: (plex[r], _half_stars(files[r])) for r in ALL}

    def run(self, mode: str, *extra: str) -> dict[str, Any]:
        result = CliRunner().invoke(
            app,
            [
                "ratings",
                mode,
                "--plex-url",
                self.emulator.url,
                "--token",
                OWNER_TOKEN,
                "--section",
                "music",
                "--music-dir",
                str(self.music),
                "--path-map",
                f"D:\\Music={self.music}",
                "--json",
                *extra,
            ],
        )
        assert result.exit_code == 0, result.output
        document: dict[str, Any] = json.loads(result.output)
        return document


@pytest.fixture
def world(emulator: EmulatorServer, music: Path) -> World:
    return World(emulator, music)


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


def _half_stars(rating: Rating | None) -> HalfStars:
    return None if rating is None else rating.half_stars


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
