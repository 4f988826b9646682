"""Other shapes of ratings links: folder ⇄ folder, Plex ⇄ Plex (two accounts), match review,
confirmed matches that survive a move, and the link policies."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import mutagen
import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.library_records import LinkRecord
from app.domain.links import Mode
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.services.libraries.service import SideFactory, link_rules
from app.services.ratings.review import RatingsReview
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import SyncSummary
from plex_emulator.builder import Folder
from tests.emulator.support import BOB_TOKEN, OWNER_TOKEN, running_emulator, write_library
from tests.services.ratings_support import RatingsWorld, RecordingReporter, ratings_world

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"


def stars(path: Path) -> int | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


def rate(path: Path, half_stars: int | None) -> None:
    rating = None if half_stars is None else Rating(half_stars)
    write_rating(path, rating, preset("musicbee"), options=WriteOptions())


class Folders:
    """Two music folders joined by a ratings link."""

    def __init__(self, session_factory: SessionFactory, a: Path, b: Path, policy: str) -> None:
        self.a, self.b = a, b
        self.libraries = LibraryRepository(session_factory)
        self.repository = SyncRepository(session_factory)
        lib_a = self.libraries.add_library(
            kind="music_folder", name="A", config={"root": str(a)}, secret=None
        )
        lib_b = self.libraries.add_library(
            kind="music_folder", name="B", config={"root": str(b)}, secret=None
        )
        self.link: LinkRecord = self.libraries.add_link(
            kind="ratings",
            library_a_id=lib_a.id,
            library_b_id=lib_b.id,
            direction="both",
            policy=policy,
            options={},
        )
        self.factory = SideFactory(
            libraries=self.libraries,
            sync_repository=self.repository,
            plex_client=lambda url, token, timeout_s: PlexServerClient(url, token),
            write_options=WriteOptions(),
        )
        self.service = RatingsSync(self.repository, now=lambda: datetime.now(UTC))

    def run(self) -> tuple[SyncSummary, RecordingReporter]:
        reporter = RecordingReporter()
        link = self.libraries.link(self.link.id)
        with self.factory.sides(link, dry_run=False) as sides:
            summary = self.service.run(
                link_id=link.id,
                sides=sides,
                rules=link_rules(link),
                mode=Mode.SYNC,
                dry_run=False,
                job_id=None,
                reporter=reporter,
            )
        return summary, reporter


@pytest.fixture
def folders(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> Folders:
    a = write_library(tmp_path / "a", tmp_path_factory)
    b = tmp_path / "b"
    shutil.copytree(a, b)
    return Folders(session_factory, a, b, policy="ask")


def test_folder_to_folder_matches_by_tags_and_syncs_both_ways(folders: Folders) -> None:
    rate(folders.a / FIRST, 8)
    rate(folders.b / CAFE, 3)

    summary, _ = folders.run()

    assert summary.pairs == 6
    assert {link.method for link in folders.repository.track_links(folders.link.id)} <= {
        "mbid",
        "fuzzy",
    }
    assert stars(folders.b / FIRST) == 8
    assert stars(folders.a / CAFE) == 3


def test_weak_match_waits_for_review_then_syncs_once_confirmed(
    folders: Folders, session_factory: SessionFactory
) -> None:
    cafe_b = mutagen.File(folders.b / CAFE, easy=True)
    cafe_b["album"] = "Other"
    cafe_b.save()
    rate(folders.a / CAFE, 6)

    summary, reporter = folders.run()

    assert summary.review == 1
    assert stars(folders.b / CAFE) is None
    review = RatingsReview(folders.libraries, folders.factory, folders.repository, folders.service)
    pending, total = review.matches(status="review", link_id=folders.link.id, limit=10, offset=0)
    assert total == 1
    assert pending[0].a_key == CAFE and pending[0].b_key == CAFE
    assert reporter.actions("review")[0]["level"] == "warning"

    review.decide_match(pending[0].id, "confirm")
    folders.run()

    assert stars(folders.b / CAFE) == 6


def test_confirmed_match_survives_a_file_move(folders: Folders) -> None:
    rate(folders.a / FIRST, 6)
    folders.run()
    link = next(
        link for link in folders.repository.track_links(folders.link.id) if link.a_key == FIRST
    )
    folders.repository.set_status(link.id, "confirmed")
    moved = folders.b / "Artist" / "Moved" / "01 First.flac"
    moved.parent.mkdir()
    (folders.b / FIRST).rename(moved)
    rate(folders.a / FIRST, 10)

    _, reporter = folders.run()

    assert [e["action"] for e in reporter.actions("match_moved")] == ["match_moved"]
    assert stars(moved) == 10
    kept = folders.repository.track_link(link.id)
    assert kept.status == "confirmed"
    assert kept.b_key == "Artist/Moved/01 First.flac"
    assert kept.baseline_rating == 10


def test_plex_to_plex_two_accounts(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> None:
    music = write_library(tmp_path / "music", tmp_path_factory)
    with running_emulator(music=[Folder(str(music))]) as emulator:
        libraries = LibraryRepository(session_factory)
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            section = next(s for s in owner.list_sections() if s.is_music)
            keys = [t.rating_key for t in owner.iter_tracks(section.section_id)]
            owner.rate(keys[0], 7)
        config = {"base_url": emulator.url, "section_ids": [section.section_id]}
        owner_lib = libraries.add_library(
            kind="plex_music", name="owner", config=config, secret=OWNER_TOKEN
        )
        bob_lib = libraries.add_library(
            kind="plex_music", name="bob", config=config, secret=BOB_TOKEN
        )
        link = libraries.add_link(
            kind="ratings",
            library_a_id=owner_lib.id,
            library_b_id=bob_lib.id,
            direction="a_to_b",
            policy="prefer_a",
            options={},
        )
        repository = SyncRepository(session_factory)
        factory = SideFactory(
            libraries=libraries,
            sync_repository=repository,
            plex_client=lambda url, token, timeout_s: PlexServerClient(url, token),
            write_options=WriteOptions(),
        )
        with factory.sides(link, dry_run=False) as sides:
            summary = RatingsSync(repository, now=lambda: datetime.now(UTC)).run(
                link_id=link.id,
                sides=sides,
                rules=link_rules(link),
                mode=Mode.SYNC,
                dry_run=False,
                job_id=None,
                reporter=RecordingReporter(),
            )
        with PlexServerClient(emulator.url, BOB_TOKEN) as bob:
            assert bob.get_track(keys[0]).user_rating == 7
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            assert owner.get_track(keys[0]).user_rating == 7
    assert summary.pairs == 6 and summary.written_b == 1


@pytest.mark.parametrize(
    ("policy", "plex_after", "file_after"),
    [
        ("prefer_a", 10, 10),
        ("prefer_b", 2, 2),
        ("highest", 10, 10),
        ("lowest", 2, 2),
        ("ask", 10, 2),
    ],
)
def test_policies_settle_a_change_on_both_sides(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    session_factory: SessionFactory,
    policy: str,
    plex_after: int,
    file_after: int,
) -> None:
    with ratings_world(tmp_path, tmp_path_factory, session_factory, policy=policy) as world:
        world.rate_in_plex(FIRST, 6)
        world.run()
        world.rate_in_plex(FIRST, 10)
        world.rate_file(FIRST, 2)

        summary, _ = world.run()

        assert world.plex_rating(FIRST) == plex_after
        assert world.file_rating(FIRST) == file_after
        assert summary.conflicts == (1 if policy == "ask" else 0)


def test_newest_policy_follows_the_later_change(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> None:
    with ratings_world(tmp_path, tmp_path_factory, session_factory, policy="newest") as world:
        world.rate_in_plex(FIRST, 6)
        world.run()
        world.rate_file(FIRST, 2)
        _age(world, FIRST, seconds=3600)  # the file was re-rated an hour ago
        world.rate_in_plex(FIRST, 10)  # Plex just now

        world.run()

        assert world.file_rating(FIRST) == 10


def _age(world: RatingsWorld, relative_path: str, *, seconds: int) -> None:
    path = world.music / relative_path
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - seconds * 1_000_000_000))


def test_a_lossy_write_does_not_bounce_back(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> None:
    """Picard's POPM holds whole stars: Plex's 3½★ is written as 4★. That is not a change of
    the file, so Plex keeps 3½★ on later runs; a real re-rating of the file still wins."""
    with ratings_world(
        tmp_path, tmp_path_factory, session_factory, write_profile="picard"
    ) as world:
        world.rate_in_plex(CAFE, 7)
        first, _ = world.run()
        assert first.written_b == 1
        assert _picard_stars(world, CAFE) == 8

        again, _ = world.run()
        assert (again.written_a, again.written_b) == (0, 0)
        assert world.plex_rating(CAFE) == 7

        world.rate_in_plex(CAFE, 5)
        world.run()
        assert _picard_stars(world, CAFE) == 6
        assert world.plex_rating(CAFE) == 5

        write_rating(world.music / CAFE, Rating(4), preset("picard"), options=WriteOptions())
        world.run()
        assert world.plex_rating(CAFE) == 4


def _picard_stars(world: RatingsWorld, relative_path: str) -> int | None:
    rating = (
        read_file(world.music / relative_path)
        .resolve(ReadPolicy.for_profile(preset("picard")))
        .rating
    )
    return None if rating is None else rating.half_stars
