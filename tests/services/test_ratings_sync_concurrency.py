"""The work a ratings sync does on a helper thread (a Plex side's scan and writes, while the
music folder's are done on the job's thread): results, events, errors and cancellation as if
everything had run in turn."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.jobs import JobRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.errors import CrossfadeError, PlexUnavailable, SetupError
from app.domain.jobs import JobTrigger
from app.domain.links import Direction, Mode
from app.domain.match_keys import TrackInfo
from app.domain.ratings.merge import Policy
from app.domain.ratings.value import Rating
from app.services.ports import RatingWrite, Reporter, SideItem, Written
from app.services.ratings.run.concurrency import SyncSides
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import LinkRules
from tests.services.ratings_support import RecordingReporter


class Cancelled(BaseException):
    """What a job's reporter raises when a person cancels (like JobCancelled)."""


class FakeSide:
    """A side behind the RatingSide port: lists ``keys``, reports like the real sides."""

    def __init__(
        self,
        label: str,
        keys: list[str],
        *,
        holds_files: bool,
        error: Exception | None = None,
        wait_for_stop: bool = False,
    ) -> None:
        self.label = label
        self.holds_files = holds_files
        self.scans_in_child = False
        self._keys = keys
        self._error = error
        self._wait_for_stop = wait_for_stop
        self.scanned_on: str | None = None
        self.started = threading.Event()
        self.stopped_by: BaseException | None = None

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        self.scanned_on = threading.current_thread().name
        self.started.set()
        reporter.progress(phase, 0, len(self._keys))
        if self._wait_for_stop:
            try:
                for _ in range(500):
                    reporter.check_cancelled()
                    threading.Event().wait(0.01)
            except BaseException as stop:
                self.stopped_by = stop
                raise
            raise AssertionError("the helper scan was never told to stop")
        if self._error is not None:
            raise self._error
        reporter.event("unreadable", f"{self.label} bad file", level="error", detail="corrupt")
        reporter.counter("files_read", len(self._keys))
        reporter.progress(phase, len(self._keys), len(self._keys))
        return [SideItem(key, TrackInfo(id=key), Rating(6), None, self.label) for key in self._keys]

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return rating

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Written]:
        for write in writes:
            if should_stop():
                return
            try:
                yield self.write(write.key, write.rating, rated_at_s=write.rated_at_s)
            except CrossfadeError as error:
                yield error

    def read(self, key: str) -> Rating | None:
        return None

    def load_state(self) -> None:
        return None

    def commit(self) -> None:
        return None

    def close(self) -> None:
        return None


class CancellingReporter(RecordingReporter):
    """Cancels once the helper thread's scan has started."""

    def __init__(self, helper: FakeSide) -> None:
        super().__init__()
        self._helper = helper

    def check_cancelled(self) -> None:
        if self._helper.started.is_set():
            raise Cancelled


def keys(items: list[SideItem]) -> list[str]:
    return [item.key for item in items]


def test_plex_side_scans_on_a_helper_thread_and_results_keep_their_sides() -> None:
    plex = FakeSide("Plex", ["1", "2"], holds_files=False)
    folder = FakeSide("Folder", ["a.flac", "b.mp3", "c.ogg"], holds_files=True)
    reporter = RecordingReporter()

    items_a, items_b = SyncSides(plex, folder).scan(reporter)

    assert keys(items_a) == ["1", "2"]
    assert keys(items_b) == ["a.flac", "b.mp3", "c.ogg"]
    assert plex.scanned_on is not None and plex.scanned_on.startswith("crossfade-scan")
    assert folder.scanned_on == threading.current_thread().name
    assert {event["subject"] for event in reporter.actions("unreadable")} == {
        "Plex bad file",
        "Folder bad file",
    }
    assert reporter.counters == {"files_read": 5}
    assert set(reporter.phases) == {"scanning Plex", "scanning Folder"}


