"""The Subsonic rating side against the emulator: listing cost at 100,000 songs, what
matching sees (MBID always, paths only when real), whole-star writes re-read, the optional
starred mapping, per-write errors as outcomes."""

from __future__ import annotations

import math

from app.adapters.subsonic import SubsonicClient
from app.domain.errors import SubsonicNotFound
from app.domain.paths import PathMapping
from app.domain.ratings.value import Rating
from app.domain.subsonic import StarredMapping
from app.services.ports import RatingWrite
from app.services.subsonic.rating_side import SongPaths, Starring, SubsonicRatingSide
from tests.services.ratings_support import RecordingReporter
from tests.subsonic_emulator import EmulatorSong, Fault, SubsonicEmulator, transport

URL = "http://127.0.0.1:4533"
MBID = "6524bc2d-3f58-4afa-9e06-00a651f5d813"


def emulator(songs: int = 0) -> SubsonicEmulator:
    server = SubsonicEmulator()
    server.library.add_user("alice", "pw")
    server.library.add_synthetic(songs)
    return server


def side(
    server: SubsonicEmulator,
    paths: SongPaths = SongPaths(),
    starring: Starring = Starring(),
    page_size: int = 500,
) -> SubsonicRatingSide:
    client = SubsonicClient(
        URL, "alice", "pw", http=transport(server), max_rate_per_s=0, page_size=page_size
    )
    return SubsonicRatingSide(client, paths, label="Navidrome", starring=starring)


def test_listing_100000_songs_costs_one_request_a_page() -> None:
    count, page = 100_000, 500
    server = emulator(count)
    server.library.set_rating("alice", "s7", 3)
    music = side(server, page_size=page)
    reporter = RecordingReporter()
    items = music.scan(reporter, "listing")
    assert len(items) == count
    assert len({item.key for item in items}) == count
    # one ping (auth detection), ceil(N/page) pages and the empty page that ends them
    # (N is a multiple of the page here); no per-song request
    assert len(server.log) == math.ceil(count / page) + 2
    assert set(server.log) == {"ping", "search3"}
    rated = next(item for item in items if item.key == "s7")
    assert rated.rating == Rating(6)
    assert rated.evidence == "Subsonic 3★"
    music.close()


def add_cafe(server: SubsonicEmulator) -> None:
    server.library.add_song(
        EmulatorSong("c1", "Café", "Artist", "Album", "al1", track=2,
                     real_path="/data/music/Artist/Album/02 Café.mp3", mbid=MBID)
    )  # fmt: skip


def test_made_up_paths_never_reach_matching_and_mbids_always_do() -> None:
    server = emulator()
    add_cafe(server)
    track = side(server).scan(RecordingReporter(), "listing")[0].track
    assert track.path is None  # Navidrome's default path is made up: not a path to match
    assert track.mbid == MBID
    assert (track.title, track.artist, track.track_no) == ("Café", "Artist", 2)


def test_real_paths_are_mapped_to_local_ones() -> None:
    server = emulator()
    add_cafe(server)
    server.library.report_real_path = True
    mapped = SongPaths(real_paths=True, mappings=(PathMapping("/data/music", "/srv/music"),))
    track = side(server, mapped).scan(RecordingReporter(), "listing")[0].track
    assert track.path == "/srv/music/Artist/Album/02 Café.mp3"
    unmapped = SongPaths(real_paths=True, mappings=(PathMapping("/elsewhere", "/srv"),))
    assert side(server, unmapped).scan(RecordingReporter(), "x")[0].track.path is None


def test_relative_paths_start_at_the_music_root() -> None:
    paths = SongPaths(real_paths=True, music_root="/srv/music")
    assert paths.local("Artist/Album/01 A.mp3") == "/srv/music/Artist/Album/01 A.mp3"
    assert SongPaths(real_paths=True).local("Artist/01 A.mp3") is None
    assert SongPaths().local("/srv/music/01 A.mp3") is None


def test_writes_are_whole_stars_and_return_what_the_server_holds() -> None:
    server = emulator(3)
    music = side(server)
    outcomes = list(
        music.write_many(
            [RatingWrite("s0", Rating(7)), RatingWrite("s1", None), RatingWrite("nope", Rating(2)),
             RatingWrite("s2", Rating(1))]
        )
    )  # fmt: skip
    assert outcomes[0] == Rating(8)  # 3½★ sent as 4★: the re-read says so (a lossy write)
    assert outcomes[1] is None
    assert isinstance(outcomes[2], SubsonicNotFound)  # one item's error, the rest go on
    assert outcomes[3] == Rating(2)
    assert server.library.rating("alice", "s0") == 4
    assert music.read("s2") == Rating(2)


def test_writes_stop_when_asked() -> None:
    server = emulator(3)
    asked = iter([False, True])
    outcomes = list(
        side(server).write_many(
            [RatingWrite("s0", Rating(4)), RatingWrite("s1", Rating(4))],
            should_stop=lambda: next(asked),
        )
    )
    assert outcomes == [Rating(4)]
    assert server.library.rating("alice", "s1") is None


def test_a_failed_write_is_an_outcome_not_an_exception() -> None:
    server = emulator(1)
    music = side(server)
    music.read("s0")
    server.faults[:] = [Fault.FAILED]
    (outcome,) = music.write_many([RatingWrite("s0", Rating(6))])
    assert isinstance(outcome, Exception)
    assert "injected failure" in str(outcome)


def test_the_starred_mapping_is_off_by_default() -> None:
    server = emulator(1)
    server.library.starred["alice"] = {"s0": "2026-01-01T00:00:00Z"}
    item = side(server).scan(RecordingReporter(), "x")[0]
    assert item.rating is None
    assert item.evidence == "Subsonic unrated starred"
    side(server).write("s0", Rating(2), rated_at_s=None)
    assert "s0" in server.library.starred["alice"]  # left alone


def test_the_starred_mapping_stars_at_a_threshold() -> None:
    server = emulator(2)
    server.library.starred["alice"] = {"s0": "2026-01-01T00:00:00Z"}
    music = side(server, starring=Starring(StarredMapping.THRESHOLD, threshold_stars=4))
    assert music.scan(RecordingReporter(), "x")[0].rating == Rating(8)  # starred, unrated
    assert music.write("s1", Rating(9), rated_at_s=None) == Rating(10)
    assert "s1" in server.library.starred["alice"]
    assert music.write("s0", Rating(4), rated_at_s=None) == Rating(4)
    assert "s0" not in server.library.starred["alice"]
