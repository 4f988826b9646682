"""Ratings runs over file names that are not valid UTF-8 (``09 Caf\\xe9.flac``, as copied from
an old Windows share), with real files, the Plex emulator and a real database: such a file is
matched by its tags when its name cannot match a Plex path, its rating is written to the right
file, its state is stored and read back, and nothing else changes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.tags import read_file
from app.domain.ratings import ReadPolicy, preset
from tests.services.ratings_support import RatingsWorld, ratings_world

CAFE = "Artist/Album/02 Café & Crema.mp3"
CAFE_LATIN1 = os.fsdecode("Artist/Album/02 Caf\xe9 & Crema.mp3".encode("latin-1"))


@pytest.fixture
def world(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> Iterator[RatingsWorld]:
    with ratings_world(tmp_path, tmp_path_factory, session_factory) as built:
        yield built


def file_stars(path: str) -> int | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


def test_a_latin1_name_is_matched_by_tags_and_written(world: RatingsWorld) -> None:
    # Plex knows the track under its UTF-8 name; here the file's name is Latin-1.
    latin1 = os.path.join(world.music, CAFE_LATIN1)
    os.rename(world.music / CAFE, latin1)
    world.rate_in_plex(CAFE, 7)

    summary, reporter = world.run()

    assert [e for e in reporter.events if e["level"] == "error"] == []
    assert file_stars(latin1) == 7
    links = world.sync_repository.track_links(world.link.id)
    (cafe,) = [link for link in links if link.b_key.endswith("Crema.mp3")]
    assert os.fsencode(cafe.b_key) == "Artist/Album/02 Caf\xe9 & Crema.mp3".encode("latin-1")
    assert cafe.method != "path"
    assert summary.written_b == 1
    states = world.sync_repository.file_states(world.libraries.link(world.link.id).library_b_id)
    assert CAFE_LATIN1 in states

    # The next run reads the stored state back: nothing to do, nothing re-read.
    again, reporter = world.run()
    assert again.written_a == again.written_b == 0
    assert [e for e in reporter.events if e["level"] == "error"] == []
    # A rating given to the file goes to Plex.
    world.rate_file(CAFE_LATIN1, 3)
    world.run()
    assert world.plex_rating(CAFE) == 3


def test_a_latin1_copy_beside_its_twin_keeps_both_apart(world: RatingsWorld) -> None:
    latin1 = os.path.join(world.music, CAFE_LATIN1)
    shutil.copyfile(world.music / CAFE, latin1)
    before = world.tree_digest()
    world.rate_in_plex(CAFE, 8)

    world.run()

    assert file_stars(str(world.music / CAFE)) == 8  # the path match wins
    after = world.tree_digest()
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {CAFE}
    assert os.path.exists(latin1)
