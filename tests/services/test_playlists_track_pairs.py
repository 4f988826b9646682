"""A playlists link between two libraries that hold tracks: MediaMonkey ⇄ Plex (the emulator),
either way round, and Plex ⇄ a Subsonic server (the in-process emulator), through the real job
path. Entries are paired track to track (MediaMonkey's
mapped song paths and Plex's file paths, then tags), never through a folder of playlist files:
the dry run writes nothing (the database byte-identical), playlists travel both ways, a second
run writes nothing, an edit on Plex comes back into the same MediaMonkey playlist, and undo
restores it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.bootstrap import Container
from app.domain.errors import InvalidInput
from app.domain.jobs import JobStatus
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import LinkKind
from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds
from app.domain.ratings.records import NewTrackLink, TrackLinkRecord
from app.services.playlists.track_pairs import KnownPairs, TrackPairResolver, known_pairs
from app.services.ports import Reporter, SideEntry
from plex_emulator.builder import Folder
from plex_emulator.demo_files import DEFAULT_TRACKS
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library
from tests.fixtures.mediamonkey import build_mm_db, iunicode
from tests.services.mediamonkey_support import add_mediamonkey, digest, integrity, wait
from tests.services.ratings_support import RecordingReporter
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

            # both sides change the playlist: with policy "ask" a conflict, nothing written
            restored = server.library.playlists[navi_list.playlist_id]
            restored.song_ids = ["nd2"]
            server.library.touch(restored)
            with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
                owner.replace_playlist_items(on_plex["Navi list"][0], [keys["Oops"]])
            both = wait(container, container.link_runs.run(link.id))
            assert both.status is JobStatus.SUCCEEDED, both.error
            assert both.counters.get("conflicts") == 1
            assert restored.song_ids == ["nd2"]
            assert plex_playlists(emulator.url)["Navi list"][1] == ["Oops"]
    finally:
        stop()


# --- TrackPairResolver on its own, between two in-memory track sides ------------------------


@dataclass
class ListedTracks:
    """A track side whose library is a fixed list (a stand-in behind the TrackSide port)."""

    label: str
    tracks: dict[str, TrackInfo]
    listed: int = 0

    def track_catalog(self, reporter: Reporter) -> dict[str, TrackInfo]:
        self.listed += 1
        return self.tracks

    def track_entry(self, ident: str) -> SideEntry:
        return SideEntry(
            ident=ident, label=self.tracks[ident].title or ident, track=self.tracks[ident]
        )


def _track(
    ident: str,
    path: str,
    title: str,
    artist: str = "Artist",
    *,
    duration_s: float | None = None,
    mbid: str | None = None,
) -> TrackInfo:
    return TrackInfo(
        id=ident,
        path=path,
        title=title,
        artist=artist,
        album="Album",
        duration_s=duration_s,
        mbid=mbid,
    )


@pytest.mark.parametrize(
    ("a_track", "b_track", "paired", "why"),
    [
        (_track("1", "/m/x.flac", "X"), _track("k", "/m/x.flac", "Other"), True, None),
        (_track("1", "/m/x.flac", "X"), _track("k", "/M/X.flac", "Other"), True, None),
        (
            _track("1", "/m/x.flac", "Song", duration_s=200.0),
            _track("k", "D:/z.flac", "Song", duration_s=200.0),
            True,
            None,
        ),
        (
            _track("1", "/m/x.flac", "X", mbid="6524bc2d-3f58-4afa-9e06-00a651f5d813"),
            _track("k", "/n/y.flac", "Y", "B", mbid="6524bc2d-3f58-4afa-9e06-00a651f5d813"),
            True,
            None,
        ),
        (_track("1", "/m/x.flac", "Quiet"), _track("k", "/n/y.flac", "Loud", "Else"), False,
         "no track matches it"),
    ],
    ids=["same-path", "path-case", "tags", "mbid", "nothing"],
)  # fmt: skip
def test_an_entry_pairs_by_path_mbid_or_tags_both_ways(
    a_track: TrackInfo, b_track: TrackInfo, paired: bool, why: str | None
) -> None:
    side_a = ListedTracks("A", {a_track.id: a_track})
    side_b = ListedTracks("B", {b_track.id: b_track})
    resolver = TrackPairResolver(side_a, side_b, MatchThresholds())
    a_entry, b_entry = side_a.track_entry(a_track.id), side_b.track_entry(b_track.id)
    back = resolver.b_to_a([b_entry], RecordingReporter(), known=[a_entry])
    forth = resolver.a_to_b([a_entry], RecordingReporter())
    if paired:
        assert forth.found == {"1": b_entry} and back.found == {"k": a_entry}
    else:
        assert not forth.found and not back.found
        assert why is not None and why in forth.missing["1"] and why in back.missing["k"]
    assert side_a.listed + side_b.listed <= 4  # each library listed once per direction


def test_a_b_entry_goes_back_to_the_a_track_its_playlists_hold() -> None:
    """A holds the same song twice (a duplicate file); B's copy pairs with the one A's
    playlists hold, both ways, so a second run has nothing to write."""
    side_a = ListedTracks(
        "A",
        {
            "1": _track("1", "/a/1.mp3", "Song", duration_s=200.0),
            "2": _track("2", "/a/2.mp3", "Song", duration_s=200.0),
        },
    )
    side_b = ListedTracks("B", {"k": _track("k", "/b/k.mp3", "Song", duration_s=200.0)})
    resolver = TrackPairResolver(side_a, side_b, MatchThresholds())
    in_playlist = side_a.track_entry("2")
    back = resolver.b_to_a([side_b.track_entry("k")], RecordingReporter(), known=[in_playlist])
    forth = resolver.a_to_b([in_playlist], RecordingReporter())
    assert back.found["k"].ident == "2" and forth.found["2"].ident == "k"


def test_a_ratings_link_between_the_same_libraries_decides_which_track_is_which(
    container: Container, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The pairs a ratings link Plex (A) → MediaMonkey (B) holds come first for a playlists
    link MediaMonkey (A) → Plex (B): a pair a person confirmed is taken even against the tags,
    and one a person rejected is never made, even by path."""
    mm_db = build_mm_db(tmp_path / "MM.DB", version=4)
    music = write_library(tmp_path / "music", tmp_path_factory)
    songs = {title: str(pid) for pid, (title, _) in _mm_songs(mm_db).items()}
    catalog = container.domains.libraries
    with running_emulator(music=[Folder(str(music))]) as emulator:
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            section = next(s for s in owner.list_sections() if s.is_music)
            keys = {t.title: str(t.rating_key) for t in owner.iter_tracks(section.section_id)}
        plex = catalog.add_library(
            kind=LibraryKind.PLEX_MUSIC,
            name="Plex",
            config={"base_url": emulator.url, "section_ids": [section.section_id]},
            secret=OWNER_TOKEN,
        )
        mm = add_mediamonkey(container, mm_db, music)
        ratings = catalog.add_link(kind=LinkKind.RATINGS, library_a_id=plex.id, library_b_id=mm.id)
        container.domains.sync_repository.add_track_links(
            ratings.id,
            [
                NewTrackLink(keys["Wave"], songs["First"], "manual", 100.0, "confirmed"),
                NewTrackLink(keys["Oops"], songs["Oops"], "path", 100.0, "rejected"),
            ],
        )
        link = catalog.add_link(
            kind=LinkKind.PLAYLISTS,
            library_a_id=mm.id,
            library_b_id=plex.id,
            policy="ask",
            options={"playlists": ["Road trip"]},
        )
        job = wait(container, container.link_runs.run(link.id))
        assert job.status is JobStatus.SUCCEEDED, job.error
        assert job.counters.get("unmatched") == 1  # Oops: the rejected pair is never made
        assert plex_playlists(emulator.url)["Road trip"][1] == ["Wave", "Ça va"]

        # import/export name a side of files; between two libraries a direction says it
        refused = wait(container, container.link_runs.run(link.id, mode="import"))
        assert refused.status is JobStatus.FAILED and "use sync" in (refused.error or "")


