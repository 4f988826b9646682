"""End to end on a real Supysonic server (started on loopback by the fixture), through the real
job path (link run, job, side factory, ratings or playlists sync): file ratings reach the server
and the server's reach the files, ½★ is rounded once and never bounces, a Plex (emulator) ⇄
Subsonic link works, a server playlist becomes an M3U file and an edited file updates the same
server playlist; second runs write nothing, dry runs change nothing, undo restores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, write_rating
from app.bootstrap import Container, build_container
from app.domain.jobs import JobRecord
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from app.settings import Settings
from plex_emulator.builder import Folder
from tests.conftest import FAST_TIMING
from tests.emulator.support import running_emulator, write_library
from tests.services.subsonic_support import (
    file_half_stars,
    finished,
    server_stars,
    song_ids,
    subsonic_config,
    supysonic_client,
)
from tests.subsonic_emulator.supysonic import Supysonic, running_supysonic

pytestmark = pytest.mark.slow  # a real Supysonic per test (run by default)

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
OOPS = "Various Artists/Hits/03 Oops.opus"


@pytest.fixture
def supysonic(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supysonic]:
    music = write_library(tmp_path / "music", tmp_path_factory)
    with running_supysonic(music, tmp_path / "supysonic") as server:
        yield server


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings, timing=FAST_TIMING)
    try:
        built.startup()
        yield built
    finally:
        built.close()


def writes(job: JobRecord) -> tuple[int, int]:
    return job.counters.get("written_a", 0), job.counters.get("written_b", 0)


def rate_file(path: Path, half_stars: int) -> None:
    write_rating(path, Rating(half_stars), preset("musicbee"), options=WriteOptions())


def test_ratings_between_files_and_supysonic(supysonic: Supysonic, container: Container) -> None:
    music = supysonic.music
    rate_file(music / FIRST, 8)  # 4★
    rate_file(music / CAFE, 7)  # 3½★: Subsonic holds whole stars
    ids = song_ids(supysonic)
    with supysonic_client(supysonic) as client:
        client.set_rating(ids[CA_VA], 2)  # 2★ on the server only
    catalog = container.domains.libraries
    server = catalog.add_library(
        kind=LibraryKind.SUBSONIC,
        name="Supysonic",
        config=subsonic_config(supysonic),
        secret=supysonic.password,
    )
    folder = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER, name="Music", config={"root": str(music)}
    )
    link = catalog.add_link(
        kind=LinkKind.RATINGS, library_a_id=server.id, library_b_id=folder.id, policy="ask"
    )
    before = server_stars(supysonic)

    dry = finished(container, container.link_runs.run(link.id, dry_run=True))
    assert writes(dry) == (0, 0)  # planned, not written
    assert server_stars(supysonic) == before
    assert file_half_stars(music / CA_VA) is None

    first = finished(container, container.link_runs.run(link.id))
    assert writes(first) == (2, 1)
    stars = server_stars(supysonic)
    assert stars[FIRST] == 4
    assert stars[CAFE] == 4  # 3½★ rounded up once
    assert file_half_stars(music / CA_VA) == 4  # the server's 2★ reached the file
    assert file_half_stars(music / CAFE) == 7  # the file keeps its half star

    second = finished(container, container.link_runs.run(link.id))
    assert writes(second) == (0, 0)
    assert second.counters.get("conflicts", 0) == 0  # 4★ on the server is not a new rating

    finished(container, container.link_runs.undo(first.id))
    restored = server_stars(supysonic)
    assert restored[FIRST] is None
    assert restored[CAFE] is None
    assert file_half_stars(music / CA_VA) is None


def test_ratings_between_plex_and_supysonic(supysonic: Supysonic, container: Container) -> None:
    music = supysonic.music
    with running_emulator(music=[Folder(str(music))]) as plex_server:
        plex = PlexServerClient(plex_server.url, plex_server.owner_token)
        section = next(s for s in plex.list_sections() if s.is_music)
        keys = {
            path: track.rating_key
            for track in plex.iter_tracks(section.section_id)
            for path in track.file_paths
        }
        plex.rate(keys[str(music / OOPS)], 6)  # 3★ in Plex
        ids = song_ids(supysonic)
        with supysonic_client(supysonic) as client:
            client.set_rating(ids[FIRST], 5)
        catalog = container.domains.libraries
        plex_library = catalog.add_library(
            kind=LibraryKind.PLEX_MUSIC, name="Plex",
            config={"base_url": plex_server.url, "section_ids": [section.section_id]},
            secret=plex_server.owner_token,
        )  # fmt: skip
        server = catalog.add_library(kind=LibraryKind.SUBSONIC, name="Supysonic",
                                     config=subsonic_config(supysonic),
                                     secret=supysonic.password)  # fmt: skip
        link = catalog.add_link(
            kind=LinkKind.RATINGS, library_a_id=plex_library.id, library_b_id=server.id
        )
        job = finished(container, container.link_runs.run(link.id))
        assert job.counters["pairs"] == 5  # every file both servers list (not the .wav)
        assert server_stars(supysonic)[OOPS] == 3
        assert plex.get_track(keys[str(music / FIRST)]).user_rating == 10
        again = finished(container, container.link_runs.run(link.id))
        assert writes(again) == (0, 0)
        plex.close()


def test_playlists_between_supysonic_and_m3u_files(
    supysonic: Supysonic, container: Container
) -> None:
    music = supysonic.music
    playlist_dir = music.parent / "playlists"
    playlist_dir.mkdir()
    ids = song_ids(supysonic)
    with supysonic_client(supysonic) as client:
        mix_id = client.create_playlist("Mix", [ids[FIRST], ids[CA_VA]])
        client.create_playlist("Mix", [ids[OOPS]])  # the same name: told apart by id
    catalog = container.domains.libraries
    server = catalog.add_library(
        kind=LibraryKind.SUBSONIC,
        name="Supysonic",
        config=subsonic_config(supysonic),
        secret=supysonic.password,
    )
    folder = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER,
        name="Music",
        config={"root": str(music), "playlist_dir": str(playlist_dir)},
    )
    link = catalog.add_link(kind=LinkKind.PLAYLISTS, library_a_id=server.id, library_b_id=folder.id)

    finished(container, container.link_runs.run(link.id, dry_run=True))
    assert list(playlist_dir.iterdir()) == []

    first = finished(container, container.link_runs.run(link.id))
    assert first.counters.get("created_b") == 2
    files = sorted(playlist_dir.iterdir())
    assert len(files) == 2
    mix_file = next(f for f in files if "01 First.flac" in f.read_text("utf-8"))
    text = mix_file.read_text("utf-8")
    assert text.index("01 First.flac") < text.index("1-01 Ça va.m4a")

    edited = [line for line in text.splitlines() if "Ça va" not in line]
    edited += ["../music/" + CAFE]
    mix_file.write_text("\n".join(edited) + "\n", "utf-8")
    edit = finished(container, container.link_runs.run(link.id))
    assert edit.counters.get("updated_a") == 1
    with supysonic_client(supysonic) as client:
        assert [s.song_id for s in client.playlist_songs(mix_id)] == [ids[FIRST], ids[CAFE]]
        assert len(client.playlists()) == 2  # the same playlist updated, none added

    again = finished(container, container.link_runs.run(link.id))
    changed = ("created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b")
    assert not any(again.counters.get(name, 0) for name in changed), again.counters

    finished(container, container.link_runs.undo(edit.id))
    with supysonic_client(supysonic) as client:
        assert [s.song_id for s in client.playlist_songs(mix_id)] == [ids[FIRST], ids[CA_VA]]
