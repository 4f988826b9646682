"""A Subsonic server's playlists as side A of a playlists link (files on side B), or as
either side of a link with Plex or MediaMonkey (songs paired with the other library's tracks:
``track_catalog``, ``app.services.playlists.track_pairs``).

- :class:`SubsonicPlaylistSide`: the user's own playlists; others' public ones and read-only
  ones (OpenSubsonic ``readonly``: smart playlists) are present but never listed, so never
  written. A playlist is known by its id (names are not unique on these servers); an entry is a
  song id. Writes replace the whole list (``createPlaylist`` with ``playlistId``), keeping the
  id; ``changed`` is the playlist's change time where the server has it, and a playlist
  whose ``changed`` has not moved since it was last read is not read again
  (:class:`UnchangedPlaylists`).
- :class:`SubsonicFolderResolver`: a file entry is found among the server's songs by path (real
  paths only, see :class:`~app.services.subsonic.rating_side.SongPaths`), then by MusicBrainz
  id and tags; a song goes to its local file when that exists, else to the music folder's file
  it matches.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

from app.domain.errors import InvalidInput, SubsonicError
from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds
from app.domain.playlists.records import PlaylistState
from app.domain.subsonic import SubsonicPlaylist, SubsonicSong
from app.services.playlists.matching import (
    FolderCatalog,
    Resolution,
    entry_track,
    file_entry,
    match_confident,
)
from app.services.playlists.run.entries import entry_label
from app.services.ports import Reporter, Selector, SideEntry, SideListing, SidePlaylist
from app.services.subsonic.api import SubsonicApi
from app.services.subsonic.rating_side import SongPaths, track_info


class UnchangedPlaylists:
    """The songs of playlists as last read, by (server, user, playlist id) with the playlist's
    ``changed`` time and song count: a playlist whose ``changed`` and count have not moved
    since is not read again (servers without ``changed`` are always read). Bounded; shared by
    the runs of a process."""

    def __init__(self, capacity: int = 2000) -> None:
        self._capacity = capacity
        self._songs: dict[tuple[str, str, str], tuple[object, tuple[SubsonicSong, ...]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str], version: object) -> list[SubsonicSong] | None:
        with self._lock:
            found = self._songs.get(key)
        return list(found[1]) if found is not None and found[0] == version else None

    def put(
        self, key: tuple[str, str, str], version: object, songs: Sequence[SubsonicSong]
    ) -> None:
        with self._lock:
            if len(self._songs) >= self._capacity and key not in self._songs:
                self._songs.pop(next(iter(self._songs)))
            self._songs[key] = (version, tuple(songs))


UNCHANGED = UnchangedPlaylists()


class SubsonicPlaylistSide:
    holds_files = False

    def __init__(
        self,
        client: SubsonicApi,
        paths: SongPaths,
        *,
        user: str | None,
        label: str,
        unchanged: UnchangedPlaylists = UNCHANGED,
    ) -> None:
        self.client = client
        self.paths = paths
        self.user = user
        self.label = label
        self._unchanged = unchanged
        self._library: dict[str, SubsonicSong] | None = None

    def _songs(self, playlist: SubsonicPlaylist) -> list[SubsonicSong]:
        """The playlist's songs: read, unless its ``changed`` says they are the ones read
        last time."""
        if playlist.changed is None:
            return self.client.playlist_songs(playlist.playlist_id)
        key = (self.client.base_url, self.user or "", playlist.playlist_id)
        version = (playlist.changed, playlist.song_count)
        songs = self._unchanged.get(key, version)
        if songs is None:
            songs = self.client.playlist_songs(playlist.playlist_id)
            self._unchanged.put(key, version, songs)
        return songs

    def side_entry(self, song: SubsonicSong) -> SideEntry:
        return SideEntry(
            ident=song.song_id,
            label=entry_label(song.artist, song.title, f"song {song.song_id}"),
            track=track_info(song, self.paths),
        )

    def track_catalog(self, reporter: Reporter) -> dict[str, TrackInfo]:
        """Every song by id (listed once per run), for a playlists link whose other side holds
        tracks too."""
        if self._library is None:
            reporter.progress(f"listing songs of {self.label}", 0, None)
            self._library = {song.song_id: song for song in self.client.iter_songs()}
        return {key: track_info(song, self.paths) for key, song in self._library.items()}

    def track_entry(self, ident: str) -> SideEntry:
        if self._library is None or ident not in self._library:
            raise InvalidInput(f"song {ident} is not in {self.label}'s catalog")
        return self.side_entry(self._library[ident])

    def list(self, reporter: Reporter, selected: Selector) -> SideListing:
        listing = SideListing()
        for playlist in self.client.playlists():
            listing.present.add(playlist.playlist_id)
            theirs = self.user is not None and playlist.owner not in (None, self.user)
            if playlist.readonly or theirs or not selected((playlist.name,)):
                continue
            reporter.check_cancelled()
            try:
                songs = self._songs(playlist)
            except SubsonicError as error:
                listing.unreadable[playlist.playlist_id] = playlist.name
                reporter.event(
                    "error", playlist.name, level="error", detail=f"{error.code}: {error}"
                )
                continue
            listing.playlists.append(
                SidePlaylist(
                    ref=playlist.playlist_id,
                    title=playlist.name,
                    entries=tuple(self.side_entry(song) for song in songs),
                    changed_at_s=playlist.changed.timestamp() if playlist.changed else None,
                    names=(playlist.name,),
                )
            )
        return listing

    def write(self, playlist: SidePlaylist, title: str, entries: Sequence[SideEntry]) -> None:
        self.client.replace_playlist(playlist.ref, [entry.ident for entry in entries])

    def new_ref(self, title: str, taken: set[str]) -> str:
        return "new"

    def create(self, title: str, entries: Sequence[SideEntry], ref: str) -> str:
        return self.client.create_playlist(title, [entry.ident for entry in entries])

    def delete(self, playlist: SidePlaylist) -> None:
        self.client.delete_playlist(playlist.ref)

    def close(self) -> None:
        self.client.close()

    # --- the journal's view (``app.services.playlists.run.journal.KeyedPlaylists``) -----

    def keyed_state(self, ref: str) -> PlaylistState:
        """Playlist ``ref`` now, as journaled: its name and song ids (None: gone)."""
        for playlist in self.client.playlists():
            if playlist.playlist_id == ref:
                songs = self.client.playlist_songs(ref)
                return {"title": playlist.name, "keys": [song.song_id for song in songs]}
        return None

    def restore_keyed(self, ref: str | None, want: PlaylistState) -> str | None:
        """Make ``ref`` hold ``want`` (None: delete it), re-creating it if it is gone."""
        if want is None:
            if ref is not None and self.keyed_state(ref) is not None:
                self.client.delete_playlist(ref)
            return ref
        keys = [str(key) for key in want.get("keys", [])]
        if ref is not None and self.keyed_state(ref) is not None:
            self.client.replace_playlist(ref, keys)
            return ref
        return self.client.create_playlist(str(want["title"]), keys)

    def find_keyed(self, after: PlaylistState) -> str | None:
        """The playlist a dead job created before it journaled its id: the one of that name
        holding exactly what it was to hold."""
        if after is None:
            return None
        for playlist in self.client.playlists():
            same_name = playlist.name == after.get("title")
            if same_name and self.keyed_state(playlist.playlist_id) == after:
                return playlist.playlist_id
        return None


def _distinct(entries: Sequence[SideEntry]) -> list[SideEntry]:
    """Each ident once, at its first entry."""
    seen: dict[str, SideEntry] = {}
    for entry in entries:
        seen.setdefault(entry.ident, entry)
    return list(seen.values())


class SubsonicFolderResolver:
    """Entries between a Subsonic server (A) and playlist files (B)."""

    def __init__(
        self,
        side: SubsonicPlaylistSide,
        music: FolderCatalog | None,
        thresholds: MatchThresholds,
        *,
        exists: Callable[[str], bool] = os.path.isfile,
    ) -> None:
        self._side = side
        self._music = music
        self._thresholds = thresholds
        self._exists = exists
        self._songs: dict[str, SubsonicSong] | None = None

    def _catalog(self, reporter: Reporter) -> dict[str, SubsonicSong]:
        if self._songs is None:
            reporter.progress(f"listing songs of {self._side.label}", 0, None)
            self._songs = {song.song_id: song for song in self._side.client.iter_songs()}
        return self._songs

    def b_to_a(
        self, entries: Sequence[SideEntry], reporter: Reporter, known: Sequence[SideEntry] = ()
    ) -> Resolution:
        """By path among ``known`` (the server playlists' songs) first, then the whole
        library by path, then by MusicBrainz id and tags."""
        resolution = Resolution()
        pending: list[SideEntry] = []
        for entry in _distinct(entries):
            if entry.entry is None or entry.entry.is_remote:
                resolution.missing[entry.ident] = "a web address; Subsonic playlists hold songs"
            else:
                pending.append(entry)
        by_path = {e.track.path: e for e in known if e.track is not None and e.track.path}
        rest = self._by_path(pending, by_path, resolution)
        if not rest:
            return resolution
        songs = self._catalog(reporter)
        all_paths: dict[str, SideEntry] = {}
        for song in songs.values():
            side_entry = self._side.side_entry(song)
            if side_entry.track is not None and side_entry.track.path:
                all_paths[side_entry.track.path] = side_entry
        rest = self._by_path(rest, all_paths, resolution)
        if rest:
            reporter.progress("matching entries by tags", 0, len(rest))
            found, why = match_confident(
                [entry_track(entry, exists=self._exists) for entry in rest],
                [track_info(song, self._side.paths) for song in songs.values()],
                self._thresholds,
            )
            for source_id, song_id in found.items():
                resolution.found[source_id] = self._side.side_entry(songs[song_id])
            resolution.missing.update(why)
        return resolution

    @staticmethod
    def _by_path(
        entries: Sequence[SideEntry], index: dict[str, SideEntry], resolution: Resolution
    ) -> list[SideEntry]:
        rest: list[SideEntry] = []
        for entry in entries:
            path = entry.entry.path if entry.entry is not None else None
            found = index.get(path) if path is not None else None
            if found is None:
                rest.append(entry)
            else:
                resolution.found[entry.ident] = found
        return rest

    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        resolution = Resolution()
        rest: list[SideEntry] = []
        for entry in _distinct(entries):
            path = entry.track.path if entry.track is not None else None
            if path is not None and self._exists(path):
                resolution.found[entry.ident] = file_entry(path, entry)
            else:
                rest.append(entry)
        if not rest:
            return resolution
        if self._music is None:
            for entry in rest:
                resolution.missing[entry.ident] = "no local file for this song"
            return resolution
        catalog = self._music.tracks(reporter)
        by_id = {track.id: track for track in catalog}
        found, _ = match_confident(
            [entry.track or TrackInfo(id=entry.ident) for entry in rest], catalog, self._thresholds
        )
        for entry in rest:
            match = found.get(entry.ident)
            local = by_id[match].path if match is not None else None
            if local is not None:
                resolution.found[entry.ident] = file_entry(local, entry)
            else:
                resolution.missing[entry.ident] = "no file of the music folder matches this song"
        return resolution

    def commit(self) -> None:
        if self._music is not None:
            self._music.commit()

    def close(self) -> None:
        if self._music is not None:
            self._music.close()
