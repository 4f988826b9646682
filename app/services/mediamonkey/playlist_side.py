"""A MediaMonkey database's static playlists as side A of a playlists link, and the resolver
between its songs and the entries of playlist files (side B). With Plex or a Subsonic server on
the other side instead of files, it may be either side; its songs are then paired with the
other library's tracks (``track_catalog``, ``app.services.playlists.track_pairs``).

Nested playlists are titled ``Parent/Child``. Auto-playlists are never touched: they are
listed as present and unreadable, so a run neither syncs them nor creates a playlist of their
name; a static playlist that only holds other playlists (a folder in MediaMonkey's tree) is
left alone the same way. Each write is one transaction of the database (backup, checks,
integrity check). Playlist ids are kept: a playlist is rewritten in place, never re-created.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Sequence

from app.domain.errors import InvalidInput
from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds
from app.domain.playlists.records import PlaylistState
from app.services.mediamonkey.rating_side import MediaMonkeyRatingSide
from app.services.playlists.matching import (
    FolderCatalog,
    Resolution,
    entry_track,
    file_entry,
    match_confident,
)
from app.services.ports import Reporter, Selector, SideEntry, SideListing, SidePlaylist


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path.replace("\\", "/")).casefold()


def _label(track: TrackInfo) -> str:
    if track.artist and track.title:
        return f"{track.artist} - {track.title}"
    return track.title or f"song {track.id}"


class MediaMonkeyPlaylistSide:
    holds_files = False

    def __init__(self, songs: MediaMonkeyRatingSide, *, label: str) -> None:
        self._songs = songs  # its store and path mapping
        self.label = label
        self._tracks: dict[str, TrackInfo] | None = None

    def tracks(self) -> dict[str, TrackInfo]:
        """Every song's match metadata by song id (listed once per run)."""
        if self._tracks is None:
            self._tracks = {}
            for track in self._songs.store.tracks():
                key = str(track.id)
                self._tracks[key] = TrackInfo(
                    id=key,
                    path=self._songs.local_path(track.path),
                    title=track.title or None,
                    artist=track.artist or None,
                    album=track.album or None,
                    album_artist=track.album_artist or None,
                    track_no=track.track_no,
                    disc_no=track.disc_no,
                    duration_s=track.length_s,
                )
        return self._tracks

    def side_entry(self, song_id: str) -> SideEntry:
        track = self.tracks().get(song_id) or TrackInfo(id=song_id)
        return SideEntry(ident=song_id, label=_label(track), track=track)

    def track_catalog(self, reporter: Reporter) -> dict[str, TrackInfo]:
        """Every song by id, for a playlists link whose other side holds tracks too."""
        reporter.progress(f"listing songs of {self.label}", 0, None)
        return self.tracks()

    def track_entry(self, ident: str) -> SideEntry:
        return self.side_entry(ident)

    def list(self, reporter: Reporter, selected: Selector) -> SideListing:
        store = self._songs.store
        if not store.read_only:
            store.check_writable(ratings=False, playlists=True)
        listing = SideListing()
        playlists = store.playlists()
        parents = {p.title.rpartition("/")[0] for p in playlists if "/" in p.title}
        for playlist in playlists:
            ref = str(playlist.id)
            listing.present.add(ref)
            if playlist.auto or (not playlist.song_ids and playlist.title in parents):
                listing.unreadable[ref] = playlist.title
                why = "an auto-playlist" if playlist.auto else "a folder of playlists"
                reporter.event("skipped", playlist.title, detail=f"{why}: left alone")
                continue
            if not selected((playlist.title,)):
                continue
            listing.playlists.append(
                SidePlaylist(
                    ref=ref,
                    title=playlist.title,
                    entries=tuple(self.side_entry(str(s)) for s in playlist.song_ids),
                    changed_at_s=None,
                    names=(playlist.title, playlist.title.rpartition("/")[2]),
                )
            )
        return listing

    def write(self, playlist: SidePlaylist, title: str, entries: Sequence[SideEntry]) -> None:
        self._songs.store.set_playlist(int(playlist.ref), [_song_id(e) for e in entries])

    def new_ref(self, title: str, taken: set[str]) -> str:
        return "new"

    def create(self, title: str, entries: Sequence[SideEntry], ref: str) -> str:
        return str(self._songs.store.create_playlist(title, [_song_id(e) for e in entries]))

    def delete(self, playlist: SidePlaylist) -> None:
        self._songs.store.delete_playlist(int(playlist.ref))

    # --- the playlists journal (undo): app.services.playlists.run.journal.KeyedPlaylists ---

    def keyed_state(self, ref: str) -> PlaylistState:
        """The playlist ``ref`` now, as journaled: ``{"title", "keys"}``, None when gone."""
        for playlist in self._songs.store.playlists():
            if str(playlist.id) == ref:
                return {"title": playlist.title, "keys": [str(s) for s in playlist.song_ids]}
        return None

    def restore_keyed(self, ref: str | None, want: PlaylistState) -> str | None:
        """Make ``ref`` hold ``want`` (None: delete it; re-created when gone)."""
        if want is None:
            if ref is not None and self.keyed_state(ref) is not None:
                self._songs.store.delete_playlist(int(ref))
            return ref
        song_ids = [int(key) for key in want.get("keys", [])]
        if ref is not None and self.keyed_state(ref) is not None:
            self._songs.store.set_playlist(int(ref), song_ids)
            return ref
        return str(self._songs.store.create_playlist(str(want["title"]), song_ids))

    def find_keyed(self, after: PlaylistState) -> str | None:
        """A playlist a dead job created before it journaled the id: titled and holding
        exactly what it was to hold."""
        if after is None:
            return None
        for playlist in self._songs.store.playlists():
            keys = [str(s) for s in playlist.song_ids]
            if playlist.title == after.get("title") and keys == after.get("keys"):
                return str(playlist.id)
        return None

    def close(self) -> None:
        self._songs.close()


