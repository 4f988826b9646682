"""How an entry of one side of a playlists link is found on the other, with the matching of
the ratings sync: paths first, then :func:`app.domain.matching.match_tracks` for the rest.

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

from app.adapters.plex import PlexTrack
from app.adapters.tags import read_file
from app.domain.errors import MediaFileError
from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds, match_tracks
from app.domain.paths import is_windows_path
from app.domain.playlists.m3u import PathStyle, PlaylistEntry
from app.services.playlists.sides import LOCAL_STYLE, PlexPlaylistSide
from app.services.ports import RatingSide, Reporter, SideEntry


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path.replace("\\", "/")).casefold()


def file_entry(path: str, source: SideEntry) -> SideEntry:
    """The playlist-file entry of ``path`` (a local file) for the entry ``source`` of the other
    side, carrying its duration, artist and title for the ``#EXTINF`` line."""
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


def _style_of(path: str) -> PathStyle:
    return PathStyle.WINDOWS if is_windows_path(path) else PathStyle.POSIX


@dataclass
class Resolution:
    """``found``: source ident -> the entry that stands for it on the other side;
    ``missing``: source ident -> why it has none."""

    found: dict[str, SideEntry] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


class EntryResolver(Protocol):
    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution: ...

    def b_to_a(
        self, entries: Sequence[SideEntry], reporter: Reporter, known: Sequence[SideEntry] = ()
    ) -> Resolution:
        """Where B's entries are on A; ``known`` are A's entries, a hint to look there first."""
        ...

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
    sources: Sequence[TrackInfo],
    catalog: Sequence[TrackInfo],
    thresholds: MatchThresholds,
    *,
    confirmed: Iterable[tuple[str, str]] = (),
    rejected: Iterable[tuple[str, str]] = (),
) -> tuple[dict[str, str], dict[str, str]]:
    """(source id -> catalog id of confident matches, source id -> why the rest failed);
    ``confirmed`` and ``rejected``: earlier decisions as (source id, catalog id)."""
    if not sources:
        return {}, {}
    result = match_tracks(
        sources, catalog, confirmed=confirmed, rejected=rejected, thresholds=thresholds
    )
    found = {pair.a_id: pair.b_id for pair in result.confident}
    why = {
        pair.a_id: f"only a weak match ({pair.method.value} {pair.score:.0f}: {pair.note})"
        for pair in result.review
    }
    for source_id in result.unmatched_a:
        why[source_id] = "no track matches it by path or tags"
    return found, why


class _PathIndex:
    """Track ids by local path (exactly, then ignoring case and Unicode form) and by the
    server's own path; a path shared by several tracks finds none of them."""

    def __init__(self) -> None:
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._folded: dict[str, set[str]] = defaultdict(set)
        self._server: dict[str, set[str]] = defaultdict(set)

    def add_local(self, path: str, ident: str) -> None:
        self._exact[path].add(ident)
        self._folded[_fold(path)].add(ident)

    def add_server(self, path: str, ident: str) -> None:
        self._server[_fold(path)].add(ident)

    def find(self, location: str) -> str | None:
        folded = _fold(location)
        for index, probe in (
            (self._exact, location),
            (self._folded, folded),
            (self._server, folded),
        ):
            idents = index.get(probe)
            if idents is not None and len(idents) == 1:
                return next(iter(idents))
        return None

    def resolve(
        self,
        entries: Sequence[SideEntry],
        resolution: Resolution,
        entry_of: Callable[[str], SideEntry],
    ) -> list[SideEntry]:
        """Record the entries found in ``resolution``; returns the others."""
        rest: list[SideEntry] = []
        for entry in entries:
            ident = self.find(entry.ident)
            if ident is None:
                rest.append(entry)
            else:
                resolution.found[entry.ident] = entry_of(ident)
        return rest


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

    def b_to_a(
        self, entries: Sequence[SideEntry], reporter: Reporter, known: Sequence[SideEntry] = ()
    ) -> Resolution:
        """``known``: the tracks of the Plex side's playlists, tried first, so that a run whose
        files hold only those (the usual case) never lists the whole library."""
        resolution = Resolution()
        pending: list[SideEntry] = []
        for entry in _distinct(entries):
            if entry.entry is None or entry.entry.is_remote:
                resolution.missing[entry.ident] = "a web address; Plex playlists hold tracks"
            else:
                pending.append(entry)
        if not pending:
            return resolution
        by_ident = {entry.ident: entry for entry in known}
        local_index = _PathIndex()
        for entry in by_ident.values():
            if entry.track is not None and entry.track.path is not None:
                local_index.add_local(entry.track.path, entry.ident)
        rest = local_index.resolve(pending, resolution, by_ident.__getitem__)
        if not rest:
            return resolution
        tracks = self._tracks(reporter)
        index = _PathIndex()
        for key, track in tracks.items():
            local = self._plex.local_path(track)
            if local is not None:
                index.add_local(local, key)
            for plex_path in track.file_paths:
                index.add_server(plex_path, key)
        rest = index.resolve(rest, resolution, lambda key: self._plex.side_entry(tracks[key]))
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
                resolution.found[entry.ident] = file_entry(path, entry)
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
                resolution.found[entry.ident] = file_entry(local, entry)
            else:
                resolution.missing[entry.ident] = self._no_file(entry)
        return resolution

    @staticmethod
    def _no_file(entry: SideEntry) -> str:
        path = entry.track.path if entry.track is not None else None
        if path is None:
            return "no local file: no path mapping covers the server's path"
        return f"no local file: {path} does not exist here, and no file matches by tags"

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

    def b_to_a(
        self, entries: Sequence[SideEntry], reporter: Reporter, known: Sequence[SideEntry] = ()
    ) -> Resolution:
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
