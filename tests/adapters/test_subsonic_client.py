"""The Subsonic client against the emulator: auth detection and its errors, listing by pages
(and album by album where search3 is refused), ratings, stars, playlists, faults."""

from __future__ import annotations

import logging
import math

import pytest

from app.adapters.log_redaction import install
from app.adapters.subsonic import AuthMode, SubsonicClient
from app.domain.errors import (
    InvalidInput,
    SubsonicNotFound,
    SubsonicUnauthorized,
)
from tests.subsonic_emulator import EmulatorSong, SubsonicEmulator, transport

URL = "http://music.test:4533"


def emulator(songs: int = 3, **flags: bool) -> SubsonicEmulator:
    server = SubsonicEmulator(**flags)
    server.library.add_user("alice", "s3cret", api_key="key-alice")
    server.library.add_user("bob", "other")
    server.library.add_synthetic(songs)
    return server


def client(server: SubsonicEmulator, **options: object) -> SubsonicClient:
    user = str(options.pop("user", "alice"))
    secret = str(options.pop("secret", "s3cret"))
    return SubsonicClient(
        URL, user, secret, http=transport(server), max_rate_per_s=0, backoff_s=0, **options
    )  # type: ignore[arg-type]


def test_auto_auth_uses_a_token_where_the_server_takes_one() -> None:
    server = emulator()
    with client(server) as music:
        info = music.server_info()
    assert info.auth_mode == "token"
    assert info.open_subsonic
    assert "apiKeyAuthentication" in info.extensions
    assert info.api_version == "1.16.1"
    assert info.server_type == "crossfade-emulator"
    assert info.warnings == (
        "credentials travel over plain HTTP to a non-loopback host: use https",
    )


def test_auto_auth_falls_back_to_the_password_only_when_tokens_are_refused() -> None:
    server = emulator(token_auth=False)
    with client(server) as music:
        assert music.auth_mode is AuthMode.PASSWORD
        assert any("hex-encoded" in w for w in music.warnings)
    with (
        client(server, allow_password=False) as music,
        pytest.raises(SubsonicUnauthorized, match="not allowed"),
    ):
        music.server_info()


def test_a_wrong_password_is_not_retried_as_a_password() -> None:
    server = emulator()
    with client(server, secret="wrong") as music, pytest.raises(SubsonicUnauthorized) as caught:
        music.server_info()
    assert caught.value.api_code == 40
    assert server.log == ["ping"]  # the token was refused: no second try with the password
    assert "wrong" not in str(caught.value)


@pytest.mark.parametrize(
    ("flags", "user", "secret", "code"),
    [
        ({}, "", "key-alice", None),
        ({}, "", "nope", 44),
        ({"api_key_auth": False}, "", "key-alice", 42),
    ],
)
def test_api_key_auth_and_its_errors(
    flags: dict[str, bool], user: str, secret: str, code: int | None
) -> None:
    server = emulator(**flags)
    with client(server, user=user, secret=secret, auth=AuthMode.API_KEY) as music:
        if code is None:
            assert music.server_info().auth_mode == "api_key"
        else:
            with pytest.raises(SubsonicUnauthorized) as caught:
                music.server_info()
            assert caught.value.api_code == code


def test_a_user_is_needed_without_an_api_key() -> None:
    with pytest.raises(InvalidInput, match="user"):
        SubsonicClient(URL, "", "pw")


def test_listing_costs_one_request_a_page_plus_a_constant() -> None:
    server = emulator(songs=2_345)
    with client(server, page_size=500) as music:
        songs = list(music.iter_songs())
        requests = music.requests
    assert len({s.song_id for s in songs}) == 2_345
    # ping (auth detection) + ceil(N/page) pages; a full last page would cost one more
    assert requests == 1 + math.ceil(2_345 / 500)
    assert server.log.count("getSong") == 0