def _mm_songs(db_path: Path) -> dict[int, tuple[str, str]]:
    """Song id → (title, path), read as a bystander would."""
    con = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.create_collation("IUNICODE", iunicode)
        rows = con.execute("SELECT ID, SongTitle, SongPath FROM Songs").fetchall()
        return {int(row[0]): (str(row[1]), str(row[2])) for row in rows}
    finally:
        con.close()


@pytest.mark.parametrize(
    ("known", "paired"),
    [
        (KnownPairs(), False),  # the tags differ: no pair
        (KnownPairs(paired=(("1", "k"),)), True),  # confirmed in the ratings link
        (KnownPairs(paired=(("1", "zz"),)), False),  # a pair of tracks gone is ignored
    ],
    ids=["none", "confirmed", "stale"],
)
def test_known_pairs_come_before_tags(known: KnownPairs, paired: bool) -> None:
    side_a = ListedTracks("A", {"1": _track("1", "/a/1.mp3", "Quiet")})
    side_b = ListedTracks("B", {"k": _track("k", "/b/k.mp3", "Loud", "Else")})
    resolver = TrackPairResolver(side_a, side_b, MatchThresholds(), known)
    back = resolver.b_to_a([side_b.track_entry("k")], RecordingReporter(), known=[])
    forth = resolver.a_to_b([side_a.track_entry("1")], RecordingReporter())
    assert ("k" in back.found, "1" in forth.found) == (paired, paired)


