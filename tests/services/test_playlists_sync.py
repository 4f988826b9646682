"""End to end: real tagged files, the Plex emulator, real playlist files, a real database, the
playlists sync."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.adapters.db import migrate
from app.adapters.db.engine import SessionFactory, create_db_engine, create_session_factory
from app.domain.errors import InvalidInput
from app.domain.links import Mode
from app.services.libraries.service import LibraryCatalog
from plex_emulator.knobs import Fault
from tests.services.playlists_support import (
    CA_VA,
    CAFE,
    FIRST,
    OOPS,
    WAVE,
    ZWEITE,
    PlaylistsWorld,
    playlists_world,
)
from tests.services.ratings_support import RecordingReporter


@pytest.fixture
def sessions(sqlite_url: str) -> Iterator[SessionFactory]:
    """SQLite only: the one end-to-end test below also runs on PostgreSQL."""
    engine = create_db_engine(sqlite_url)
    try:
        migrate.upgrade(engine)
        yield create_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def world(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> Iterator[PlaylistsWorld]:
    with playlists_world(tmp_path, tmp_path_factory, sessions) as built:
        yield built


@pytest.fixture
def world_any_db(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, session_factory: SessionFactory
) -> Iterator[PlaylistsWorld]:
    with playlists_world(tmp_path, tmp_path_factory, session_factory) as built:
        yield built


def test_plex_to_m3u8_then_the_edited_file_goes_back_to_plex_keeping_its_id(
    world_any_db: PlaylistsWorld,
) -> None:
    world = world_any_db
    playlist_id = world.create_plex_playlist("Road Trip", FIRST, CAFE, CA_VA, OOPS)

    summary, _ = world.run()

    assert summary.created_b == 1
    path = world.playlists / "Road Trip.m3u8"
    text = path.read_text("utf-8")
    assert text.startswith("#EXTM3U\n#PLAYLIST:Road Trip\n")
    assert "#EXTINF:0,Artist - First\n../music/Artist/Album/01 First.flac\n" in text
    assert world.file_paths("Road Trip.m3u8") == world.local(FIRST, CAFE, CA_VA, OOPS)

    # reordered, one removed (CAFE), one added (WAVE, a bare relative line)
    lines = text.splitlines()
    first = lines[2:4]
    ca_va = lines[6:8]
    oops = lines[8:10]
    path.write_text(
        "\n".join(["#EXTM3U", *oops, *first, "../music/Various Artists/Hits/04 Wave.wav", *ca_va])
        + "\n",
        "utf-8",
    )
    world.emulator.log.clear()

    summary, reporter = world.run()

    assert summary.updated_a == 1 and summary.updated_b == 0
    assert world.plex_titles() == {"Road Trip": playlist_id}
    assert world.plex_items(playlist_id) == world.keys(OOPS, FIRST, WAVE, CA_VA)
    assert {event["action"] for event in reporter.events} >= {
        "entry_added",
        "entry_removed",
        "entry_moved",
        "playlist_update",
    }

    world.emulator.log.clear()
    summary, reporter = world.run()
    assert summary.unchanged == 1
    assert world.changing_requests() == []
    assert reporter.events == []


def musicbee_bytes() -> bytes:
    """A playlist as MusicBee writes it on Windows: #EXTM3U, #EXTINF, relative backslash paths,
    cp1252 (a Latin-1 superset), CRLF."""
    lines = [
        "#EXTM3U",
        "#EXTINF:215,Björk & Friends - Ça va",
        r"..\music\Björk & Friends\Ünïcødé Album\1-01 Ça va.m4a",
        "#EXTINF:190,Artist - Café & Crema",
        r"..\music\Artist\Album\02 Café & Crema.mp3",
        "#EXTINF:180,Other Artist - Wave",
        r"..\music\Various Artists\Hits\04 Wave.wav",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def foobar_bytes() -> bytes:
    """foobar2000's plain .m3u: one relative Windows path per line, no directives, Latin-1."""
    lines = [
        r"..\music\Björk & Friends\Ünïcødé Album\2-01 Zweite <Seite>.ogg",
        r"..\music\Artist\Album\01 First.flac",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def test_m3u_files_written_by_musicbee_and_foobar2000_import(world: PlaylistsWorld) -> None:
    (world.playlists / "Sunday.m3u").write_bytes(musicbee_bytes())
    (world.playlists / "Foo Mix.m3u").write_bytes(foobar_bytes())

    summary, reporter = world.run(Mode.IMPORT)

    assert summary.created_a == 2 and summary.unmatched == 0, reporter.events
    titles = world.plex_titles()
    assert world.plex_items(titles["Sunday"]) == world.keys(CA_VA, CAFE, WAVE)
    assert world.plex_items(titles["Foo Mix"]) == world.keys(ZWEITE, FIRST)
    assert (world.playlists / "Sunday.m3u").read_bytes() == musicbee_bytes()


def test_a_rewritten_m3u_keeps_its_encoding_and_line_ends(world: PlaylistsWorld) -> None:
    (world.playlists / "Sunday.m3u").write_bytes(musicbee_bytes())
    world.run()
    playlist_id = world.plex_titles()["Sunday"]
    world.client.replace_playlist_items(playlist_id, world.keys(CA_VA, WAVE, OOPS))

    summary, _ = world.run()

    assert summary.updated_b == 1
    data = (world.playlists / "Sunday.m3u").read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert "Ünïcødé".encode("cp1252") in data
    assert b"..\\music\\Various Artists\\Hits\\03 Oops.opus\r\n" in data
    assert world.file_paths("Sunday.m3u") == world.local(CA_VA, WAVE, OOPS)


def test_unmatched_entries_are_reported_and_stay_in_place(world: PlaylistsWorld) -> None:
    (world.playlists / "Mixed.m3u8").write_text(
        "#EXTM3U\n"
        "../music/Artist/Album/01 First.flac\n"
        "#EXTINF:200,Someone - Streamed\n"
        "http://radio.example/stream.mp3\n"
        "../music/Artist/Album/99 Missing.flac\n"
        "../music/Various Artists/Hits/03 Oops.opus\n",
        "utf-8",
    )

    summary, reporter = world.run()

    assert summary.created_a == 1
    assert summary.unmatched == 2
    unmatched = reporter.actions("entry_unmatched")
    assert {event["after"] for event in unmatched} == {
        "http://radio.example/stream.mp3",
        str(world.music / "Artist/Album/99 Missing.flac"),
    }
    assert all(event["subject"] == "Mixed" for event in unmatched)
    playlist_id = world.plex_titles()["Mixed"]
    assert world.plex_items(playlist_id) == world.keys(FIRST, OOPS)

    # Plex gains a track after FIRST: the file follows; the others stay after FIRST
    world.client.replace_playlist_items(playlist_id, world.keys(FIRST, WAVE, OOPS))
    summary, reporter = world.run()

    assert summary.updated_b == 1 and summary.unmatched == 2
    assert world.file_paths("Mixed.m3u8") == [
        str(world.music / FIRST),
        "http://radio.example/stream.mp3",
        str(world.music / "Artist/Album/99 Missing.flac"),
        str(world.music / WAVE),
        str(world.music / OOPS),
    ]

    # FIRST goes from Plex (and WAVE moves to the end): the others keep their place at the top
    world.client.replace_playlist_items(playlist_id, world.keys(OOPS, WAVE))
    world.run()
    assert world.file_paths("Mixed.m3u8") == [
        "http://radio.example/stream.mp3",
        str(world.music / "Artist/Album/99 Missing.flac"),
        str(world.music / OOPS),
        str(world.music / WAVE),
    ]
    assert world.plex_items(playlist_id) == world.keys(OOPS, WAVE)


def test_smart_playlists_are_never_touched(world: PlaylistsWorld) -> None:
    state = world.emulator.state
    smart = state.playlist_store.create(
        state.owner,
        title="Five Stars",
        playlist_type="audio",
        smart=True,
        uri=f"server://{state.machine_identifier}/com.plexapp.plugins.library"
        f"/library/sections/{world.section_id}/all?type=10",
    )
    world.create_plex_playlist("Dumb", FIRST)
    world.emulator.log.clear()

    summary, _ = world.run()

    assert summary.created_b == 1
    assert sorted(p.name for p in world.playlists.iterdir()) == ["Dumb.m3u8"]
    touched = {
        entry.path.split("/")[2]
        for entry in world.emulator.log.entries()
        if entry.path.startswith("/playlists/")
    }
    assert str(smart.playlist_id) not in touched and touched  # the dumb one was read
    assert smart.content is not None and state.playlists[smart.playlist_id].smart


def test_a_dry_run_writes_nothing_and_reports_the_plan(world: PlaylistsWorld) -> None:
    playlist_id = world.create_plex_playlist("Road Trip", FIRST, CAFE, OOPS)
    world.run()
    (world.playlists / "Road Trip.m3u8").write_text(
        "#EXTM3U\n../music/Various Artists/Hits/03 Oops.opus\n../music/Artist/Album/01 First.flac\n"
        "../music/Various Artists/Hits/04 Wave.wav\nhttp://radio.example/live\n",
        "utf-8",
    )
    world.create_plex_playlist("Brand New", CA_VA)
    (world.playlists / "Only Here.m3u8").write_text("../music/Artist/Album/01 First.flac\n")
    before = world.digest()
    pairs_before = world.services.repository.pairs(world.link.id)
    world.emulator.log.clear()

    summary, reporter = world.run(dry_run=True)

    assert world.digest() == before
    assert world.changing_requests() == []
    assert world.services.repository.pairs(world.link.id) == pairs_before
    assert summary.updated_a == 1 and summary.created_a == 1 and summary.created_b == 1
    plan = {
        (event["action"], event["before"], event["after"])
        for event in reporter.events
        if event["subject"] == "Road Trip"
    }
    assert ("entry_removed", "2. Artist – Café & Crema", None) in plan
    assert ("entry_added", None, "3. Other Artist – Wave") in plan
    assert ("entry_moved", "3. Track Artist – Oops", "1. Track Artist – Oops") in plan
    assert any(action == "entry_unmatched" for action, _, _ in plan)
    created = [e["detail"] for e in reporter.actions("playlist_create")]
    assert any("as Brand New.m3u8" in str(detail) for detail in created)
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE, OOPS)


