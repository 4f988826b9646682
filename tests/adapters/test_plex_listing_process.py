"""Listing a Plex section in a child process: the same tracks as in-process, the client's retries
and errors, and a stop that terminates the child."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
import time
from collections.abc import Iterator

import pytest

from app.adapters.plex import PlexServerClient, listing_process
from app.adapters.plex.listing_process import (
    ListingCancelled,
    iter_tracks_in_child,
    track_of,
    track_row,
)
from app.domain.errors import PlexNotFound, PlexUnauthorized, PlexUnavailable
from plex_emulator.knobs import Fault, Knobs
from plex_emulator.server import EmulatorServer
from tests.emulator.support import BOB_TOKEN, OWNER_TOKEN, synthetic_emulator


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with synthetic_emulator(2_500, Knobs(page_cap=700)) as server:
        yield server


def _client(url: str, token: str = OWNER_TOKEN) -> PlexServerClient:
    return PlexServerClient(url, token, retries=2, backoff_s=0.01, timeout_s=5.0)


def test_the_child_lists_what_the_client_lists_here(emulator: EmulatorServer) -> None:
    with _client(emulator.url) as here:
        here.rate(next(here.iter_tracks(1)).rating_key, 7)
        expected = list(here.iter_tracks(1))
        in_child = list(iter_tracks_in_child(here, 1))
    assert in_child == expected
    assert len(in_child) == 2_500
    assert sum(1 for track in in_child if track.user_rating == 7) == 1


def test_rows_round_trip_every_field(emulator: EmulatorServer) -> None:
    with _client(emulator.url) as here:
        track = next(here.iter_tracks(1))
    assert track_of(track_row(track)) == track


def test_the_clients_retries_happen_in_the_child(emulator: EmulatorServer) -> None:
    emulator.knobs.add_fault(Fault(r"/library/sections/1/all", status=503, times=1))
    with _client(emulator.url) as here:
        assert len(list(iter_tracks_in_child(here, 1))) == 2_500


@pytest.mark.parametrize(
    ("token", "section_id", "error"),
    [("not-a-token", 1, PlexUnauthorized), (OWNER_TOKEN, 99, PlexNotFound)],
)
def test_errors_come_back_as_themselves(
    emulator: EmulatorServer, token: str, section_id: int, error: type[Exception]
) -> None:
    with _client(emulator.url, token) as here, pytest.raises(error) as raised:
        list(iter_tracks_in_child(here, section_id))
    assert OWNER_TOKEN not in str(raised.value)
    assert emulator.url in str(raised.value)


def test_gone_server_is_unavailable() -> None:
    with _client("http://127.0.0.1:9") as here, pytest.raises(PlexUnavailable):
        list(iter_tracks_in_child(here, 1))


def test_a_stop_terminates_the_child(emulator: EmulatorServer) -> None:
    emulator.knobs.add_fault(Fault(r"/library/sections/1/all", delay_s=30.0))
    asked = threading.Event()

    def should_stop() -> bool:
        asked.set()
        return True

    started = time.monotonic()
    with _client(emulator.url) as here, pytest.raises(ListingCancelled):
        list(iter_tracks_in_child(here, 1, should_stop=should_stop))
    assert asked.is_set()
    assert time.monotonic() - started < 10  # not the 30 s the server would have taken
    assert not [p for p in multiprocessing.active_children() if p.name == "crossfade-plex-listing"]


def test_a_client_pickles_without_its_connection_and_keeps_its_account(
    emulator: EmulatorServer,
) -> None:
    with _client(emulator.url, BOB_TOKEN) as here:
        here.list_sections()
        copy = pickle.loads(pickle.dumps(here))
    with copy:
        assert copy.base_url == emulator.url
        assert [s.section_id for s in copy.list_sections()] == [1]
        assert BOB_TOKEN not in repr(copy)


def test_where_no_child_can_start_the_listing_happens_here(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class NoProcesses:
        def Pipe(self, duplex: bool) -> None:
            raise OSError("sem_open: function not implemented")

    monkeypatch.setattr(listing_process, "worker_context", NoProcesses)
    with _client(emulator.url) as here:
        assert list(iter_tracks_in_child(here, 1)) == list(here.iter_tracks(1))
    assert "listing in-process" in caplog.text
