"""Listing through plexapi: pagination exactly as plexapi loops (docs/PLEX.md §2.3), round trips
of Unicode and ``&``, server-side filters and sorts (§2.6), and reload storms (§2.5)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import plexapi.base
import pytest
from plexapi.server import PlexServer

from plex_emulator.demo_files import DEFAULT_TRACKS
from plex_emulator.knobs import Knobs
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, synthetic_emulator

N = 250


@pytest.fixture(scope="module")
def synthetic() -> Iterator[EmulatorServer]:
    with synthetic_emulator(N) as server:
        yield server


@pytest.mark.parametrize("page_size", [1, 7, 100, 1000])
def test_search_tracks_pages(synthetic: EmulatorServer, page_size: int) -> None:
    plex = PlexServer(synthetic.url, OWNER_TOKEN)
    music = plex.library.section("Music")
    synthetic.log.clear()
    tracks = music.searchTracks(container_size=page_size)
    assert len(tracks) == N
    assert len({t.ratingKey for t in tracks}) == N
    assert synthetic.log.count("/library/sections/1/all") == math.ceil(N / page_size)
    assert music.totalViewSize(libtype="track") == N


def test_a_page_cap_makes_plexapi_lose_items(synthetic: EmulatorServer) -> None:
    plex = PlexServer(synthetic.url, OWNER_TOKEN)
    music = plex.library.section("Music")
    synthetic.knobs.page_cap = 100
    try:
        assert len(music.searchTracks(container_size=200)) < N  # what §2.3 warns about
        assert len(music.searchTracks(container_size=100)) == N
    finally:
        synthetic.knobs.page_cap = None


def test_size_zero_gives_only_the_count(synthetic: EmulatorServer) -> None:
    plex = PlexServer(synthetic.url, OWNER_TOKEN)
    data = plex.query(
        "/library/sections/1/all?type=10&X-Plex-Container-Start=0&X-Plex-Container-Size=0"
    )
    assert data.attrib["totalSize"] == str(N)
    assert data.attrib["size"] == "0"
    assert len(data) == 0


def test_titles_and_paths_round_trip(plex: PlexServer, audio_library: Path) -> None:
    tracks = plex.library.section("Music").searchTracks()
    by_title = {t.title: t for t in tracks}
    for demo in DEFAULT_TRACKS:
        track = by_title[demo.title]
        assert track.locations == [str(audio_library / demo.relative_path)]
        assert track.grandparentTitle == (demo.album_artist or demo.artist)
        assert (track.originalTitle or track.grandparentTitle) == demo.artist
        assert track.parentTitle == demo.album
        assert track.index == demo.track_no
        assert track.parentIndex == demo.disc_no
        assert track.duration > 0
        mbids = [g.id for g in track.guids]
        expected = [f"mbid://{demo.mbid_recording}"] if demo.mbid_recording else []
        assert mbids == expected


def test_filters_sorts_and_meta(plex: PlexServer) -> None:
    music = plex.library.section("Music")
    tracks = music.searchTracks()
    tracks[0].rate(10)
    tracks[1].rate(4)
    rated = music.searchTracks(filters={"track.userRating>>": 0})
    assert {t.ratingKey for t in rated} == {tracks[0].ratingKey, tracks[1].ratingKey}
    top = music.searchTracks(sort="userRating:desc", maxresults=1)
    assert top[0].ratingKey == tracks[0].ratingKey
    recent = music.searchTracks(filters={"track.lastRatedAt>>": "-1d"})
    assert len(recent) == 2
    assert music.searchTracks(title="Café")[0].title == "Café & Crema"
    albums = music.albums()
    assert {a.title for a in albums} == {"Album", "Ünïcødé Album", "Hits"}
    album = next(a for a in albums if a.title == "Hits")
    assert [t.title for t in album.tracks()] == ["Oops", "Wave"]
    assert album.artist().title == "Various Artists"


def test_unrated_tracks_reload_unless_told_not_to(
    plex: PlexServer, emulator: EmulatorServer
) -> None:
    tracks = plex.library.section("Music").searchTracks()
    emulator.log.clear()
    assert all(t.userRating is None for t in tracks)
    assert emulator.log.count("/library/metadata/") == len(tracks)  # one reload per track

    fresh = plex.library.section("Music").searchTracks()
    emulator.log.clear()
    keys = plexapi.base.USER_DONT_RELOAD_FOR_KEYS
    added = {"userRating", "lastRatedAt"} - keys
    keys.update(added)
    try:
        assert all(t.userRating is None and t.lastRatedAt is None for t in fresh)
    finally:
        keys.difference_update(added)
    assert emulator.log.count("/library/metadata/") == 0


def test_strict_container_size_knobs(synthetic: EmulatorServer) -> None:
    plex = PlexServer(synthetic.url, OWNER_TOKEN)
    synthetic.knobs.require_container_size = True
    synthetic.knobs.max_container_size = 100
    synthetic.knobs.over_max = "reject"
    try:
        with pytest.raises(plexapi.exceptions.BadRequest, match="400"):
            plex.query("/library/sections/1/all?type=10")
        with pytest.raises(plexapi.exceptions.BadRequest, match="400"):
            plex.library.section("Music").searchTracks(container_size=101)
        assert len(plex.library.section("Music").searchTracks(container_size=100)) == N
    finally:
        synthetic.knobs.__dict__.update(Knobs(webhooks_sync=True).__dict__ | {"faults": []})


def test_artist_albums_and_album_tracks(plex: PlexServer) -> None:
    """plexapi's Artist.albums() filters albums by ``artist.id`` (the parent's key)."""
    music = next(s for s in plex.library.sections() if s.type == "artist")
    by_artist = {artist.title: artist for artist in music.all()}
    albums = {album.title for album in by_artist["Björk & Friends"].albums()}
    assert albums == {"Ünïcødé Album"}
    assert {album.title for album in by_artist["Artist"].albums()} == {"Album"}
    tracks = by_artist["Artist"].albums()[0].tracks()
    assert [t.title for t in tracks] == ["First", "Café & Crema"]
