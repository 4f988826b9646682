"""Playlists through plexapi (docs/PLEX.md §4), including M3U import (§4.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plexapi.exceptions import BadRequest, NotFound
from plexapi.server import PlexServer

from plex_emulator.server import EmulatorServer
from tests.emulator.support import BOB_TOKEN


def _titles(playlist) -> list[str]:  # plexapi objects are untyped
    return [item.title for item in playlist.reload().items()]


def test_playlist_lifecycle(plex: PlexServer, emulator: EmulatorServer) -> None:
    tracks = plex.library.section("Music").searchTracks()
    t = [track.title for track in tracks]
    playlist = plex.createPlaylist("Road & Trip", items=tracks[:3])
    assert playlist.title == "Road & Trip"
    assert playlist.smart is False
    assert playlist.playlistType == "audio"
    assert playlist.leafCount == 3
    assert _titles(playlist) == t[:3]
    item_ids = [item.playlistItemID for item in playlist.items()]
    assert len(set(item_ids)) == 3

    playlist.addItems(tracks[3:5])
    assert _titles(playlist) == t[:5]
    playlist.moveItem(tracks[4], after=tracks[0])
    assert _titles(playlist) == [t[0], t[4], t[1], t[2], t[3]]
    playlist.reload()
    playlist.moveItem(tracks[3])
    assert _titles(playlist) == [t[3], t[0], t[4], t[1], t[2]]
    playlist.reload()
    moved = {item.ratingKey: item.playlistItemID for item in playlist.items()}
    assert set(moved.values()) == set(item_ids) | set(moved.values())  # ids stable on moves
    playlist.removeItems([tracks[0]])
    assert _titles(playlist) == [t[3], t[4], t[1], t[2]]
    assert playlist.leafCount == 4
    assert playlist.duration == sum(tr.duration for tr in tracks if tr.title in _titles(playlist))

    playlist.addItems([tracks[1]])  # the same track twice: two rows
    rows = playlist.reload().items()
    assert [r.title for r in rows].count(t[1]) == 2
    assert len({r.playlistItemID for r in rows}) == len(rows)

    playlist.editTitle("Renamed")
    assert plex.playlist("Renamed").ratingKey == playlist.ratingKey
    assert [p.title for p in plex.playlists(playlistType="audio")] == ["Renamed"]
    playlist.delete()
    with pytest.raises(NotFound):
        playlist.reload()
    with pytest.raises(NotFound):
        plex.playlist("Renamed")


def test_playlists_are_per_account(plex: PlexServer, emulator: EmulatorServer) -> None:
    tracks = plex.library.section("Music").searchTracks()
    mine = plex.createPlaylist("Mine", items=tracks[:1])
    bob = PlexServer(emulator.url, BOB_TOKEN)
    assert bob.playlists() == []
    with pytest.raises(NotFound):
        bob.fetchItem(f"/playlists/{mine.ratingKey}")


def test_smart_playlists_evaluate_and_refuse_edits(plex: PlexServer) -> None:
    music = plex.library.section("Music")
    tracks = music.searchTracks()
    tracks[0].rate(10)
    smart = plex.createPlaylist(
        "Five Stars", section=music, smart=True, filters={"track.userRating": 10}
    )
    assert smart.smart is True
    assert [i.ratingKey for i in smart.items()] == [tracks[0].ratingKey]
    with pytest.raises(BadRequest):
        smart.addItems(tracks[1:2])
    with pytest.raises(BadRequest, match="400"):
        plex.query(f"/playlists/{smart.ratingKey}/items", method=plex._session.delete)


def test_bad_creation_requests(plex: PlexServer, emulator: EmulatorServer) -> None:
    key = plex.library.section("Music").searchTracks()[0].ratingKey
    lib = "com.plexapp.plugins.library"
    with pytest.raises(BadRequest, match="400"):
        plex.query("/playlists?type=audio&title=x&smart=0", method=plex._session.post)
    uri = f"server://someone-else/{lib}/library/metadata/{key}"
    with pytest.raises(BadRequest, match="400"):
        plex.query(f"/playlists?type=audio&title=x&smart=0&uri={uri}", method=plex._session.post)
    uri = f"server://{emulator.state.machine_identifier}/{lib}/library/metadata/987654"
    with pytest.raises(BadRequest, match="400"):
        plex.query(f"/playlists?type=audio&title=x&smart=0&uri={uri}", method=plex._session.post)


def test_m3u_import(plex: PlexServer, audio_library: Path, tmp_path: Path) -> None:
    music = plex.library.section("Music")
    good = tmp_path / "Mix & Match.m3u8"
    good.write_text(
        "#EXTM3U\n"
        f"{audio_library / 'Artist/Album/02 Café & Crema.mp3'}\n"
        "#EXTINF:1,ignored\n"
        f"{audio_library / 'Various Artists/Hits/03 Oops.opus'}\n"
        "/not/in/the/library.mp3\n",
        encoding="utf-8",
    )
    playlist = plex.createPlaylist("Imported", section=music, m3ufilepath=str(good))
    assert playlist.title == "Imported"
    assert playlist.guid.endswith(str(good))
    assert [i.title for i in playlist.items()] == ["Café & Crema", "Oops"]

    nothing = tmp_path / "nothing.m3u"
    nothing.write_text("/nowhere/a.mp3\n")
    with pytest.raises(BadRequest):
        plex.createPlaylist("Missing", section=music, m3ufilepath=str(tmp_path / "none.m3u"))
    with pytest.raises(BadRequest):
        plex.createPlaylist("Nothing", section=music, m3ufilepath=str(nothing))
