"""A playlists link between two libraries that hold tracks: MediaMonkey ⇄ Plex (the emulator),
either way round, and Plex ⇄ a Subsonic server (the in-process emulator), through the real job
path. Entries are paired track to track (MediaMonkey's
mapped song paths and Plex's file paths, then tags), never through a folder of playlist files:
the dry run writes nothing (the database byte-identical), playlists travel both ways, a second
run writes nothing, an edit on Plex comes back into the same MediaMonkey playlist, and undo
restores it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.bootstrap import Container
from app.domain.errors import InvalidInput
from app.domain.jobs import JobStatus
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import LinkKind
from plex_emulator.builder import Folder
from plex_emulator.demo_files import DEFAULT_TRACKS
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library
from tests.fixtures.mediamonkey import build_mm_db
from tests.services.mediamonkey_support import add_mediamonkey, digest, integrity, wait
from tests.services.test_mediamonkey_playlists import mm_playlists
from tests.subsonic_emulator import EmulatorSong, SubsonicEmulator, serve

WRITES = ("created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b")


def plex_playlists(url: str) -> dict[str, tuple[int, list[str]]]:
    """Plex playlist title → (id, track titles in order)."""
    with PlexServerClient(url, OWNER_TOKEN) as owner:
        return {
            p.title: (p.playlist_id, [i.track.title for i in owner.playlist_items(p.playlist_id)])
            for p in owner.list_audio_playlists()
        }


@pytest.mark.parametrize(
    ("version", "mediamonkey_side"), [(5, "A"), (4, "B")], ids=["mm5-plex", "plex-mm4"]
)
def test_mediamonkey_and_plex_playlists_both_ways_without_files(
    container: Container,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    version: int,
    mediamonkey_side: str,
) -> None:
    (tmp_path / "mm").mkdir()
    mm_db = build_mm_db(tmp_path / "mm" / ("MM5.DB" if version == 5 else "MM.DB"), version=version)
    music = write_library(tmp_path / "music", tmp_path_factory)
    catalog = container.domains.libraries
    with running_emulator(music=[Folder(str(music))]) as emulator:
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            section = next(s for s in owner.list_sections() if s.is_music)
            keys = {t.title: t.rating_key for t in owner.iter_tracks(section.section_id)}
            owner.create_playlist("Plex mix", section.section_id, [keys["Oops"], keys["Wave"]])
        plex = catalog.add_library(
            kind=LibraryKind.PLEX_MUSIC,
            name="Plex",
            config={"base_url": emulator.url, "section_ids": [section.section_id]},
            secret=OWNER_TOKEN,
        )
        mm = add_mediamonkey(container, mm_db, music)
        a, b = (mm, plex) if mediamonkey_side == "A" else (plex, mm)
        link = catalog.add_link(
            kind=LinkKind.PLAYLISTS, library_a_id=a.id, library_b_id=b.id, policy="ask"
        )
        before = mm_playlists(mm_db)
        plex_before = plex_playlists(emulator.url)
        digest_before = digest(mm_db)

        dry = wait(container, container.link_runs.run(link.id, dry_run=True))
        assert dry.status is JobStatus.SUCCEEDED, dry.error
        assert dry.counters.get("created_a", 0) + dry.counters.get("created_b", 0) == 3
        assert digest(mm_db) == digest_before  # byte-identical
        assert plex_playlists(emulator.url) == plex_before

        job = wait(container, container.link_runs.run(link.id))
        assert job.status is JobStatus.SUCCEEDED, job.error
        assert job.counters.get("errors") == 2  # MediaMonkey's auto-playlist and folder, unread
        on_plex = plex_playlists(emulator.url)
        assert on_plex["Road trip"][1] == ["First", "Ça va", "Oops"]  # the UNC song too
        assert on_plex["Moods/Calm"][1] == ['Zweite "Seite"', "Café & Crema"]
        assert "Top rated" not in on_plex and "Moods" not in on_plex  # auto, folder: left alone
        after = mm_playlists(mm_db)
        assert after["Plex mix"][2] == ["Oops", "Wave"]  # Plex → MediaMonkey
        assert after["Road trip"] == before["Road trip"]
        assert after["Top rated"] == before["Top rated"]
        assert integrity(mm_db) == "ok"

        written = digest(mm_db)
        again = wait(container, container.link_runs.run(link.id))
        assert again.status is JobStatus.SUCCEEDED, again.error
        assert not any(again.counters.get(name) for name in WRITES), again.counters
        assert digest(mm_db) == written
        assert plex_playlists(emulator.url) == on_plex

        road_trip_id = on_plex["Road trip"][0]
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            owner.replace_playlist_items(road_trip_id, [keys["Wave"], keys["First"]])
        edit = wait(container, container.link_runs.run(link.id))
        assert edit.status is JobStatus.SUCCEEDED, edit.error
        edited = mm_playlists(mm_db)
        assert edited["Road trip"] == (before["Road trip"][0], False, ["Wave", "First"])  # id kept
        assert plex_playlists(emulator.url)["Road trip"] == (road_trip_id, ["Wave", "First"])

        undo = wait(container, container.link_runs.undo(edit.id))
        assert undo.status is JobStatus.SUCCEEDED, undo.error
        assert mm_playlists(mm_db)["Road trip"] == before["Road trip"]
        assert integrity(mm_db) == "ok"


def _libraries(container: Container, tmp_path: Path) -> dict[str, LibraryRecord]:
    catalog = container.domains.libraries
    mm = add_mediamonkey(container, build_mm_db(tmp_path / "MM.DB", version=4), tmp_path)
    plex = catalog.add_library(
        kind=LibraryKind.PLEX_MUSIC,
        name="Plex",
        config={"base_url": "http://127.0.0.1:9", "section_ids": [1]},
        secret=OWNER_TOKEN,
    )
    folder = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER,
        name="Music",
        config={"root": str(tmp_path), "playlist_dir": str(tmp_path / "lists")},
    )
    return {"mm": mm, "plex": plex, "folder": folder}


@pytest.mark.parametrize(
    ("side_a", "side_b", "options", "error"),
    [
        ("plex", "mm", {}, None),
        ("mm", "plex", {}, None),
        ("plex", "mm", {"playlist_dir": "/srv/lists"}, "for a side B that holds playlist files"),
        ("plex", "mm", {"absolute_paths": True}, "for a side B that holds playlist files"),
        ("folder", "plex", {}, "holds playlist files: make it side B"),
        ("mm", "folder", {}, None),  # unchanged: a folder of playlist files as side B
    ],
    ids=["plex-mm", "mm-plex", "playlist-dir", "absolute-paths", "folder-plex", "mm-folder"],
)
def test_which_playlists_links_are_valid(
    container: Container,
    tmp_path: Path,
    side_a: str,
    side_b: str,
    options: dict[str, object],
    error: str | None,
) -> None:
    libraries = _libraries(container, tmp_path)
    a_id, b_id = libraries[side_a].id, libraries[side_b].id

    def add() -> LinkRecord:
        return container.domains.libraries.add_link(
            kind=LinkKind.PLAYLISTS,
            library_a_id=a_id,
            library_b_id=b_id,
            policy="ask",
            options=options,
        )

    if error is None:
        link = add()
        assert (link.library_a_id, link.library_b_id) == (a_id, b_id)
    else:
        with pytest.raises(InvalidInput, match=error):
            add()


def test_plex_and_a_navidrome_like_server_pair_tracks_by_mbid_and_tags(
    container: Container, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Plex (A) ⇄ a Subsonic server with made-up paths (B): songs pair with Plex tracks by
    MusicBrainz id and tags; a smart playlist of the server is left alone."""
    music = write_library(tmp_path / "music", tmp_path_factory)
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
                real_path=f"/elsewhere/{track.relative_path}",
                suffix=track.relative_path.rsplit(".", 1)[-1],
                mbid=track.mbid_recording or "",
            )
        )
    navi_list = server.library.add_playlist("alice", "Navi list", ["nd1", "nd0"])
    smart = server.library.add_playlist("alice", "Smart", ["nd2"], readonly=True)
    url, stop = serve(server)
    catalog = container.domains.libraries
    try:
        with running_emulator(music=[Folder(str(music))]) as emulator:
            with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
                section = next(s for s in owner.list_sections() if s.is_music)
                keys = {t.title: t.rating_key for t in owner.iter_tracks(section.section_id)}
                owner.create_playlist("Plex mix", section.section_id, [keys["Oops"], keys["Wave"]])
            plex = catalog.add_library(
                kind=LibraryKind.PLEX_MUSIC,
                name="Plex",
                config={"base_url": emulator.url, "section_ids": [section.section_id]},
                secret=OWNER_TOKEN,
            )
            navi = catalog.add_library(
                kind=LibraryKind.SUBSONIC, name="Navidrome",
                config={"base_url": url, "user": "alice", "max_requests_per_s": 0}, secret="pw",
            )  # fmt: skip
            link = catalog.add_link(
                kind=LinkKind.PLAYLISTS, library_a_id=plex.id, library_b_id=navi.id, policy="ask"
            )
            plex_before = plex_playlists(emulator.url)

            dry = wait(container, container.link_runs.run(link.id, dry_run=True))
            assert dry.status is JobStatus.SUCCEEDED, dry.error
            assert "createPlaylist" not in server.log
            assert plex_playlists(emulator.url) == plex_before

            job = wait(container, container.link_runs.run(link.id))
            assert job.status is JobStatus.SUCCEEDED, job.error
            assert not job.counters.get("errors") and not job.counters.get("unmatched")
            on_plex = plex_playlists(emulator.url)
            assert on_plex["Navi list"][1] == ["Café & Crema", "First"]
            assert "Smart" not in on_plex
            by_name = {p.name: p for p in server.library.playlists.values()}
            assert by_name["Plex mix"].song_ids == ["nd4", "nd5"]
            assert smart.song_ids == ["nd2"]

            writes = server.log.count("createPlaylist")
            again = wait(container, container.link_runs.run(link.id))
            assert again.status is JobStatus.SUCCEEDED, again.error
            assert not any(again.counters.get(name) for name in WRITES), again.counters
            assert server.log.count("createPlaylist") == writes
            assert plex_playlists(emulator.url) == on_plex

            with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
                owner.replace_playlist_items(on_plex["Navi list"][0], [keys["Wave"]])
            edit = wait(container, container.link_runs.run(link.id))
            assert edit.status is JobStatus.SUCCEEDED, edit.error
            assert server.library.playlists[navi_list.playlist_id].song_ids == ["nd5"]  # id kept

            undo = wait(container, container.link_runs.undo(edit.id))
            assert undo.status is JobStatus.SUCCEEDED, undo.error
            assert server.library.playlists[navi_list.playlist_id].song_ids == ["nd1", "nd0"]
    finally:
        stop()
