"""Ratings through plexapi (docs/PLEX.md §3): per account, lastRatedAt, clearing, validation."""

from __future__ import annotations

import datetime as dt

import pytest
from plexapi.exceptions import BadRequest, NotFound
from plexapi.server import PlexServer

from plex_emulator.server import EmulatorServer
from tests.emulator.support import BOB_TOKEN


def test_rate_reload_clear(plex: PlexServer, emulator: EmulatorServer) -> None:
    track = plex.library.section("Music").searchTracks()[0]
    before = dt.datetime.now() - dt.timedelta(seconds=2)
    assert track.rate(8) is track
    track.reload()
    assert track.userRating == 8.0
    assert isinstance(track.lastRatedAt, dt.datetime)
    assert track.lastRatedAt >= before
    rated_at = track.lastRatedAt

    track.rate(7.5)
    assert plex.fetchItem(track.ratingKey).userRating == 7.5

    track.rate()
    track.reload()
    assert track.userRating is None
    assert track.lastRatedAt == rated_at  # a clear keeps lastRatedAt (docs/PLEX.md §3)
    entries = [e for e in emulator.log.entries() if e.path == "/:/rate"]
    assert [e.param("rating") for e in entries] == ["8", "7.5", "-1"]
    assert all(e.method == "PUT" for e in entries)


def test_ratings_are_per_account(plex: PlexServer, emulator: EmulatorServer) -> None:
    track = plex.library.section("Music").searchTracks()[0]
    track.rate(10)
    bob = PlexServer(emulator.url, BOB_TOKEN)
    bobs_track = bob.fetchItem(track.ratingKey)
    assert bobs_track.userRating is None
    bobs_track.rate(2)
    assert bob.fetchItem(track.ratingKey).userRating == 2.0
    assert plex.fetchItem(track.ratingKey).userRating == 10.0
    listed = {t.ratingKey: t for t in plex.library.section("Music").searchTracks()}
    assert listed[track.ratingKey]._data.attrib["userRating"] == "10.0"


def test_invalid_ratings_never_reach_the_server(plex: PlexServer, emulator: EmulatorServer) -> None:
    track = plex.library.section("Music").searchTracks()[0]
    emulator.log.clear()
    for bad in (11, -0.5, "5"):
        with pytest.raises(BadRequest):
            track.rate(bad)
    assert len(emulator.log) == 0


def test_server_side_rating_validation(plex: PlexServer) -> None:
    key = plex.library.section("Music").searchTracks()[0].ratingKey
    base = f"/:/rate?key={key}&identifier=com.plexapp.plugins.library"
    with pytest.raises(BadRequest, match="400"):
        plex.query(f"{base}&rating=11", method=plex._session.put)
    with pytest.raises(BadRequest, match="400"):
        plex.query(base, method=plex._session.put)
    future = int(dt.datetime.now().timestamp()) + 3600
    with pytest.raises(BadRequest, match="400"):
        plex.query(f"{base}&rating=6&ratedAt={future}", method=plex._session.put)
    plex.query(f"{base}&rating=6&ratedAt=1600000000", method=plex._session.put)
    track = plex.fetchItem(key)
    assert track.userRating == 6.0
    assert track._data.attrib["lastRatedAt"] == "1600000000"
    with pytest.raises(NotFound):
        plex.query("/:/rate?key=1&identifier=com.example.other&rating=2", method=plex._session.put)


def test_unknown_keys_are_not_found(plex: PlexServer) -> None:
    with pytest.raises(NotFound):
        plex.fetchItem(987654)
    with pytest.raises(NotFound):
        plex.query(
            "/:/rate?key=987654&identifier=com.plexapp.plugins.library&rating=4",
            method=plex._session.put,
        )
    key = plex.library.section("Music").searchTracks()[0].ratingKey
    with pytest.raises(NotFound):
        plex.fetchItems([key, 987654])


def test_scrobble_counts_per_account(plex: PlexServer) -> None:
    track = plex.library.section("Music").searchTracks()[0]
    track.markPlayed()
    track.markPlayed()
    track.reload()
    assert track.viewCount == 2
    assert track.lastViewedAt is not None
    track.markUnplayed()
    track.reload()
    assert track.viewCount == 0


def test_field_edits(plex: PlexServer) -> None:
    track = plex.library.section("Music").searchTracks()[0]
    track.editUserRating(4)
    track.reload()
    assert track.userRating == 4.0
    assert track.lastRatedAt is None  # a field edit is not a /:/rate (docs/PLEX.md §10: unknown)
    track.editTitle("Retitled & Co")
    assert plex.fetchItem(track.ratingKey).title == "Retitled & Co"
    with pytest.raises(BadRequest, match="400"):
        plex.query(
            f"/library/sections/1/all?type=10&id={track.ratingKey}&mood.value=x",
            method=plex._session.put,
        )