def test_changed_on_both_sides_is_a_conflict_until_a_person_chooses(
    world: PlaylistsWorld,
) -> None:
    playlist_id = world.create_plex_playlist("Road Trip", FIRST, CAFE)
    world.run()
    world.client.replace_playlist_items(playlist_id, world.keys(FIRST, CAFE, OOPS))
    (world.playlists / "Road Trip.m3u8").write_text("../music/Various Artists/Hits/04 Wave.wav\n")

    summary, _ = world.run()

    assert summary.conflicts == 1
    conflicts, total = world.services.review.conflicts(link_id=world.link.id)
    assert total == 1
    conflict = conflicts[0]
    assert [entry.label for entry in conflict.a_entries] == [
        "Artist – First",
        "Artist – Café & Crema",
        "Track Artist – Oops",
    ]
    assert [entry.label for entry in conflict.b_entries] == ["Other Artist – Wave"]
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE, OOPS)  # untouched

    world.run()  # still a conflict, still one row
    assert world.services.review.conflicts(link_id=world.link.id)[1] == 1

    world.services.review.resolve(conflict.id, "keep_b")
    summary, _ = world.run()

    assert summary.updated_a == 1
    assert world.plex_items(playlist_id) == world.keys(WAVE)
    assert world.services.review.conflicts(link_id=world.link.id)[1] == 0