def test_plex_as_side_b_also_scans_on_the_helper_and_results_stay_in_order() -> None:
    folder = FakeSide("Folder", ["a.flac"], holds_files=True)
    plex = FakeSide("Plex", ["7"], holds_files=False)

    items_a, items_b = SyncSides(folder, plex).scan(RecordingReporter())

    assert (keys(items_a), keys(items_b)) == (["a.flac"], ["7"])
    assert plex.scanned_on is not None and plex.scanned_on.startswith("crossfade-scan")


def test_two_folders_scan_in_turn_on_the_calling_thread() -> None:
    a = FakeSide("A", ["x.mp3"], holds_files=True)
    b = FakeSide("B", ["y.mp3"], holds_files=True)

    items_a, items_b = SyncSides(a, b).scan(RecordingReporter())

    assert (keys(items_a), keys(items_b)) == (["x.mp3"], ["y.mp3"])
    assert a.scanned_on == b.scanned_on == threading.current_thread().name


@pytest.mark.parametrize(
    ("a_fails", "b_fails", "expected"),
    [
        (True, False, "side A is down"),
        (False, True, "side B is missing"),
        (True, True, "side A is down"),
    ],
)
def test_errors_come_as_if_scanned_in_turn_side_a_first(
    a_fails: bool, b_fails: bool, expected: str
) -> None:
    plex = FakeSide(
        "Plex", ["1"], holds_files=False, error=SetupError("side A is down") if a_fails else None
    )
    folder = FakeSide(
        "Folder",
        ["a.mp3"],
        holds_files=True,
        error=SetupError("side B is missing") if b_fails else None,
    )
    with pytest.raises(SetupError, match=expected):
        SyncSides(plex, folder).scan(RecordingReporter())


def test_a_failing_folder_stops_the_helper_thread_before_raising() -> None:
    plex = FakeSide("Plex", ["1"], holds_files=False, wait_for_stop=True)
    folder = FakeSide("Folder", ["a.mp3"], holds_files=True, error=SetupError("no folder"))

    with pytest.raises(SetupError, match="no folder"):
        SyncSides(plex, folder).scan(RecordingReporter())

    assert plex.stopped_by is not None


def test_cancelling_while_waiting_for_the_helper_stops_it_and_raises_the_cancel() -> None:
    plex = FakeSide("Plex", ["1"], holds_files=False, wait_for_stop=True)
    folder = FakeSide("Folder", [], holds_files=True)

    with pytest.raises(Cancelled):
        SyncSides(plex, folder).scan(CancellingReporter(plex))

    assert plex.stopped_by is not None
    assert not [t for t in threading.enumerate() if t.name.startswith("crossfade-scan")]


# --- full collections ----------------------------------------------------------------------


# --- writes --------------------------------------------------------------------------------


class WritableSide(FakeSide):
    """A side with rated items that records where and what it was asked to write."""

    def __init__(
        self,
        label: str,
        ratings: dict[str, int | None],
        *,
        holds_files: bool,
        failing: frozenset[str] = frozenset(),
        write_s: float = 0.0,
    ) -> None:
        super().__init__(label, list(ratings), holds_files=holds_files)
        self.ratings = dict(ratings)
        self._failing = failing
        self._write_s = write_s
        self.writes: list[tuple[str, int | None, str]] = []

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        reporter.progress(phase, len(self.ratings), len(self.ratings))
        return [
            SideItem(
                key,
                TrackInfo(id=key, path=f"/music/{path_of(key)}", title=f"Song {path_of(key)}"),
                None if stars is None else Rating(stars),
                None,
                f"{self.label} {stars}",
            )
            for key, stars in self.ratings.items()
        ]

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        self.writes.append((key, None if rating is None else rating.half_stars, thread_name()))
        threading.Event().wait(self._write_s)
        if key in self._failing:
            raise PlexUnavailable("the server answered 503", server="http://plex", key=key)
        self.ratings[key] = None if rating is None else rating.half_stars
        return rating


def thread_name() -> str:
    return threading.current_thread().name


def path_of(key: str) -> str:
    """Plex keys 1..n and file keys n.flac name the same tracks."""
    return key if key.endswith(".flac") else f"{key}.flac"


