"""A Navidrome-like server (the emulator on loopback: token auth, made-up paths, MusicBrainz
recording ids, idempotent stars) as side A of a ratings link with a music folder, through the
real job path: songs pair by MusicBrainz id where both have one and by tags otherwise (never by
the made-up paths), a ½★ file rating reaches the server as 1★ once and is held, not bounced,
and a change on both sides is a conflict with policy "ask"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import Container, build_container
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from app.settings import Settings
from plex_emulator.demo_files import DEFAULT_TRACKS
from tests.conftest import FAST_TIMING
from tests.emulator.support import write_library
from tests.services.subsonic_support import file_half_stars, finished
from tests.subsonic_emulator import EmulatorSong, SubsonicEmulator, serve


@pytest.fixture
def navidrome(tmp_path: Path) -> Iterator[tuple[SubsonicEmulator, str]]:
    server = SubsonicEmulator(server_type="navidrome", api_key_auth=False)
    server.library.add_user("alice", "pw")
    for n, track in enumerate(DEFAULT_TRACKS):
        server.library.add_song(
            EmulatorSong(
                song_id=f"nd{n}",
                title=track.title,
                artist=track.artist,
                album=track.album,
                album_id=f"al-{track.album}",
                track=track.track_no,
                disc=track.disc_no,
                duration_s=1,
                real_path=f"/music/{track.relative_path}",
                suffix=track.relative_path.rsplit(".", 1)[-1],
                mbid=track.mbid_recording or "",
            )
        )
    url, stop = serve(server)
    try:
        yield server, url
    finally:
        stop()


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings, timing=FAST_TIMING)
    try:
        built.startup()
        yield built
    finally:
        built.close()


def test_a_navidrome_like_server_pairs_by_mbid_and_tags(
    navidrome: tuple[SubsonicEmulator, str],
    container: Container,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    server, url = navidrome
    music = write_library(tmp_path / "music", tmp_path_factory)
    first = DEFAULT_TRACKS[0]  # has a MusicBrainz recording id
    cafe = DEFAULT_TRACKS[1]  # has none
    assert first.mbid_recording and not cafe.mbid_recording
    assert (
        read_file(music / first.relative_path).meta.musicbrainz_recording_id == first.mbid_recording
    )
    write_rating(music / cafe.relative_path, Rating(1), preset("musicbee"), options=WriteOptions())
    server.library.set_rating("alice", "nd0", 3)
    catalog = container.domains.libraries
    navi = catalog.add_library(
        kind=LibraryKind.SUBSONIC, name="Navidrome",
        config={"base_url": url, "user": "alice", "max_requests_per_s": 0}, secret="pw",
    )  # fmt: skip
    folder = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER, name="Music", config={"root": str(music)}
    )
    link = catalog.add_link(kind=LinkKind.RATINGS, library_a_id=navi.id, library_b_id=folder.id)

    job = finished(container, container.link_runs.run(link.id))
    pairs = container.domains.sync_repository.track_links(link.id)
    methods = {pair.a_key: pair.method for pair in pairs}
    assert methods["nd0"] == "mbid"  # the made-up path is never compared
    assert methods["nd1"] == "fuzzy"
    assert job.counters.get("pairs") == len(pairs)
    assert server.library.rating("alice", "nd1") == 1  # ½★ rounds up to 1★
    assert file_half_stars(music / first.relative_path) == 6  # the server's 3★ in the file
    assert file_half_stars(music / cafe.relative_path) == 1  # the file keeps its ½★

    again = finished(container, container.link_runs.run(link.id))
    assert again.counters.get("written_a", 0) == again.counters.get("written_b", 0) == 0
    assert again.counters.get("conflicts", 0) == 0
    assert server.log.count("setRating") == 1
    assert "getSong" in server.log and "getPlaylist" not in server.log
    assert server.log.count("ping") == 2  # one auth detection a run (token worked)

    # Both sides change the same song: with policy "ask" it is a conflict, nothing is written.
    server.library.set_rating("alice", "nd0", 5)
    write_rating(music / first.relative_path, Rating(4), preset("musicbee"), options=WriteOptions())
    clash = finished(container, container.link_runs.run(link.id))
    assert clash.counters.get("conflicts") == 1
    assert clash.counters.get("written_a", 0) == clash.counters.get("written_b", 0) == 0
    assert server.library.rating("alice", "nd0") == 5
    assert file_half_stars(music / first.relative_path) == 4