@pytest.mark.parametrize(
    ("policy", "expected"), [("prefer_a", [FIRST, OOPS]), ("prefer_b", [WAVE])]
)
def test_a_policy_settles_changes_on_both_sides(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    sessions: SessionFactory,
    policy: str,
    expected: list[str],
) -> None:
    with playlists_world(tmp_path, tmp_path_factory, sessions, policy=policy) as world:
        playlist_id = world.create_plex_playlist("Mix", FIRST)
        world.run()
        world.client.replace_playlist_items(playlist_id, world.keys(FIRST, OOPS))
        (world.playlists / "Mix.m3u8").write_text("../music/Various Artists/Hits/04 Wave.wav\n")

        summary, _ = world.run()

        assert summary.conflicts == 0
        assert world.plex_items(playlist_id) == world.keys(*expected)
        assert world.file_paths("Mix.m3u8") == world.local(*expected)


def test_a_first_run_with_different_copies_is_a_conflict_under_ask(world: PlaylistsWorld) -> None:
    playlist_id = world.create_plex_playlist("Mix", FIRST)
    (world.playlists / "mix.m3u8").write_text("../music/Various Artists/Hits/04 Wave.wav\n")

    summary, _ = world.run()

    assert summary.conflicts == 1 and summary.created_a == summary.created_b == 0
    assert world.plex_items(playlist_id) == world.keys(FIRST)


