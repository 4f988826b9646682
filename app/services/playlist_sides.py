"""The two kinds of side a playlists link joins, and how an entry of one side is found on the
other.

- :class:`PlexPlaylistSide`: one account's non-smart audio playlists on a Plex server (smart
  ones are never listed, so never touched). An entry is a track's ``ratingKey``.
- :class:`FolderPlaylistSide`: the ``.m3u``/``.m3u8`` files directly in one folder. An entry is
  the resolved location (absolute path, or a URL) of a line of the file.

Resolvers translate entries between the sides with the matching of the ratings sync: paths
first, then :func:`app.domain.matching.match_tracks` for the rest.

- :class:`PlexFolderResolver` (A Plex, B folder). A file entry is looked up among the Plex
  section's tracks by path (the server's paths through the library's path mappings, exactly,
  then ignoring case and Unicode form; then the server's own paths, for playlists written on
  the server's machine), then by tags (read from the file when it exists here, else the
  ``#EXTINF`` artist, title and duration). A Plex track goes to a file as its mapped path when
  that file exists here, else as the file of the music folder it matches by tags.
- :class:`FolderFolderResolver` (two folders). A path under one music root is the same path
  under the other root when that file exists (or when the roots are the same), else the file
  of the other folder it matches by tags; a path outside the root and a URL stay as they are.

Only confident matches count; a weak one leaves the entry unmatched, with the reason.
"""

from __future__ import annotations

import os
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from app.adapters.playlist_files import (
    PlaylistFileSnapshot,
    delete_playlist_file,
    list_playlist_files,
    read_playlist_file,
    write_playlist_file,
)
from app.adapters.plex import PlexServerClient, PlexTrack
from app.adapters.tags import read_file
from app.domain.errors import InvalidInput, MediaFileError, PlexError
from app.domain.matching import MatchThresholds, TrackInfo, match_tracks
from app.domain.paths import PathMapping, is_windows_path, map_plex_to_local
from app.domain.playlists import (
    PathStyle,
    Playlist,
    PlaylistEntry,
    assign_file_names,
    parse_playlist,
    render_playlist,
    title_from_file_name,
)
from app.services.playlist_entries import encode_like, entry_label, uses_crlf
from app.services.rating_sides import RatingSide, Reporter

LOCAL_STYLE = PathStyle.WINDOWS if os.name == "nt" else PathStyle.POSIX

Selector = Callable[[Sequence[str]], bool]


@dataclass(frozen=True, slots=True)
class SideEntry:
    """One entry of a playlist on one side.

    ``ident`` is what the entry points at on its side: a Plex ``ratingKey`` or a file entry's
    location. ``entry`` is the parsed line (folder sides; reused when the file is rewritten),
    ``track`` what matching knows (Plex sides: the mapped path and the tags).
    """

    ident: str
    label: str
    entry: PlaylistEntry | None = None
    track: TrackInfo | None = None


@dataclass(frozen=True, slots=True)
class SidePlaylist:
    """A playlist as listed: ``ref`` (Plex playlist id, or file name), title, entries.

    ``names`` are the titles it answers to (its title, and a file's name without extension);
    ``changed_at_s`` when it last changed (Plex ``updatedAt``, a file's mtime).
    """

    ref: str
    title: str
    entries: tuple[SideEntry, ...]
    changed_at_s: float | None
    names: tuple[str, ...] = ()
    snapshot: PlaylistFileSnapshot | None = None
    encoding: str | None = None


@dataclass
class SideListing:
    """``playlists``: the selected, readable ones. ``present``: every ref that exists (also
    unselected and unreadable ones, which a run must leave alone, never take for deleted)."""

    playlists: list[SidePlaylist] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)


class PlaylistSide(Protocol):
    label: str
    holds_files: bool

    def list(self, reporter: Reporter, selected: Selector) -> SideListing:
        """The side's playlists; a playlist that cannot be read is an event, not an error."""
        ...

    def write(self, playlist: SidePlaylist, title: str, entries: Sequence[SideEntry]) -> None:
        """Make ``playlist`` hold ``entries`` in order, keeping its identity."""
        ...

    def new_ref(self, title: str, taken: set[str]) -> str:
        """The ref a new playlist titled ``title`` will get (files: a free, safe name)."""
        ...

    def create(self, title: str, entries: Sequence[SideEntry], ref: str) -> str:
        """Create a playlist (at ``ref`` where the side chooses names); returns its ref."""
        ...

    def delete(self, playlist: SidePlaylist) -> None: ...

    def close(self) -> None: ...


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path.replace("\\", "/")).casefold()


