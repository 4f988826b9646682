"""Scanning both sides of a link at once (a Plex side on a helper thread) and the deferral of
full garbage collections during runs: results, events, errors and cancellation as if the two
sides had scanned in turn."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from app.domain.errors import SetupError
from app.domain.matching import TrackInfo
from app.domain.ratings import Rating
from app.services.rating_sides import Reporter, SideItem
from app.services.ratings_sync import FullCollections, SyncSides
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

    def read(self, key: str) -> Rating | None:
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


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*before)


def test_full_collections_are_deferred_during_a_run_and_restored_after(
    thresholds: tuple[int, int, int],
) -> None:
    deferral = FullCollections()

    with deferral.deferred():
        assert gc.get_threshold() == (700, 10, FullCollections.DEFERRED)

    assert gc.get_threshold() == thresholds


def test_concurrent_runs_restore_the_thresholds_only_when_the_last_ends(
    thresholds: tuple[int, int, int],
) -> None:
    deferral = FullCollections()
    first = deferral.deferred()
    second = deferral.deferred()

    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    still = gc.get_threshold()
    second.__exit__(None, None, None)

    assert still == (700, 10, FullCollections.DEFERRED)
    assert gc.get_threshold() == thresholds


def test_a_failing_run_restores_the_thresholds(thresholds: tuple[int, int, int]) -> None:
    deferral = FullCollections()

    with pytest.raises(SetupError), deferral.deferred():
        raise SetupError("the Plex server went away")

    assert gc.get_threshold() == thresholds