def test_deletion_is_propagated_only_when_the_link_deletes(world: PlaylistsWorld) -> None:
    keep_id = world.create_plex_playlist("Keep", FIRST)
    gone_id = world.create_plex_playlist("Gone", OOPS)
    world.run()
    (world.playlists / "Keep.m3u8").unlink()
    world.client.delete_playlist(gone_id)

    summary, reporter = world.run()

    assert summary.skipped == 2 and summary.deleted_a == summary.deleted_b == 0
    assert {event["subject"] for event in reporter.actions("playlist_kept")} == {"Keep", "Gone"}
    assert (world.playlists / "Gone.m3u8").exists()
    assert not (world.playlists / "Keep.m3u8").exists()  # not re-created either
    summary, _ = world.run()
    assert summary.created_a == summary.created_b == 0

    world.set_options(delete=True)
    summary, _ = world.run()

    assert summary.deleted_a == 1 and summary.deleted_b == 1
    assert not (world.playlists / "Gone.m3u8").exists()
    assert keep_id not in world.plex_titles().values()


def test_a_kept_playlist_that_changes_comes_back(world: PlaylistsWorld) -> None:
    playlist_id = world.create_plex_playlist("Keep", FIRST)
    world.run()
    (world.playlists / "Keep.m3u8").unlink()
    world.run()
    world.client.replace_playlist_items(playlist_id, world.keys(FIRST, WAVE))

    summary, _ = world.run()

    assert summary.created_b == 1
    assert world.file_paths("Keep.m3u8") == world.local(FIRST, WAVE)


def test_append_only_adds_what_is_missing(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> None:
    options = {"mode": "append"}
    with playlists_world(tmp_path, tmp_path_factory, sessions, options=options) as world:
        playlist_id = world.create_plex_playlist("Mix", FIRST, CAFE)
        (world.playlists / "Mix.m3u8").write_text(
            "../music/Artist/Album/02 Café & Crema.mp3\n../music/Various Artists/Hits/04 Wave.wav\n"
        )

        world.run()

        assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE, WAVE)
        assert world.file_paths("Mix.m3u8") == world.local(CAFE, WAVE, FIRST)
        world.client.replace_playlist_items(playlist_id, world.keys(CAFE))
        world.run()
        assert world.plex_items(playlist_id) == world.keys(CAFE, WAVE, FIRST)


def test_export_mirrors_plex_onto_the_files_only(world: PlaylistsWorld) -> None:
    playlist_id = world.create_plex_playlist("Mix", FIRST, CAFE)
    (world.playlists / "Mix.m3u8").write_text("../music/Various Artists/Hits/04 Wave.wav\n")
    (world.playlists / "Files Only.m3u8").write_text("../music/Artist/Album/01 First.flac\n")

    summary, reporter = world.run(Mode.EXPORT)

    assert summary.updated_b == 1 and summary.created_a == 0
    assert world.file_paths("Mix.m3u8") == world.local(FIRST, CAFE)
    assert world.plex_items(playlist_id) == world.keys(FIRST, CAFE)
    assert "Files Only" not in world.plex_titles()
    assert [e["subject"] for e in reporter.actions("playlist_skipped")] == ["Files Only"]


def test_duplicate_titles_get_distinct_files(world: PlaylistsWorld) -> None:
    world.create_plex_playlist("Mix: Best/Worst", FIRST)
    world.create_plex_playlist("Mix: Best/Worst", OOPS)
    world.create_plex_playlist("CON", CAFE)

    summary, _ = world.run()

    assert summary.created_b == 3
    names = sorted(p.name for p in world.playlists.iterdir())
    assert names == ["CON_.m3u8", "Mix_ Best_Worst (2).m3u8", "Mix_ Best_Worst.m3u8"]
    assert world.file_paths("Mix_ Best_Worst (2).m3u8") == world.local(OOPS)
    summary, _ = world.run()
    assert summary.unchanged == 3