def _style_of(path: str) -> PathStyle:
    return PathStyle.WINDOWS if is_windows_path(path) else PathStyle.POSIX


def _basename(location: str) -> str:
    return location.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or location


# --- Plex ------------------------------------------------------------------------------------


class PlexPlaylistSide:
    """A Plex music library's playlists, as the library's token's account sees them."""

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

    def local_path(self, track: PlexTrack) -> str | None:
        """The first of the track's files that maps to a local path (the server's own path
        when the library has no mappings)."""
        for plex_path in track.file_paths:
            if not self.mappings:
                return plex_path
            local = map_plex_to_local(plex_path, self.mappings)
            if local is not None:
                return local
        return None

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
                listing.unreadable.add(ref)
                reporter.event(
                    "error", playlist.title, level="error", detail=f"{error.code}: {error}"
                )
                reporter.counter("errors")
                continue
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

    Rewritten files keep their name, encoding (a cp1252 ``.m3u`` stays cp1252 when it can) and
    line ends; new files are ``.m3u8`` in UTF-8. Entries are written relative to the file
    unless ``absolute_paths``.
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
                parsed = parse_playlist(
                    snapshot.data, playlist_path=path, path_style=self.path_style
                )
            except MediaFileError as error:
                listing.unreadable.add(name)
                reporter.event("error", name, level="error", detail=f"{error.code}: {error}")
                reporter.counter("errors")
                continue
            names = (parsed.title, title_from_file_name(name))
            if not selected(names):
                continue
            listing.playlists.append(
                SidePlaylist(
                    ref=name,
                    title=parsed.title,
                    entries=tuple(self.side_entry(entry) for entry in parsed.entries),
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
        rendered = render_playlist(
            Playlist(title=title, entries=tuple(parsed_entries)),
            playlist_path=path,
            path_style=self.path_style,
            absolute_paths=self.absolute_paths,
        )
        if like is None or like.snapshot is None:
            return rendered
        return encode_like(rendered, encoding=like.encoding, crlf=uses_crlf(like.snapshot.data))

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


# --- finding entries on the other side -------------------------------------------------------


@dataclass
class Resolution:
    """``found``: source ident -> the entry that stands for it on the other side;
    ``missing``: source ident -> why it has none."""

    found: dict[str, SideEntry] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


class EntryResolver(Protocol):
    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution: ...

    def b_to_a(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution: ...

    def commit(self) -> None:
        """Keep what scanning learnt (file states); real runs only."""
        ...

    def close(self) -> None: ...


class FolderCatalog:
    """The audio files of a music folder with their tags, scanned (through the ratings sync's
    file-state cache) the first time a run needs them, and only then."""

    def __init__(self, side: RatingSide) -> None:
        self._side = side
        self._tracks: list[TrackInfo] | None = None

    def tracks(self, reporter: Reporter) -> list[TrackInfo]:
        if self._tracks is None:
            items = self._side.scan(reporter, f"scanning {self._side.label}")
            self._tracks = [item.track for item in items]
        return self._tracks

    def commit(self) -> None:
        if self._tracks is not None:
            self._side.commit()

    def close(self) -> None:
        self._side.close()


def _distinct(entries: Iterable[SideEntry]) -> list[SideEntry]:
    seen: dict[str, SideEntry] = {}
    for entry in entries:
        seen.setdefault(entry.ident, entry)
    return list(seen.values())


def entry_track(entry: SideEntry, *, exists: Callable[[str], bool] = os.path.isfile) -> TrackInfo:
    """What matching knows about a file entry: the file's tags when it exists here, else its
    ``#EXTINF`` artist, title and duration."""
    parsed = entry.entry
    path = parsed.path if parsed is not None else None
    if path is not None and exists(path):
        try:
            meta = read_file(path).meta
        except MediaFileError:
            pass
        else:
            return TrackInfo(
                id=entry.ident,
                path=path,
                title=meta.title,
                artist=meta.artist,
                album=meta.album,
                album_artist=meta.album_artist,
                track_no=meta.track_number,
                disc_no=meta.disc_number,
                duration_s=meta.duration_s,
                mbid=meta.musicbrainz_recording_id,
            )
    return TrackInfo(
        id=entry.ident,
        path=path,
        title=parsed.title if parsed else None,
        artist=parsed.artist if parsed else None,
        duration_s=float(parsed.duration_s) if parsed and parsed.duration_s else None,
    )


def match_confident(
    sources: Sequence[TrackInfo], catalog: Sequence[TrackInfo], thresholds: MatchThresholds
) -> tuple[dict[str, str], dict[str, str]]:
    """(source id -> catalog id of confident matches, source id -> why the rest failed)."""
    if not sources:
        return {}, {}
    result = match_tracks(sources, catalog, thresholds=thresholds)
    found = {pair.a_id: pair.b_id for pair in result.confident}
    why = {
        pair.a_id: f"only a weak match ({pair.method.value} {pair.score:.0f}: {pair.note})"
        for pair in result.review
    }
    for source_id in result.unmatched_a:
        why[source_id] = "no track matches it by path or tags"
    return found, why


class PlexFolderResolver:
    """Entries between a Plex library (A) and playlist files (B); see the module docstring."""

    def __init__(
        self,
        plex: PlexPlaylistSide,
        music: FolderCatalog | None,
        thresholds: MatchThresholds,
        *,
        path_style: PathStyle = LOCAL_STYLE,
        exists: Callable[[str], bool] = os.path.isfile,
    ) -> None:
        self._plex = plex
        self._music = music
        self._thresholds = thresholds
        self._path_style = path_style
        self._exists = exists
        self._catalog: dict[str, PlexTrack] | None = None

    def _tracks(self, reporter: Reporter) -> dict[str, PlexTrack]:
        if self._catalog is None:
            catalog: dict[str, PlexTrack] = {}
            for section_id in self._plex.section_ids:
                reporter.progress(f"listing tracks of {self._plex.label}", 0, None)
                for track in self._plex.client.iter_tracks(section_id):
                    catalog[str(track.rating_key)] = track
                    if len(catalog) % 1000 == 0:
                        reporter.check_cancelled()
            self._catalog = catalog
        return self._catalog

    def b_to_a(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        resolution = Resolution()
        pending: list[SideEntry] = []
        for entry in _distinct(entries):
            if entry.entry is None or entry.entry.is_remote:
                resolution.missing[entry.ident] = "a web address; Plex playlists hold tracks"
            else:
                pending.append(entry)
        if not pending:
            return resolution
        tracks = self._tracks(reporter)
        exact: dict[str, list[str]] = defaultdict(list)
        folded: dict[str, list[str]] = defaultdict(list)
        server: dict[str, list[str]] = defaultdict(list)
        for key, track in tracks.items():
            local = self._plex.local_path(track)
            if local is not None:
                exact[local].append(key)
                folded[_fold(local)].append(key)
            for plex_path in track.file_paths:
                server[_fold(plex_path)].append(key)
        rest: list[SideEntry] = []
        for entry in pending:
            location = entry.ident
            for index, probe in (
                (exact, location),
                (folded, _fold(location)),
                (server, _fold(location)),
            ):
                keys = index.get(probe, [])
                if len(set(keys)) == 1:
                    resolution.found[location] = self._plex.side_entry(tracks[keys[0]])
                    break
            else:
                rest.append(entry)
        if rest:
            reporter.progress("matching entries by tags", 0, len(rest))
            found, why = match_confident(
                [entry_track(entry, exists=self._exists) for entry in rest],
                [self._plex.track_info(track) for track in tracks.values()],
                self._thresholds,
            )
            for source_id, key in found.items():
                resolution.found[source_id] = self._plex.side_entry(tracks[key])
            resolution.missing.update(why)
        return resolution

    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        resolution = Resolution()
        rest: list[SideEntry] = []
        for entry in _distinct(entries):
            track = entry.track
            path = track.path if track is not None else None
            if path is not None and self._exists(path):
                resolution.found[entry.ident] = self._file_entry(path, entry)
            else:
                rest.append(entry)
        if not rest:
            return resolution
        if self._music is None:
            for entry in rest:
                resolution.missing[entry.ident] = self._no_file(entry)
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
                resolution.found[entry.ident] = self._file_entry(local, entry)
            else:
                resolution.missing[entry.ident] = self._no_file(entry)
        return resolution

    @staticmethod
    def _no_file(entry: SideEntry) -> str:
        path = entry.track.path if entry.track is not None else None
        if path is None:
            return "no local file: no path mapping covers the server's path"
        return f"no local file: {path} does not exist here, and no file matches by tags"

    @staticmethod
    def _file_entry(path: str, source: SideEntry) -> SideEntry:
        track = source.track
        duration = track.duration_s if track is not None else None
        entry = PlaylistEntry.for_path(
            path,
            _style_of(path),
            duration_s=None if duration is None else round(duration),
            artist=track.artist if track is not None else None,
            title=track.title if track is not None else None,
        )
        return SideEntry(ident=entry.location, label=source.label, entry=entry)

    def commit(self) -> None:
        if self._music is not None:
            self._music.commit()

    def close(self) -> None:
        if self._music is not None:
            self._music.close()


def relative_under(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` when inside it (both absolute, this machine's style)."""
    root = os.path.normpath(root)
    prefix = root if root.endswith(os.sep) else root + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else None


class FolderFolderResolver:
    """Entries between two folders' playlist files; see the module docstring."""

    def __init__(
        self,
        root_a: str,
        root_b: str,
        catalog_a: FolderCatalog | None,
        catalog_b: FolderCatalog | None,
        thresholds: MatchThresholds,
        *,
        exists: Callable[[str], bool] = os.path.isfile,
    ) -> None:
        self._root_a = os.path.normpath(root_a)
        self._root_b = os.path.normpath(root_b)
        self._catalog_a = catalog_a
        self._catalog_b = catalog_b
        self._thresholds = thresholds
        self._exists = exists

    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        return self._translate(entries, self._root_a, self._root_b, self._catalog_b, reporter)

    def b_to_a(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        return self._translate(entries, self._root_b, self._root_a, self._catalog_a, reporter)

    def _translate(
        self,
        entries: Sequence[SideEntry],
        from_root: str,
        to_root: str,
        catalog: FolderCatalog | None,
        reporter: Reporter,
    ) -> Resolution:
        resolution = Resolution()
        rest: list[SideEntry] = []
        for entry in _distinct(entries):
            parsed = entry.entry
            if parsed is None or parsed.path is None:
                resolution.found[entry.ident] = entry  # a URL is the same everywhere
                continue
            relative = relative_under(parsed.path, from_root)
            if relative is None:
                resolution.found[entry.ident] = entry  # outside the music: the same file
                continue
            target = os.path.join(to_root, relative)
            if target == parsed.path or self._exists(target):
                resolution.found[entry.ident] = _moved(entry, target)
            else:
                rest.append(entry)
        if rest and catalog is not None:
            tracks = catalog.tracks(reporter)
            by_id = {track.id: track for track in tracks}
            found, why = match_confident(
                [entry_track(entry, exists=self._exists) for entry in rest],
                tracks,
                self._thresholds,
            )
            for entry in rest:
                match = found.get(entry.ident)
                path = by_id[match].path if match is not None else None
                if path is not None:
                    resolution.found[entry.ident] = _moved(entry, path)
                else:
                    resolution.missing[entry.ident] = why.get(entry.ident, "no file matches it")
        else:
            for entry in rest:
                resolution.missing[entry.ident] = f"no such file under {to_root}"
        return resolution

    def commit(self) -> None:
        for catalog in (self._catalog_a, self._catalog_b):
            if catalog is not None:
                catalog.commit()

    def close(self) -> None:
        for catalog in (self._catalog_a, self._catalog_b):
            if catalog is not None:
                catalog.close()


def _moved(entry: SideEntry, path: str) -> SideEntry:
    assert entry.entry is not None
    moved = replace(entry.entry, location=path, path_style=_style_of(path), raw="", line_number=0)
    return SideEntry(ident=path, label=entry.label, entry=moved)
