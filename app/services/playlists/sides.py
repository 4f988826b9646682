"""The two kinds of side a playlists link joins.

- :class:`PlexPlaylistSide`: one account's non-smart audio playlists on a Plex server (smart
  ones are never listed, so never touched). An entry is a track's ``ratingKey``; playlists
  are rewritten in place, keeping their id.
- :class:`FolderPlaylistSide`: the ``.m3u``/``.m3u8``/``.pls`` files directly in one folder. An
  entry is the resolved location (absolute path, or a URL) of a line of the file.

How an entry of one side is found on the other is ``app.services.playlists.matching``'s (a
side of playlist files), or ``app.services.playlists.track_pairs``'s (two sides of tracks).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace

from app.adapters.playlist_files import (
    delete_playlist_file,
    list_playlist_files,
    read_playlist_file,
    write_playlist_file,
)
from app.adapters.plex import PlexServerClient, PlexTrack
from app.domain.errors import InvalidInput, MediaFileError, PlexError
from app.domain.match_keys import TrackInfo
from app.domain.names import display_form
from app.domain.paths import PathMapping, is_windows_path, map_plex_to_local
from app.domain.playlists.m3u import (
    PathStyle,
    Playlist,
    PlaylistEntry,
    assign_file_names,
    parse_playlist,
    render_playlist,
    title_from_file_name,
)
from app.domain.playlists.pls import is_pls_name, parse_pls, render_pls
from app.services.playlists.run.entries import (
    encode_like,
    entry_label,
    uses_backslashes,
    uses_crlf,
)
from app.services.ports import (
    Reporter,
    Selector,
    SideEntry,
    SideListing,
    SidePlaylist,
)

LOCAL_STYLE = PathStyle.WINDOWS if os.name == "nt" else PathStyle.POSIX


def _basename(location: str) -> str:
    return location.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or location


# --- Plex ------------------------------------------------------------------------------------


class PlexPlaylistSide:
    """A Plex music library's playlists, as the library's token's account sees them: the
    non-smart audio playlists holding at least one track of the library's sections (or none:
    a new, empty playlist is anyone's)."""

    holds_files = False

    def __init__(
        self,
        client: PlexServerClient,
        section_ids: Sequence[int],
        mappings: Sequence[PathMapping],
        *,
        label: str,
    ) -> None:
        if not section_ids:
            raise InvalidInput("a Plex library needs at least one section")
        self.client = client
        self.section_ids = tuple(section_ids)
        self.mappings = tuple(mappings)
        self.label = label
        self._folders: dict[str, str | None] = {}
        self._library: dict[str, PlexTrack] | None = None

    def local_path(self, track: PlexTrack) -> str | None:
        """The first of the track's files that maps to a local path (the server's own path
        when the library has no mappings)."""
        for plex_path in track.file_paths:
            if not self.mappings:
                return plex_path
            local = self._map(plex_path)
            if local is not None:
                return local
        return None

    def _map(self, plex_path: str) -> str | None:
        """:func:`map_plex_to_local`, once per folder: the tracks of an album share one."""
        cut = max(plex_path.rfind("/"), plex_path.rfind("\\"))
        if cut <= 0:
            return map_plex_to_local(plex_path, self.mappings)
        folder, name = plex_path[:cut], plex_path[cut + 1 :]
        if folder not in self._folders:
            self._folders[folder] = map_plex_to_local(folder, self.mappings)
        local_folder = self._folders[folder]
        if local_folder is None:
            return None  # a prefix matches whole folders: no folder, no file
        if not name:
            return map_plex_to_local(plex_path, self.mappings)
        separator = "\\" if is_windows_path(local_folder) else "/"
        return local_folder.rstrip(separator) + separator + name

    def track_info(self, track: PlexTrack) -> TrackInfo:
        return TrackInfo(
            id=str(track.rating_key),
            path=self.local_path(track),
            title=track.title,
            artist=track.artist,
            album=track.album,
            album_artist=track.album_artist,
            track_no=track.track_no,
            disc_no=track.disc_no,
            duration_s=None if track.duration_ms is None else track.duration_ms / 1000,
            mbid=track.mbid,
        )

    def side_entry(self, track: PlexTrack) -> SideEntry:
        return SideEntry(
            ident=str(track.rating_key),
            label=entry_label(track.artist, track.title, f"track {track.rating_key}"),
            track=self.track_info(track),
        )

    def track_catalog(self, reporter: Reporter) -> dict[str, TrackInfo]:
        """Every track of the library's sections by ``ratingKey`` (listed once per run), for a
        playlists link whose other side holds tracks too."""
        if self._library is None:
            library: dict[str, PlexTrack] = {}
            for section_id in self.section_ids:
                reporter.progress(f"listing tracks of {self.label}", 0, None)
                for track in self.client.iter_tracks(section_id):
                    library[str(track.rating_key)] = track
                    if len(library) % 1000 == 0:
                        reporter.check_cancelled()
            self._library = library
        return {key: self.track_info(track) for key, track in self._library.items()}

    def track_entry(self, ident: str) -> SideEntry:
        if self._library is None or ident not in self._library:
            raise InvalidInput(f"track {ident} is not in {self.label}'s catalog")
        return self.side_entry(self._library[ident])

    def list(self, reporter: Reporter, selected: Selector) -> SideListing:
        listing = SideListing()
        for playlist in self.client.list_audio_playlists():
            ref = str(playlist.playlist_id)
            listing.present.add(ref)
            if not selected((playlist.title,)):
                continue
            reporter.check_cancelled()
            try:
                items = self.client.playlist_items(playlist.playlist_id)
            except PlexError as error:
                listing.unreadable[ref] = playlist.title
                reporter.event(
                    "error", playlist.title, level="error", detail=f"{error.code}: {error}"
                )
                continue
            if items and not any(self._ours(item.track) for item in items):
                continue  # a playlist of another library of the server
            updated = playlist.updated_at or playlist.added_at
            listing.playlists.append(
                SidePlaylist(
                    ref=ref,
                    title=playlist.title,
                    entries=tuple(self.side_entry(item.track) for item in items),
                    changed_at_s=updated.timestamp() if updated else None,
                    names=(playlist.title,),
                )
            )
        return listing

    def _ours(self, track: PlexTrack) -> bool:
        return track.section_id is None or track.section_id in self.section_ids

    def write(self, playlist: SidePlaylist, title: str, entries: Sequence[SideEntry]) -> None:
        self.client.replace_playlist_items(int(playlist.ref), [int(e.ident) for e in entries])

    def new_ref(self, title: str, taken: set[str]) -> str:
        return "new"

    def create(self, title: str, entries: Sequence[SideEntry], ref: str) -> str:
        if not entries:
            raise InvalidInput("Plex cannot hold an empty playlist; no entry matches a track")
        created = self.client.create_playlist(
            title, self.section_ids[0], [int(e.ident) for e in entries]
        )
        return str(created.playlist_id)

    def delete(self, playlist: SidePlaylist) -> None:
        self.client.delete_playlist(int(playlist.ref))

    def close(self) -> None:
        self.client.close()