def test_a_plex_error_on_one_playlist_is_an_event_and_the_rest_goes_on(
    world: PlaylistsWorld,
) -> None:
    broken = world.create_plex_playlist("Broken", FIRST)
    fine = world.create_plex_playlist("Fine", FIRST)
    world.run()
    for name in ("Broken.m3u8", "Fine.m3u8"):
        (world.playlists / name).write_text("../music/Various Artists/Hits/03 Oops.opus\n")
    world.emulator.knobs.add_fault(
        Fault(rf"^/playlists/{broken}/items", status=500, methods=frozenset({"PUT", "DELETE"}))
    )

    summary, reporter = world.run()

    assert summary.errors == 1
    assert [e["subject"] for e in reporter.actions("error")] == ["Broken"]
    assert world.plex_items(fine) == world.keys(OOPS)
    world.emulator.knobs.clear_faults()
    summary, _ = world.run()  # the baseline did not move: the change is applied now
    assert summary.updated_a == 1
    assert world.plex_items(broken) == world.keys(OOPS)


@dataclass
class PlayerSavesMidRun(RecordingReporter):
    """Saves the playlist file (as a player would) the moment the sync announces its update,
    between the sync's read and its write."""

    path: Path | None = None

    def event(self, action: str, subject: str, **fields: Any) -> None:
        super().event(action, subject, **fields)
        if action == "playlist_update" and self.path is not None:
            self.path.write_text("../music/Various Artists/Hits/04 Wave.wav\n")


def test_a_file_saved_by_a_player_during_the_run_is_not_overwritten(
    world: PlaylistsWorld,
) -> None:
    playlist_id = world.create_plex_playlist("Mix", FIRST)
    world.run()
    world.client.replace_playlist_items(playlist_id, world.keys(FIRST, OOPS))
    path = world.playlists / "Mix.m3u8"

    summary, reporter = world.run(reporter=PlayerSavesMidRun(path=path))

    assert summary.errors == 1
    assert "file_changed_since_read" in str(reporter.actions("error")[0]["detail"])
    assert path.read_text() == "../music/Various Artists/Hits/04 Wave.wav\n"
    summary, _ = world.run()  # the next run sees both changes: a conflict, nothing lost
    assert summary.conflicts == 1


