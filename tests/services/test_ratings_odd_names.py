"""Ratings runs over file names that are not valid UTF-8 (``09 Caf\\xe9.flac``, as copied from
an old Windows share), with real files, the Plex emulator and a real database: such a file is
matched by its tags when its name cannot match a Plex path, its rating is written to the right
file, its state is stored and read back, and nothing else changes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.links import Mode
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.services.libraries.service import SideFactory, link_rules
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import SyncSummary
from tests.adapters.tags_support import copy_fixture
from tests.emulator.support import write_library
from tests.services.ratings_support import (
    RatingsWorld,
    RecordingReporter,
    ratings_world,
)

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


NINE_LATIN1 = os.fsdecode(b"Artist/Album/09 Caf\xe9.flac")


def rate(path: str, half_stars: int) -> None:
    write_rating(path, Rating(half_stars), preset("musicbee"), options=WriteOptions())


def run_folders(
    session_factory: SessionFactory, a: Path, b: Path
) -> tuple[SyncSummary, RecordingReporter, SyncRepository]:
    libraries = LibraryRepository(session_factory)
    repository = SyncRepository(session_factory)
    links = [link for link in libraries.links() if link.kind == "ratings"]
    if links:
        link = links[0]
    else:
        lib_a = libraries.add_library(
            kind="music_folder", name="A", config={"root": str(a)}, secret=None
        )
        lib_b = libraries.add_library(
            kind="music_folder", name="B", config={"root": str(b)}, secret=None
        )
        link = libraries.add_link(
            kind="ratings",
            library_a_id=lib_a.id,
            library_b_id=lib_b.id,
            direction="both",
            policy="ask",
            options={},
        )
    factory = SideFactory(
        libraries=libraries,
        sync_repository=repository,
        plex_client=lambda url, token, timeout_s: PlexServerClient(url, token),
        write_options=WriteOptions(),
    )
    reporter = RecordingReporter()
    with factory.sides(link, dry_run=False) as sides:
        summary = RatingsSync(repository, now=lambda: datetime.now(UTC)).run(
            link_id=link.id,
            sides=sides,
            rules=link_rules(link),
            mode=Mode.SYNC,
            dry_run=False,
            job_id=None,
            reporter=reporter,
        )
    return summary, reporter, repository


def test_folder_to_folder_over_latin1_names(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> None:
    a = write_library(tmp_path / "a", tmp_path_factory)
    nine = copy_fixture("flac.flac", a / "Artist" / "Album", "tmp.flac")
    os.rename(nine, os.path.join(a, NINE_LATIN1))  # the same Latin-1 name on both sides
    b = tmp_path / "b"
    shutil.copytree(a, b)
    os.rename(b / CAFE, os.path.join(b, CAFE_LATIN1))  # a UTF-8 name here, Latin-1 there
    rate(os.path.join(a, NINE_LATIN1), 6)
    rate(os.path.join(b, CAFE_LATIN1), 4)

    summary, reporter, repository = run_folders(session_factory, a, b)

    assert [e for e in reporter.events if e["level"] == "error"] == []
    assert file_stars(os.path.join(b, NINE_LATIN1)) == 6
    assert file_stars(str(a / CAFE)) == 4
    assert summary.pairs == 7
    keys = {
        (link.a_key, link.b_key)
        for link in repository.track_links(repository_link_id(session_factory))
    }
    assert (NINE_LATIN1, NINE_LATIN1) in keys
    assert (CAFE, CAFE_LATIN1) in keys

    again, reporter, _ = run_folders(session_factory, a, b)
    assert again.written_a == again.written_b == 0
    assert [e for e in reporter.events if e["level"] == "error"] == []


def repository_link_id(session_factory: SessionFactory) -> int:
    (link,) = LibraryRepository(session_factory).links()
    return link.id
