"""MediaMonkey's static playlists ⇄ M3U files through the real job path, on the MM4- and
MM5-shaped databases: nested ones travel as ``Parent/Child``, auto-playlists are never
touched, playlist ids are kept, a second run writes nothing, undo restores the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.bootstrap import Container
from app.domain.jobs import JobStatus
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind
from plex_emulator.builder import Folder
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library
from tests.fixtures.mediamonkey import build_mm_db, iunicode
from tests.services.mediamonkey_support import (
    CAFE,
    FIRST,
    add_mediamonkey,
    backups_of,
    digest,
    integrity,
    wait,
)


@pytest.fixture(params=[4, 5], ids=["mm4", "mm5"])
def mm_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = "MM5.DB" if request.param == 5 else "MM.DB"
    (tmp_path / "mm").mkdir()
    return build_mm_db(tmp_path / "mm" / name, version=request.param)


def mm_playlists(db_path: Path) -> dict[str, tuple[int, bool, list[str]]]:
    """Playlist name → (id, auto?, song titles in order)."""
    con = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.create_collation("IUNICODE", iunicode)
        found: dict[str, tuple[int, bool, list[str]]] = {}
        for pid, name, auto in con.execute(
            "SELECT IDPlaylist, PlaylistName, IsAutoPlaylist FROM Playlists"
        ):
            titles = [
                row[0]
                for row in con.execute(
                    "SELECT s.SongTitle FROM PlaylistSongs p JOIN Songs s ON s.ID = p.IDSong"
                    " WHERE p.IDPlaylist = ? ORDER BY p.SongOrder",
                    (pid,),
                )
            ]
            found[name] = (pid, bool(auto), titles)
        return found
    finally:
        con.close()


def test_mediamonkey_playlists_and_m3u_files_both_ways(
    container: Container, mm_db: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    music = write_library(tmp_path / "music", tmp_path_factory)
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    (playlists / "Mix.m3u").write_text(f"{music / CAFE}\n{music / FIRST}\n", "utf-8")
    catalog = container.domains.libraries
    mm = add_mediamonkey(container, mm_db, music)
    folder = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER, name="Music", config={"root": str(music)}
    )
    link = catalog.add_link(
        kind=LinkKind.PLAYLISTS,
        library_a_id=mm.id,
        library_b_id=folder.id,
        policy="ask",
        options={"playlist_dir": str(playlists)},
    )
    before = mm_playlists(mm_db)
    digest_before = digest(mm_db)
    dry = wait(container, container.link_runs.run(link.id, dry_run=True))
    assert dry.status is JobStatus.SUCCEEDED, dry.error
    assert digest(mm_db) == digest_before and sorted(p.name for p in playlists.iterdir()) == [
        "Mix.m3u"
    ]

    job = wait(container, container.link_runs.run(link.id))
    assert job.status is JobStatus.SUCCEEDED, job.error
    after = mm_playlists(mm_db)
    assert after["Mix"][2] == ["Café & Crema", "First"]  # M3U → MediaMonkey
    road_trip = (playlists / "Road trip.m3u8").read_text("utf-8")
    assert [line for line in road_trip.splitlines() if not line.startswith("#")] == [
        "../music/Artist/Album/01 First.flac",
        "../music/Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a",
        "../music/Various Artists/Hits/03 Oops.opus",
    ]  # MediaMonkey → M3U, the UNC song mapped too
    names = sorted(p.name for p in playlists.iterdir())
    assert not any("Top rated" in n for n in names)  # auto: never synced
    assert "#PLAYLIST:Moods/Calm" in (playlists / "Moods_Calm.m3u8").read_text("utf-8")
    assert after["Top rated"] == before["Top rated"] and after["Moods"] == before["Moods"]
    assert len(backups_of(mm_db)) == 1 and integrity(mm_db) == "ok"

    written = digest(mm_db)
    again = wait(container, container.link_runs.run(link.id))
    assert again.status is JobStatus.SUCCEEDED, again.error
    assert digest(mm_db) == written

    (playlists / "Road trip.m3u8").write_text(f"{music / CAFE}\n", "utf-8")
    edit = wait(container, container.link_runs.run(link.id))
    assert edit.status is JobStatus.SUCCEEDED, edit.error
    edited = mm_playlists(mm_db)
    assert edited["Road trip"] == (before["Road trip"][0], False, ["Café & Crema"])  # id kept

    undo = wait(container, container.link_runs.undo(edit.id))
    assert undo.status is JobStatus.SUCCEEDED, undo.error
    assert mm_playlists(mm_db)["Road trip"] == before["Road trip"]
    assert integrity(mm_db) == "ok"


def test_mediamonkey_and_plex_playlists_meet_in_one_folder_of_m3u_files(
    container: Container, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """MediaMonkey ⇄ Plex through two links to one folder of M3U files (the direct link is in
    test_playlists_track_pairs): MediaMonkey's playlist reaches Plex, and Plex's edit comes
    back."""
    mm_db = build_mm_db(tmp_path / "MM.DB", version=4)
    music = write_library(tmp_path / "music", tmp_path_factory)
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    catalog = container.domains.libraries
    with running_emulator(music=[Folder(str(music))]) as emulator:
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            section = next(s for s in owner.list_sections() if s.is_music)
            keys = {t.title: t.rating_key for t in owner.iter_tracks(section.section_id)}
        plex = catalog.add_library(
            kind=LibraryKind.PLEX_MUSIC,
            name="Plex",
            config={"base_url": emulator.url, "section_ids": [section.section_id]},
            secret=OWNER_TOKEN,
        )
        mm = add_mediamonkey(container, mm_db, music)
        folder = catalog.add_library(
            kind=LibraryKind.MUSIC_FOLDER, name="Music", config={"root": str(music)}
        )
        links = [
            catalog.add_link(
                kind=LinkKind.PLAYLISTS,
                library_a_id=a.id,
                library_b_id=folder.id,
                policy="ask",
                options={"playlist_dir": str(playlists), "playlists": ["Road trip"]},
            ).id
            for a in (mm, plex)
        ]
        for link_id in links:  # MediaMonkey → M3U → Plex
            job = wait(container, container.link_runs.run(link_id))
            assert job.status is JobStatus.SUCCEEDED, job.error
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            road_trip = next(p for p in owner.list_audio_playlists() if p.title == "Road trip")
            items = owner.playlist_items(road_trip.playlist_id)
            assert [i.track.title for i in items] == ["First", "Ça va", "Oops"]
            owner.replace_playlist_items(road_trip.playlist_id, [keys["Oops"], keys["Wave"]])
        for link_id in reversed(links):  # Plex → M3U → MediaMonkey
            job = wait(container, container.link_runs.run(link_id))
            assert job.status is JobStatus.SUCCEEDED, job.error
    assert mm_playlists(mm_db)["Road trip"][2] == ["Oops", "Wave"]
    assert integrity(mm_db) == "ok"