def test_a_rejected_pair_is_never_made_even_by_path() -> None:
    same = "/m/x.flac"
    side_a = ListedTracks("A", {"1": _track("1", same, "X")})
    side_b = ListedTracks("B", {"k": _track("k", same, "X")})
    resolver = TrackPairResolver(
        side_a, side_b, MatchThresholds(), KnownPairs(rejected=(("1", "k"),))
    )
    assert not resolver.b_to_a([side_b.track_entry("k")], RecordingReporter()).found
    assert not resolver.a_to_b([side_a.track_entry("1")], RecordingReporter()).found


@dataclass
class StoredLinks:
    """Track links by ratings link id (a stand-in behind the TrackLinkStore port)."""

    by_link: dict[int, list[TrackLinkRecord]]

    def track_links(self, link_id: int, *, status: str | None = None) -> list[TrackLinkRecord]:
        return self.by_link.get(link_id, [])


def _stored(link_id: int, a_key: str, b_key: str, status: str) -> TrackLinkRecord:
    return TrackLinkRecord(
        id=0, link_id=link_id, a_key=a_key, b_key=b_key, method="path", score=100.0,
        status=status, baseline_known=False, baseline_rating=None,
    )  # fmt: skip


def _ratings_link(link_id: int, a_id: int, b_id: int) -> LinkRecord:
    return LinkRecord(
        id=link_id, kind=LinkKind.RATINGS, library_a_id=a_id, library_b_id=b_id,
        direction="both", policy="ask", options={}, schedule=None, enabled=True,
        created_at=datetime(2026, 1, 1, tzinfo=UTC), updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def test_known_pairs_read_every_ratings_link_between_the_two_libraries_either_way() -> None:
    store = StoredLinks(
        {
            1: [_stored(1, "a1", "b1", "auto"), _stored(1, "a2", "b2", "review")],
            2: [_stored(2, "b3", "a3", "confirmed"), _stored(2, "b4", "a4", "rejected")],
            3: [_stored(3, "x", "y", "auto")],  # another pair of libraries
        }
    )
    links = [_ratings_link(1, 10, 20), _ratings_link(2, 20, 10), _ratings_link(3, 10, 30)]
    known = known_pairs(store, links, 10, 20)
    assert known == KnownPairs(paired=(("a1", "b1"), ("a3", "b3")), rejected=(("a4", "b4"),))