def test_server_paths_go_through_the_path_mappings(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> None:
    music = str(tmp_path / "music")
    with playlists_world(
        tmp_path,
        tmp_path_factory,
        sessions,
        plex_path="D:\\Music",
        path_maps=[("D:\\Music", music)],
    ) as world:
        world.create_plex_playlist("Road Trip", CA_VA, FIRST)
        (world.playlists / "Server.m3u").write_bytes(
            b"D:\\Music\\Artist\\Album\\02 Caf\xe9 & Crema.mp3\r\n"
            b"d:\\music\\various artists\\hits\\03 oops.opus\r\n"
        )

        summary, reporter = world.run()

        assert summary.created_a == 1 and summary.created_b == 1, reporter.events
        assert world.file_paths("Road Trip.m3u8") == world.local(CA_VA, FIRST)
        assert "../music/Björk & Friends/" in (world.playlists / "Road Trip.m3u8").read_text()
        assert world.plex_items(world.plex_titles()["Server"]) == world.keys(CAFE, OOPS)


def test_without_a_mapping_tracks_and_entries_match_by_tags(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> None:
    with playlists_world(
        tmp_path, tmp_path_factory, sessions, plex_path="/srv/elsewhere/music"
    ) as world:
        world.create_plex_playlist("Road Trip", OOPS, FIRST)
        (world.playlists / "Other Machine.m3u8").write_text(
            "#EXTM3U\n"
            "#EXTINF:0,Other Artist - Wave\n"
            "C:\\Users\\someone\\Music\\Wave.wav\n"
            "../music/Artist/Album/02 Café & Crema.mp3\n"
        )

        summary, reporter = world.run()

        assert summary.unmatched == 0, reporter.actions("entry_unmatched")
        assert world.file_paths("Road Trip.m3u8") == world.local(OOPS, FIRST)
        assert world.plex_items(world.plex_titles()["Other Machine"]) == world.keys(WAVE, CAFE)


def test_only_the_named_playlists_are_synced(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> None:
    options = {"playlists": ["road trip"]}
    with playlists_world(tmp_path, tmp_path_factory, sessions, options=options) as world:
        world.create_plex_playlist("Road Trip", FIRST)
        other = world.create_plex_playlist("Other", OOPS)
        world.run()
        assert sorted(p.name for p in world.playlists.iterdir()) == ["Road Trip.m3u8"]

        world.set_options(playlists=None)
        world.run()
        world.set_options(playlists=["Road Trip"], delete=True)
        summary, _ = world.run()  # "Other" is not selected now: not taken for deleted

        assert summary.deleted_a == summary.deleted_b == 0
        assert (world.playlists / "Other.m3u8").exists()
        assert other in world.plex_titles().values()


def test_a_renamed_plex_playlist_keeps_its_file(world: PlaylistsWorld) -> None:
    playlist_id = world.create_plex_playlist("Old Name", FIRST)
    world.run()
    world.emulator.state.playlists[playlist_id].title = "New Name"
    world.client.replace_playlist_items(playlist_id, world.keys(FIRST, WAVE))

    summary, _ = world.run()

    assert summary.updated_b == 1 and summary.created_b == 0
    assert world.file_paths("Old Name.m3u8") == world.local(FIRST, WAVE)
    assert "#PLAYLIST:New Name" in (world.playlists / "Old Name.m3u8").read_text()


def test_folder_to_folder(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> None:
    with playlists_world(tmp_path, tmp_path_factory, sessions) as world:
        lists_a = tmp_path / "musicbee"
        lists_a.mkdir()
        catalog = LibraryCatalog(world.libraries)
        folder_a = catalog.add_library(
            kind="music_folder",
            name="MusicBee",
            config={"root": str(world.music), "playlist_dir": str(lists_a)},
        )
        link = catalog.add_link(
            kind="playlists",
            library_a_id=folder_a.id,
            library_b_id=world.link.library_b_id,
            options={"playlist_dir": str(world.playlists)},
        )
        world.link = link
        (lists_a / "Mix.m3u").write_bytes(
            b"..\\music\\Artist\\Album\\01 First.flac\r\nhttp://radio.example/live\r\n"
        )

        summary, reporter = world.run()

        assert summary.created_b == 1 and summary.unmatched == 0, reporter.events
        assert world.file_paths("Mix.m3u8") == [
            str(world.music / FIRST),
            "http://radio.example/live",
        ]
        (world.playlists / "Mix.m3u8").write_text(
            "../music/Various Artists/Hits/04 Wave.wav\n../music/Artist/Album/01 First.flac\n"
        )
        with pytest.raises(InvalidInput, match="needs a link between Plex and a folder"):
            world.run(Mode.IMPORT)
        summary, _ = world.run()
        assert summary.updated_a == 1
        assert (lists_a / "Mix.m3u").read_bytes() == (
            b"#EXTM3U\r\n#PLAYLIST:Mix\r\n..\\music\\Various Artists\\Hits\\04 Wave.wav\r\n"
            b"..\\music\\Artist\\Album\\01 First.flac\r\n"
        )


def test_an_unreadable_file_is_left_alone_and_never_duplicated(world: PlaylistsWorld) -> None:
    world.create_plex_playlist("Broken", FIRST)
    (world.playlists / "Broken.m3u8").write_bytes(b"\x00\x00not a playlist")
    world.create_plex_playlist("Fine", OOPS)

    summary, reporter = world.run()

    assert summary.errors == 1 and summary.skipped == 1 and summary.created_b == 1
    assert [e["subject"] for e in reporter.actions("error")] == ["Broken.m3u8"]
    assert [e["subject"] for e in reporter.actions("playlist_skipped")] == ["Broken"]
    assert sorted(p.name for p in world.playlists.iterdir()) == ["Broken.m3u8", "Fine.m3u8"]
    assert (world.playlists / "Broken.m3u8").read_bytes() == b"\x00\x00not a playlist"


def test_playlists_of_another_library_are_left_alone(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, sessions: SessionFactory
) -> None:
    with playlists_world(tmp_path, tmp_path_factory, sessions, synthetic_tracks=20) as world:
        other = next(s for s in world.client.list_sections() if s.title == "Synthetic Music")
        other_keys = [t.rating_key for t in world.client.iter_tracks(other.section_id)][:3]
        world.client.create_playlist("Elsewhere", other.section_id, other_keys)
        world.create_plex_playlist("Ours", FIRST)

        summary, _ = world.run()

        assert summary.playlists_a == 1 and summary.created_b == 1
        assert sorted(p.name for p in world.playlists.iterdir()) == ["Ours.m3u8"]
