"""Failures: retries with backoff, translation into our errors, and the token kept secret."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.adapters.plex.xmlstream import parse_items
from app.domain.errors import PlexError, PlexNotFound, PlexUnauthorized, PlexUnavailable
from plex_emulator.builder import Folder
from plex_emulator.knobs import Fault
from plex_emulator.server import EmulatorServer
from tests.emulator.support import BOB_TOKEN, OWNER_TOKEN, running_emulator, write_library


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path_factory.mktemp("plex-transport") / "music", tmp_path_factory)


@pytest.fixture
def emulator(library: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(library))]) as server:
        yield server


ITEMS = frozenset({"Track"})


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(url: str, token: str = OWNER_TOKEN, **kwargs: object) -> PlexServerClient:
    options: dict = {"retries": 3, "backoff_s": 0.1, "timeout_s": 5.0, **kwargs}
    return PlexServerClient(url, token, **options)


def test_5xx_is_retried_with_backoff(emulator: EmulatorServer) -> None:
    sleeps = Sleeps()
    emulator.knobs.add_fault(Fault(r"/library/sections/1/all", status=503, times=2))
    with _client(emulator.url, sleep=sleeps) as plex:
        assert len(list(plex.iter_tracks(1))) == 6
    assert sleeps == [0.1, 0.2]
    statuses = [e.status for e in emulator.log.entries() if e.path.endswith("/all")]
    assert statuses == [503, 503, 200]


def test_dropped_connections_are_retried(emulator: EmulatorServer) -> None:
    emulator.knobs.add_fault(Fault(r"/library/sections$", drop=True, times=1))
    with _client(emulator.url, sleep=Sleeps()) as plex:
        assert [s.title for s in plex.list_sections()] == ["Music"]


def test_giving_up_is_unavailable(emulator: EmulatorServer) -> None:
    sleeps = Sleeps()
    emulator.knobs.add_fault(Fault(r"/library/sections$", status=500))
    with _client(emulator.url, sleep=sleeps) as plex, pytest.raises(PlexUnavailable) as caught:
        plex.list_sections()
    assert sleeps == [0.1, 0.2, 0.4]
    assert caught.value.server == emulator.url
    assert caught.value.key == "/library/sections"
    assert "500 after 4 attempt(s)" in str(caught.value)


def test_timeouts_are_unavailable(emulator: EmulatorServer) -> None:
    emulator.knobs.add_fault(Fault(r"/library/sections$", delay_s=0.5))
    with (
        _client(emulator.url, timeout_s=0.1, retries=1, sleep=Sleeps()) as plex,
        pytest.raises(PlexUnavailable, match="timed out"),
    ):
        plex.list_sections()


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        _client(f"http://127.0.0.1:{port}", sleep=Sleeps()) as plex,
        pytest.raises(PlexUnavailable, match="cannot connect"),
    ):
        plex.list_sections()


def test_creating_is_not_retried_after_a_5xx(emulator: EmulatorServer) -> None:
    emulator.knobs.add_fault(Fault(r"^/playlists$", status=500, methods=frozenset({"POST"})))
    with _client(emulator.url, sleep=Sleeps()) as plex:
        key = next(plex.iter_tracks(1)).rating_key
        with pytest.raises(PlexUnavailable, match="may have taken effect"):
            plex.create_playlist("Once", 1, [key])
    assert emulator.log.count("/playlists", "POST") == 1


def test_status_translation(emulator: EmulatorServer) -> None:
    with _client(emulator.url, token="wrong-token") as plex, pytest.raises(PlexUnauthorized):
        plex.list_sections()
    with (
        _client(emulator.url, token=BOB_TOKEN) as bob,
        pytest.raises(PlexUnauthorized, match="403"),
    ):
        bob.refresh_section(1)
    with _client(emulator.url) as plex:
        with pytest.raises(PlexNotFound) as caught:
            plex.get_track(987654)
        assert caught.value.key == "/library/metadata/987654"
        with pytest.raises(PlexNotFound):
            list(plex.iter_tracks(42))
        emulator.knobs.add_fault(Fault(r"/library/sections$", status=400, times=1))
        with pytest.raises(PlexError, match="400") as bad:
            plex.list_sections()
        assert type(bad.value) is PlexError


def test_malformed_answers_are_plex_errors(emulator: EmulatorServer) -> None:
    # the emulator's own log is JSON, not XML: parsing it must fail as a PlexError
    with _client(emulator.url) as plex, pytest.raises(PlexError, match="malformed XML"):
        plex._http.call(
            "GET",
            "/__emu/log",
            lambda response: parse_items(response.iter_bytes(), ITEMS, lambda raw: raw),
        )


def test_the_token_never_shows(emulator: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    emulator.knobs.add_fault(Fault(r"/library/sections$", status=502, times=1))
    with _client(emulator.url, sleep=Sleeps()) as plex:
        texts.append(repr(plex))
        texts.append(repr(plex._http))
        plex.list_sections()
        track = next(plex.iter_tracks(1))
        plex.rate(track.rating_key, 6)
        for action in (lambda: plex.get_track(987654), lambda: plex.rate(987654, 2)):
            with pytest.raises(PlexError) as caught:
                action()
            texts.extend([str(caught.value), repr(caught.value), caught.value.reason])
    with _client(emulator.url, token="not-" + OWNER_TOKEN) as stranger:
        with pytest.raises(PlexUnauthorized) as refused:
            stranger.list_sections()
        texts.append(str(refused.value))
    texts.append(caplog.text)
    assert any("Plex GET /library/sections" in t for t in texts)  # requests are logged
    for text in texts:
        assert OWNER_TOKEN not in text