def _song_id(entry: SideEntry) -> int:
    if not entry.ident.isdigit():
        raise InvalidInput(f"not a MediaMonkey song: {entry.label}")
    return int(entry.ident)


class MediaMonkeyFolderResolver:
    """Entries between MediaMonkey's songs (A) and playlist files (B): by the song's mapped
    path first, then by tags (against the B library's files, or MediaMonkey's songs)."""

    def __init__(
        self,
        side: MediaMonkeyPlaylistSide,
        music: FolderCatalog | None,
        thresholds: MatchThresholds,
        *,
        exists: Callable[[str], bool] = os.path.isfile,
    ) -> None:
        self._side = side
        self._music = music
        self._thresholds = thresholds
        self._exists = exists

    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        resolution = Resolution()
        rest: list[SideEntry] = []
        for entry in {e.ident: e for e in entries}.values():
            path = entry.track.path if entry.track is not None else None
            if path is not None and self._exists(path):
                resolution.found[entry.ident] = file_entry(path, entry)
            else:
                rest.append(entry)
        if rest and self._music is not None:
            catalog = self._music.tracks(reporter)
            by_id = {track.id: track for track in catalog}
            found, _ = match_confident(
                [e.track or TrackInfo(id=e.ident) for e in rest], catalog, self._thresholds
            )
            for entry in rest:
                match = found.get(entry.ident)
                local = by_id[match].path if match is not None else None
                if local is not None:
                    resolution.found[entry.ident] = file_entry(local, entry)
        for entry in rest:
            if entry.ident not in resolution.found:
                resolution.missing[entry.ident] = "no local file: map the song's drive or share"
        return resolution

    def b_to_a(
        self, entries: Sequence[SideEntry], reporter: Reporter, known: Sequence[SideEntry] = ()
    ) -> Resolution:
        resolution = Resolution()
        tracks = self._side.tracks()
        by_path: dict[str, list[str]] = {}
        for key, track in tracks.items():
            if track.path is not None:
                by_path.setdefault(_fold(track.path), []).append(key)
        rest: list[SideEntry] = []
        for entry in {e.ident: e for e in entries}.values():
            if entry.entry is None or entry.entry.is_remote:
                resolution.missing[entry.ident] = "a web address; MediaMonkey holds songs"
                continue
            keys = by_path.get(_fold(entry.entry.path or entry.ident), [])
            if len(keys) == 1:
                resolution.found[entry.ident] = self._side.side_entry(keys[0])
            else:
                rest.append(entry)
        if rest:
            found, why = match_confident(
                [entry_track(entry, exists=self._exists) for entry in rest],
                list(tracks.values()),
                self._thresholds,
            )
            for source_id, key in found.items():
                resolution.found[source_id] = self._side.side_entry(key)
            resolution.missing.update(why)
        return resolution

    def commit(self) -> None:
        if self._music is not None:
            self._music.commit()

    def close(self) -> None:
        if self._music is not None:
            self._music.close()