# --- folders ---------------------------------------------------------------------------------


class FolderPlaylistSide:
    """The playlist files directly in ``playlist_dir``.

    Rewritten files keep their name (a ``.pls`` stays PLS), encoding (a cp1252 ``.m3u`` stays
    cp1252 when it can) and line ends; new files are ``.m3u8`` in UTF-8. Entries are written
    relative to the file unless ``absolute_paths``.
    """

    holds_files = True

    def __init__(
        self,
        playlist_dir: str,
        *,
        label: str,
        absolute_paths: bool = False,
        path_style: PathStyle = LOCAL_STYLE,
    ) -> None:
        self.playlist_dir = os.path.abspath(playlist_dir)
        self.label = label
        self.absolute_paths = absolute_paths
        self.path_style = path_style

    def path(self, ref: str) -> str:
        return os.path.join(self.playlist_dir, ref)

    def list(self, reporter: Reporter, selected: Selector) -> SideListing:
        listing = SideListing()
        for name in list_playlist_files(self.playlist_dir):
            listing.present.add(name)
            reporter.check_cancelled()
            path = self.path(name)
            try:
                snapshot = read_playlist_file(path)
                parse = parse_pls if is_pls_name(name) else parse_playlist
                parsed = parse(snapshot.data, playlist_path=path, path_style=self.path_style)
            except MediaFileError as error:
                listing.unreadable[name] = display_form(title_from_file_name(name))
                reporter.event("error", name, level="error", detail=f"{error.code}: {error}")
                continue
            # A file name that is not UTF-8 titles its playlist in its display form (Plex
            # titles are text): "Caf\xe9 mix". The file keeps its name (the pair's ref).
            title = display_form(parsed.title)
            names = (title, display_form(title_from_file_name(name)))
            if not selected(names):
                continue
            entries = (_by_bytes(entry, parsed.encoding) for entry in parsed.entries)
            listing.playlists.append(
                SidePlaylist(
                    ref=name,
                    title=title,
                    entries=tuple(self.side_entry(entry) for entry in entries),
                    changed_at_s=snapshot.mtime_ns / 1e9,
                    names=names,
                    snapshot=snapshot,
                    encoding=parsed.encoding,
                )
            )
        return listing

    @staticmethod
    def side_entry(entry: PlaylistEntry) -> SideEntry:
        fallback = entry.location if entry.is_remote else _basename(entry.location)
        return SideEntry(
            ident=entry.location,
            label=entry_label(entry.artist, entry.title, fallback),
            entry=entry,
        )

    def render(
        self, title: str, entries: Sequence[SideEntry], path: str, like: SidePlaylist | None
    ) -> bytes:
        parsed_entries: list[PlaylistEntry] = []
        for side_entry in entries:
            if side_entry.entry is None:
                raise InvalidInput(f"entry {side_entry.label!r} has no location for a file")
            parsed_entries.append(side_entry.entry)
        playlist = Playlist(title=title, entries=tuple(parsed_entries))
        raw_lines = [e.entry.raw for e in like.entries if e.entry is not None] if like else []
        backslashes = uses_backslashes(raw_lines)
        if is_pls_name(path):
            # Separators go into File= values only (a title may hold a slash).
            rendered = render_pls(
                playlist,
                playlist_path=path,
                path_style=self.path_style,
                absolute_paths=self.absolute_paths,
                backslashes=backslashes,
            )
            backslashes = False
        else:
            rendered = render_playlist(
                playlist,
                playlist_path=path,
                path_style=self.path_style,
                absolute_paths=self.absolute_paths,
            )
        if like is None or like.snapshot is None:
            return rendered
        return encode_like(
            rendered,
            encoding=like.encoding,
            crlf=uses_crlf(like.snapshot.data),
            backslashes=backslashes,
        )

    def write(self, playlist: SidePlaylist, title: str, entries: Sequence[SideEntry]) -> None:
        path = self.path(playlist.ref)
        data = self.render(title, entries, path, playlist)
        write_playlist_file(path, data, replacing=playlist.snapshot)

    def new_ref(self, title: str, taken: set[str]) -> str:
        return assign_file_names([title], taken=taken)[0]

    def create(self, title: str, entries: Sequence[SideEntry], ref: str) -> str:
        path = self.path(ref)
        write_playlist_file(path, self.render(title, entries, path, None), replacing=None)
        return ref

    def delete(self, playlist: SidePlaylist) -> None:
        if playlist.snapshot is None:
            raise InvalidInput(f"playlist file {playlist.ref} was not read; not deleting it")
        delete_playlist_file(self.path(playlist.ref), expected=playlist.snapshot)

    def close(self) -> None:
        """Nothing to release: files are opened per read and write."""


def _by_bytes(
    entry: PlaylistEntry,
    encoding: str | None,
    *,
    exists: Callable[[str], bool] = os.path.lexists,
) -> PlaylistEntry:
    """``entry`` pointing at the file its line's bytes name, when its decoded text names none.

    A playlist's text is decoded as a whole (UTF-8, else cp1252, else Latin-1), but file names
    are bytes: a Latin-1 name in a UTF-8 ``.m3u8``, or a UTF-8 name in a cp1252 ``.m3u``. The
    line's bytes, re-encoded in the file's encoding, are exactly what the file held."""
    path = entry.path
    if path is None or encoding is None or encoding.startswith("utf-16") or exists(path):
        return entry
    try:
        raw = path.encode("utf-8" if encoding == "utf-8-sig" else encoding, "surrogateescape")
    except UnicodeEncodeError:
        return entry
    by_bytes = os.fsdecode(raw)
    if by_bytes == path or not exists(by_bytes):
        return entry
    return replace(entry, location=by_bytes)