def test_an_exact_multiple_of_the_page_ends_on_an_empty_page() -> None:
    server = emulator(songs=1_000)
    with client(server, page_size=500) as music:
        assert len(list(music.iter_songs())) == 1_000
    assert server.log.count("search3") == 3  # the third answers "searchResult3": {}


class NoSearch(SubsonicEmulator):
    def _m_search3(self, user: str, params: dict[str, list[str]]) -> dict[str, object]:
        from tests.subsonic_emulator.server import ApiError

        raise ApiError(0, "Unknown method search3")


def test_a_server_refusing_search3_is_listed_album_by_album() -> None:
    server = NoSearch()
    server.library.add_user("alice", "s3cret")
    server.library.add_synthetic(45, per_album=10)
    with client(server) as music:
        songs = list(music.iter_songs())
    assert len(songs) == 45
    assert server.log.count("getAlbum") == 5
    assert server.log.count("getAlbumList2") == 1


def test_songs_carry_rating_star_mbid_and_the_path_the_server_reports() -> None:
    server = emulator(songs=0)
    song = server.library.add_song(
        EmulatorSong("x1", "Café", "Émile", "Album", "al1", track=3, disc=1,
                     real_path="/srv/music/Émile/Album/03 Café.flac", suffix="flac",
                     mbid="3f1a4e7c-0000-4000-8000-000000000001")
    )  # fmt: skip
    with client(server) as music:
        fresh = music.song(song.song_id)
        assert fresh.user_rating is None  # absent when unrated
        assert fresh.path == "Émile/Album/01-03 - Café.flac"  # Navidrome's made-up path
        assert fresh.mbid == "3f1a4e7c-0000-4000-8000-000000000001"
        music.set_rating("x1", 4)
        music.set_starred("x1", True)
        music.set_starred("x1", True)  # idempotent here; "already starred" elsewhere
        server.library.report_real_path = True
        rated = music.song("x1")
    assert rated.user_rating == 4
    assert rated.starred
    assert rated.path == "/srv/music/Émile/Album/03 Café.flac"
    assert server.library.rating("bob", "x1") is None  # ratings are per user


def test_ratings_are_whole_stars_0_to_5() -> None:
    server = emulator()
    with client(server) as music:
        with pytest.raises(InvalidInput):
            music.set_rating("s0", 6)
        music.set_rating("s0", 5)
        music.set_rating("s0", 0)
        assert music.song("s0").user_rating is None
        with pytest.raises(SubsonicNotFound):
            music.set_rating("nope", 3)


def test_playlists_replace_keep_ids_and_readonly_ones_refuse_writes() -> None:
    server = emulator()
    smart = server.library.add_playlist("alice", "Smart", ["s0"], readonly=True)
    with client(server) as music:
        first = music.create_playlist("Same name", ["s0", "s1"])
        second = music.create_playlist("Same name", ["s2"])
        assert first != second
        music.replace_playlist(first, ["s2", "s1", "s2"])
        assert [s.song_id for s in music.playlist_songs(first)] == ["s2", "s1", "s2"]
        listed = {p.playlist_id: p for p in music.playlists()}
        assert listed[smart.playlist_id].readonly
        assert listed[first].changed is not None
        assert listed[first].song_count == 3
        with pytest.raises(SubsonicUnauthorized):
            music.replace_playlist(smart.playlist_id, [])
        music.delete_playlist(second)
        assert second not in {p.playlist_id for p in music.playlists()}


def test_no_credential_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs each request's URL at INFO; the redaction masks the password, its hex, the
    token and the API key in it."""
    install()
    caplog.set_level(logging.DEBUG)
    for flags in ({}, {"token_auth": False}):
        server = emulator(**flags)
        with client(server) as music:
            music.server_info()
            music.song("s0")
    with client(emulator(), user="", secret="key-alice", auth=AuthMode.API_KEY) as music:
        music.server_info()
    text = caplog.text
    assert "/rest/ping" in text  # the requests were logged
    for secret in ("s3cret", b"s3cret".hex(), "key-alice"):
        assert secret not in text
    assert "&t=***" in text
    assert "&p=***" in text
