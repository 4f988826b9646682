"""The Subsonic transport, through the client against the emulator: 5xx answers and timeouts
retried with a doubling wait, HTTP-200 failures translated and not retried, creating a playlist
never retried once it may have reached the server, a bounded request rate, and form POSTs sent
again as GETs where a server refuses them."""

from __future__ import annotations

import pickle
import time

import pytest

from app.adapters.subsonic import SubsonicClient
from app.adapters.subsonic.transport import api_error
from app.domain.errors import (
    SubsonicError,
    SubsonicNotFound,
    SubsonicUnauthorized,
    SubsonicUnavailable,
)
from tests.adapters.test_subsonic_client import URL, client, emulator
from tests.subsonic_emulator import Fault, transport


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        ({"code": 40, "message": "Wrong username or password"}, SubsonicUnauthorized, 40),
        ({"code": 50, "message": "not authorized"}, SubsonicUnauthorized, 50),
        ({"code": 70, "message": "not found"}, SubsonicNotFound, 70),
        ({"code": 0, "message": "already starred"}, SubsonicError, 0),
        (None, SubsonicError, 0),
        ({"code": "x"}, SubsonicError, 0),
    ],
)
def test_failed_answers_become_our_errors(
    error: object, kind: type[SubsonicError], code: int
) -> None:
    translated = api_error(error, "http://nd", "ping")
    assert type(translated) is kind
    assert translated.api_code == code
    assert translated.server == "http://nd"
    assert translated.key == "ping"


def test_faults_are_retried_and_http_200_errors_are_not() -> None:
    server = emulator()
    sleeps: list[float] = []
    with SubsonicClient(URL, "alice", "s3cret", http=transport(server), max_rate_per_s=0,
                        backoff_s=0.1, sleep=sleeps.append) as music:  # fmt: skip
        music.server_info()
        server.faults[:] = [Fault.HTTP_503, Fault.TIMEOUT, Fault.HTTP_500]
        music.set_rating("s1", 3)
        assert sleeps == [0.1, 0.2, 0.4]
        server.faults[:] = [Fault.FAILED]
        with pytest.raises(SubsonicError, match="injected failure") as caught:
            music.set_rating("s1", 3)
        assert caught.value.api_code == 0
        server.faults[:] = [Fault.HTTP_500] * 4
        with pytest.raises(SubsonicUnavailable, match="after 4 attempts"):
            music.song("s1")


def test_creating_a_playlist_is_not_retried_after_a_timeout() -> None:
    server = emulator()
    with client(server) as music:
        music.server_info()
        server.faults[:] = [Fault.TIMEOUT]  # hits getPlaylists (safe): retried
        created = music.create_playlist("Mix", ["s0"])
        assert server.library.playlists[created].song_ids == ["s0"]
        music.playlists()
        server.faults[:] = [Fault.NONE, Fault.TIMEOUT]  # getPlaylists answered, then create
        with pytest.raises(SubsonicUnavailable, match="not retried"):
            music.create_playlist("Mix", ["s1"])


def test_request_rate_is_bounded() -> None:
    server = emulator()
    with SubsonicClient(URL, "alice", "s3cret", http=transport(server),
                        max_rate_per_s=100) as music:  # fmt: skip
        started = time.monotonic()
        for _ in range(10):
            music.song("s0")  # with the ping: 11 requests, 10 gaps of at least 10 ms
        elapsed_s = time.monotonic() - started
    assert elapsed_s >= 0.09


def test_a_server_without_form_post_gets_the_same_request_by_get() -> None:
    server = emulator(form_post=False)
    with client(server) as music:
        created = music.create_playlist("Long", ["s0", "s1", "s2"])
        assert server.library.playlists[created].song_ids == ["s0", "s1", "s2"]
        assert len(server.library.playlists) == 1  # refused POSTs did nothing


def test_an_error_crosses_a_process_boundary_intact() -> None:
    error = api_error({"code": 70, "message": "Song not found"}, "http://nd", "getSong")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is SubsonicNotFound
    assert (copy.reason, copy.server, copy.key, copy.api_code) == (
        error.reason, "http://nd", "getSong", 70,
    )  # fmt: skip
    assert str(copy) == "error 70: Song not found (http://nd getSong)"
