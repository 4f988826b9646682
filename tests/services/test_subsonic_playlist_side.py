"""The Subsonic playlist side and resolver against the emulator: only the user's own, writable
playlists are listed (smart/readonly and others' public ones are present, never touched), ids
kept, whole-list replacement, ``changed`` as the change time; the journal's view; entries
resolved to files by path and by MusicBrainz id."""

from __future__ import annotations

from pathlib import Path

from app.adapters.subsonic import SubsonicClient
from app.domain.matching import MatchThresholds
from app.domain.playlists.m3u import PathStyle, PlaylistEntry
from app.services.ports import SideEntry
from app.services.subsonic.playlist_side import (
    SubsonicFolderResolver,
    SubsonicPlaylistSide,
    UnchangedPlaylists,
)
from app.services.subsonic.rating_side import SongPaths
from tests.services.ratings_support import RecordingReporter
from tests.subsonic_emulator import EmulatorSong, SubsonicEmulator, transport


def world(tmp_path: Path) -> tuple[SubsonicEmulator, SubsonicPlaylistSide]:
    server = SubsonicEmulator()
    server.library.add_user("alice", "pw")
    server.library.add_user("bob", "pw2")
    server.library.report_real_path = True
    server.library.add_synthetic(6, per_album=3, root=str(tmp_path / "music"))
    client = SubsonicClient(
        "http://127.0.0.1:1", "alice", "pw", http=transport(server), max_rate_per_s=0
    )
    side = SubsonicPlaylistSide(
        client, SongPaths(real_paths=True), user="alice", label="ND", unchanged=UnchangedPlaylists()
    )
    return server, side


def everything(names: object) -> bool:
    return True


def test_only_own_writable_playlists_are_listed(tmp_path: Path) -> None:
    server, side = world(tmp_path)
    mine = server.library.add_playlist("alice", "Mine", ["s0", "s1"])
    smart = server.library.add_playlist("alice", "Smart", ["s2"], readonly=True)
    theirs = server.library.add_playlist("bob", "Shared", ["s3"])
    theirs.public = True
    listing = side.list(RecordingReporter(), everything)
    assert [p.ref for p in listing.playlists] == [mine.playlist_id]
    assert listing.present == {mine.playlist_id, smart.playlist_id, theirs.playlist_id}
    listed = listing.playlists[0]
    assert [e.ident for e in listed.entries] == ["s0", "s1"]
    assert listed.changed_at_s == mine.changed.timestamp()
    assert listed.entries[0].label == "Artist 0 – Song 0"
    assert listed.entries[0].track is not None
    assert listed.entries[0].track.path == str(tmp_path / "music/Artist 0/Album 0/01 Song 0.mp3")


def test_writes_keep_the_id_and_replace_the_whole_list(tmp_path: Path) -> None:
    server, side = world(tmp_path)
    mine = server.library.add_playlist("alice", "Mine", ["s0", "s1"])
    listed = side.list(RecordingReporter(), everything).playlists[0]
    side.write(listed, "Mine", [SideEntry("s2", "x"), SideEntry("s0", "y")])
    assert server.library.playlists[mine.playlist_id].song_ids == ["s2", "s0"]
    assert side.new_ref("New", set()) == "new"
    created = side.create("New", [SideEntry("s5", "z")], "new")
    assert server.library.playlists[created].song_ids == ["s5"]
    side.delete(listed)
    assert mine.playlist_id not in server.library.playlists


def test_the_journal_view_reads_restores_and_finds(tmp_path: Path) -> None:
    server, side = world(tmp_path)
    mine = server.library.add_playlist("alice", "Mine", ["s0", "s1"])
    state = side.keyed_state(mine.playlist_id)
    assert state == {"title": "Mine", "keys": ["s0", "s1"]}
    assert side.find_keyed(state) == mine.playlist_id
    assert side.restore_keyed(mine.playlist_id, {"title": "Mine", "keys": ["s4"]}) == (
        mine.playlist_id
    )
    assert server.library.playlists[mine.playlist_id].song_ids == ["s4"]
    assert side.restore_keyed(mine.playlist_id, None) == mine.playlist_id
    assert side.keyed_state(mine.playlist_id) is None
    again = side.restore_keyed(mine.playlist_id, state)  # gone: re-created under a new id
    assert again is not None and again != mine.playlist_id
    assert server.library.playlists[again].song_ids == ["s0", "s1"]


def file_entry(path: str) -> SideEntry:
    entry = PlaylistEntry.for_path(path, PathStyle.POSIX)
    return SideEntry(ident=entry.location, label=path, entry=entry)


def test_file_entries_are_found_by_path_then_by_tags(tmp_path: Path) -> None:
    server, side = world(tmp_path)
    server.library.add_song(EmulatorSong("m1", "Lonely", "Solo", "One", "al9", track=1,
                                         real_path="/nowhere/lonely.mp3"))  # fmt: skip
    resolver = SubsonicFolderResolver(side, None, MatchThresholds(), exists=lambda p: False)
    by_path = str(tmp_path / "music/Artist 0/Album 1/02 Song 4.mp3")
    resolution = resolver.b_to_a(
        [file_entry(by_path), file_entry(str(tmp_path / "gone.mp3"))], RecordingReporter()
    )
    assert resolution.found[by_path].ident == "s4"
    assert str(tmp_path / "gone.mp3") in resolution.missing


def test_songs_go_to_their_local_file_when_it_exists(tmp_path: Path) -> None:
    _, side = world(tmp_path)
    again = SideEntry("s0", "Song 0 again", track=None)  # the same song twice: the first counts
    local = str(tmp_path / "music/Artist 0/Album 0/01 Song 0.mp3")
    resolver = SubsonicFolderResolver(side, None, MatchThresholds(), exists=lambda p: p == local)
    entry = side.side_entry(next(iter(side.client.iter_songs())))
    unknown = SideEntry("s9", "Unknown", track=None)
    resolution = resolver.a_to_b([entry, again, unknown], RecordingReporter())
    assert resolution.found["s0"].ident == local
    assert resolution.found["s0"].entry is not None
    assert resolution.missing == {"s9": "no local file for this song"}


def test_a_playlist_whose_changed_did_not_move_is_not_read_again(tmp_path: Path) -> None:
    server, side = world(tmp_path)
    mine = server.library.add_playlist("alice", "Mine", ["s0", "s1"])
    first = side.list(RecordingReporter(), everything).playlists
    assert server.log.count("getPlaylist") == 1
    again = side.list(RecordingReporter(), everything).playlists
    assert server.log.count("getPlaylist") == 1  # same changed, same count: not read again
    assert again == first
    mine.song_ids = ["s1"]
    mine.changed = mine.changed.replace(year=mine.changed.year + 1)
    edited = side.list(RecordingReporter(), everything).playlists
    assert server.log.count("getPlaylist") == 2
    assert [e.ident for e in edited[0].entries] == ["s1"]


def test_the_unchanged_cache_is_bounded() -> None:
    cache = UnchangedPlaylists(capacity=2)
    for n in range(3):
        cache.put(("u", "alice", f"p{n}"), 1.0, [])
    assert cache.get(("u", "alice", "p0"), 1.0) is None
    assert cache.get(("u", "alice", "p2"), 1.0) == []
    assert cache.get(("u", "alice", "p2"), 2.0) is None
