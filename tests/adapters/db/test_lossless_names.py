"""Any file name through the repositories, on SQLite and PostgreSQL: file states (bulk
inserts), track links, conflicts' evidence and playlist pairs give back the same bytes for
non-UTF-8, NFC/NFD, 255-byte, newline and leading-dash names."""

from __future__ import annotations

import os
import unicodedata
from datetime import UTC, datetime

from app.adapters.db.engine import SessionFactory
from app.adapters.db.insights_repo import InsightsRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.playlist_repo import PlaylistRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.ratings.records import FileStateRecord, NewConflict, NewTrackLink

RAW_NAMES = [
    b"Caf\xe9/09 Caf\xe9.flac",
    "Café/Café.flac".encode(),
    unicodedata.normalize("NFD", "Café/Café.flac").encode(),
    b"x" * 249 + b".flac",
    b"new\nline.flac",
    b"-leading dash.flac",
    "\U0010fffd.flac".encode(),
]
NAMES = [os.fsdecode(raw) for raw in RAW_NAMES]


def _link(session_factory: SessionFactory) -> tuple[int, int]:
    libraries = LibraryRepository(session_factory)
    plex = libraries.add_library(kind="plex_music", name="Plex", config={}, secret="t")
    folder = libraries.add_library(kind="music_folder", name="Folder", config={}, secret=None)
    link = libraries.add_link(
        kind="ratings",
        library_a_id=plex.id,
        library_b_id=folder.id,
        direction="both",
        policy="ask",
        options={},
    )
    return link.id, folder.id


def test_file_states_keep_every_name(session_factory: SessionFactory) -> None:
    _, folder_id = _link(session_factory)
    repo = SyncRepository(session_factory)
    states = [
        FileStateRecord(
            name,
            size_bytes=i,
            mtime_ns=i,
            format="flac",
            tags=(("vorbis:title", name),),
            meta={"title": name, name: i},
        )
        for i, name in enumerate(NAMES)
    ]
    repo.save_file_states(folder_id, states, stored=())
    loaded = repo.file_states(folder_id)
    assert {os.fsencode(path) for path in loaded} == set(RAW_NAMES)
    for state in states:
        back = loaded[state.rel_path]
        assert back == state
        assert back.tags == (("vorbis:title", state.rel_path),)
        assert back.match_meta() == state.meta
    # Replacing and forgetting find the rows by the same names.
    repo.save_file_states(folder_id, states[:1], gone=NAMES[1:2])
    assert set(repo.file_states(folder_id)) == set(NAMES) - {NAMES[1]}


def test_track_links_and_conflicts_keep_every_name(session_factory: SessionFactory) -> None:
    link_id, _ = _link(session_factory)
    repo = SyncRepository(session_factory)
    ids = repo.add_track_links(
        link_id,
        [
            NewTrackLink(
                a_key=str(i), b_key=name, method="path", score=100.0, status="auto", b_label=name
            )
            for i, name in enumerate(NAMES)
        ],
    )
    links = {link.id: link for link in repo.track_links(link_id)}
    assert [os.fsencode(links[i].b_key) for i in ids] == RAW_NAMES
    assert [links[i].b_label for i in ids] == NAMES
    repo.record_conflicts(
        link_id=link_id,
        job_id=None,
        conflicts=[
            NewConflict(
                track_link_id=ids[0],
                value_a=2,
                value_b=4,
                baseline_known=False,
                baseline_rating=None,
                evidence={"b": NAMES[0], "paths": NAMES},
            )
        ],
    )
    (conflict,) = repo.conflicts(link_id=link_id)[0]
    assert conflict.evidence == {"b": NAMES[0], "paths": NAMES}


def test_playlist_pairs_keep_every_name(session_factory: SessionFactory) -> None:
    link_id, _ = _link(session_factory)
    repo = PlaylistRepository(session_factory)
    m3u_name = os.fsdecode(b"Caf\xe9 mix.m3u")
    pair = repo.add_pair(link_id, a_ref="101", b_ref=m3u_name, title="Caf\\xe9 mix")
    repo.update_pair(pair.id, baseline=NAMES)
    (back,) = repo.pairs(link_id)
    assert back.b_ref is not None and os.fsencode(back.b_ref) == b"Caf\xe9 mix.m3u"
    assert back.baseline is not None
    assert [os.fsencode(key) for key in back.baseline] == RAW_NAMES


def test_insights_count_items_with_any_name(session_factory: SessionFactory) -> None:
    link_id, folder_id = _link(session_factory)
    repo = SyncRepository(session_factory)
    ids = repo.add_track_links(
        link_id,
        [
            NewTrackLink(a_key=str(i), b_key=name, method="path", score=100.0, status="auto")
            for i, name in enumerate(NAMES)
        ],
    )
    repo.set_baselines([(track_link_id, 6) for track_link_id in ids], at=datetime.now(UTC))
    repo.save_file_states(
        folder_id,
        [FileStateRecord(name, 1, 1, "flac", (("vorbis:rating", "60"),), {}) for name in NAMES],
        stored=(),
    )
    insights = InsightsRepository(session_factory)
    assert insights.agreed_ratings()[folder_id] == {6: len(NAMES)}
    tally = insights.dialect_tally(folder_id)
    assert (tally.files, tally.tagged, tally.dialects) == (
        len(NAMES),
        len(NAMES),
        {"vorbis:rating": len(NAMES)},
    )


def test_libraries_links_and_mappings_keep_odd_folders(session_factory: SessionFactory) -> None:
    root = os.fsdecode(b"/srv/Caf\xe9 music")
    libraries = LibraryRepository(session_factory)
    folder = libraries.add_library(
        kind="music_folder", name=f"Folder {root}", config={"root": root}, secret=None
    )
    plex = libraries.add_library(
        kind="plex_music",
        name="Plex",
        config={},
        secret="t",
        path_mappings=[("/data/music", root)],
    )
    link = libraries.add_link(
        kind="playlists",
        library_a_id=plex.id,
        library_b_id=folder.id,
        direction="both",
        policy="ask",
        options={"playlist_dir": root},
    )
    back = libraries.library(folder.id)
    assert (back.name, back.config) == (f"Folder {root}", {"root": root})
    assert libraries.link(link.id).options == {"playlist_dir": root}
    ((plex_prefix, local_prefix),) = libraries.library(plex.id).path_mappings
    assert plex_prefix == "/data/music"
    assert os.fsencode(local_prefix) == b"/srv/Caf\xe9 music"