@pytest.fixture
def link_id(session_factory: SessionFactory) -> int:
    libraries = LibraryRepository(session_factory)
    plex = libraries.add_library(kind="plex_music", name="Plex", config={}, secret="t")
    folder = libraries.add_library(kind="music_folder", name="Folder", config={}, secret=None)
    link = libraries.add_link(
        kind="ratings",
        library_a_id=plex.id,
        library_b_id=folder.id,
        direction="both",
        policy="prefer_a",
        options={},
    )
    return link.id


def test_plex_writes_run_on_a_helper_thread_and_the_run_adds_up_as_before(
    session_factory: SessionFactory, link_id: int
) -> None:
    plex = WritableSide(
        "Plex",
        {"1": 8, "2": None, "3": 4, "4": None, "5": None},
        holds_files=False,
        failing=frozenset({"4"}),
    )
    folder = WritableSide(
        "Folder",
        {"1.flac": None, "2.flac": 6, "3.flac": 4, "4.flac": 10, "5.flac": 2},
        holds_files=True,
    )
    repository = SyncRepository(session_factory)
    job_id = (
        JobRepository(session_factory)
        .insert(
            kind="ratings_sync",
            params={},
            dry_run=False,
            trigger=JobTrigger.CLI,
            lock_key="test:writes",
            now=datetime.now(UTC),
            link_id=link_id,
        )
        .id
    )
    reporter = RecordingReporter()

    summary = RatingsSync(repository, now=lambda: datetime.now(UTC)).run(
        link_id=link_id,
        sides=SyncSides(plex, folder),
        rules=LinkRules(direction=Direction.BOTH, policy=Policy.PREFER_A),
        mode=Mode.SYNC,
        dry_run=False,
        job_id=job_id,
        reporter=reporter,
    )

    assert (summary.written_a, summary.written_b, summary.errors) == (2, 1, 1)
    assert {(key, stars) for key, stars, _ in plex.writes} == {("2", 6), ("4", 10), ("5", 2)}
    assert {name.startswith("crossfade-write") for _, _, name in plex.writes} == {True}
    assert folder.writes == [("1.flac", 8, thread_name())]
    assert [event["subject"] for event in reporter.actions("error")] == ["Song 4.flac [4]"]
    journal = {
        (entry.side, entry.item_key, entry.after, entry.state)
        for entry in repository.journal(job_id)
    }
    assert journal == {
        ("a", "2", 6, "done"),
        ("a", "5", 2, "done"),
        ("b", "1.flac", 8, "done"),
        ("a", "4", 10, "failed"),  # journaled before it was sent, like every write
    }
    baselines = {
        link.a_key: (link.baseline_known, link.baseline_rating)
        for link in repository.track_links(link_id)
    }
    assert baselines == {
        "1": (True, 8),
        "2": (True, 6),
        "3": (True, 4),
        "4": (False, None),
        "5": (True, 2),
    }


def test_cancelling_during_writes_stops_the_helper_and_records_what_was_written(
    session_factory: SessionFactory, link_id: int
) -> None:
    plex = WritableSide(
        "Plex", {str(n): None for n in range(1, 40)}, holds_files=False, write_s=0.02
    )
    folder = WritableSide("Folder", {f"{n}.flac": 6 for n in range(1, 40)}, holds_files=True)
    repository = SyncRepository(session_factory)

    class CancelAtWrites(RecordingReporter):
        def check_cancelled(self) -> None:
            if "writing" in self.phases:
                raise Cancelled

    with pytest.raises(Cancelled):
        RatingsSync(repository, now=lambda: datetime.now(UTC)).run(
            link_id=link_id,
            sides=SyncSides(plex, folder),
            rules=LinkRules(direction=Direction.BOTH, policy=Policy.PREFER_A),
            mode=Mode.SYNC,
            dry_run=False,
            job_id=None,
            reporter=CancelAtWrites(),
        )

    assert 0 < len(plex.writes) < 39
    assert not [t for t in threading.enumerate() if t.name.startswith("crossfade-write")]
    written = {key for key, _, _ in plex.writes}
    known = {link.a_key for link in repository.track_links(link_id) if link.baseline_known}
    assert known == written  # what was written before the cancel has its baseline, no more
