"""Music scans: make a section's tracks equal what the scanner found, building artists and
albums from the tags and keeping every file's rating key."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from plex_emulator.model import (
    Album,
    Artist,
    Section,
    Track,
    TrackSource,
)
from plex_emulator.state_core import OWNER_ACCOUNT_ID, Event, EventKind, ScanResult, StateCore
from plex_emulator.xmlrender import hex_id


class MusicScans(StateCore):
    """``apply_music_scan`` and the album bookkeeping it needs."""

    def apply_music_scan(
        self,
        section_id: int,
        sources: Iterable[TrackSource],
        *,
        scope: Callable[[Track], bool] | None = None,
        announce: bool = True,
    ) -> ScanResult:
        """Make the section's tracks within ``scope`` (all when None) equal ``sources``."""
        with self.lock:
            section = self.sections[section_id]
            now = self.clock()
            existing = {
                t.source.plex_path: t for t in self._tracks_of(section) if scope is None or scope(t)
            }
            added: list[int] = []
            updated: list[int] = []
            seen: set[str] = set()
            for source in sources:
                if source.plex_path in seen:
                    continue
                seen.add(source.plex_path)
                track = existing.get(source.plex_path)
                if track is None:
                    added.append(self._add_track(section, source, now))
                elif track.source != source:
                    self._detach_track(track)
                    track.source = source
                    track.updated_at = now
                    self._attach_track(section, track, now)
                    updated.append(track.rating_key)
            removed = [t.rating_key for p, t in existing.items() if p not in seen]
            for key in removed:
                self._remove_item(key)
            self._sort_albums()
            if added or removed:
                section.leaf_keys = sorted(
                    k for k in (*section.leaf_keys, *added) if k in self.items
                )
            if added or updated or removed:
                section.updated_at = now
                self._rebuild_fragments(section, set(added) | set(updated))
            section.scanned_at = now
            result = ScanResult(tuple(added), tuple(updated), tuple(removed))
        self.notify_changed()
        if announce and OWNER_ACCOUNT_ID in self.accounts:
            for key in result.added:
                self._emit(Event(EventKind.LIBRARY_NEW, self.owner, key))
        return result

    def _tracks_of(self, section: Section) -> list[Track]:
        return [t for k in section.leaf_keys if isinstance(t := self.items.get(k), Track)]

    def _add_track(self, section: Section, source: TrackSource, now: int) -> int:
        key = self._key_for(f"track:{section.uuid}:{source.plex_path}")
        guid = (
            f"plex://track/{hex_id(source.mbid_recording)}"
            if source.mbid_recording
            else f"local://{key}"
        )
        track = Track(
            rating_key=key,
            section_id=section.section_id,
            source=source,
            album_key=0,
            artist_key=0,
            part_id=self._new_part_id(),
            guid=guid,
            added_at=self._added(key, now),
            updated_at=now,
        )
        self.items[key] = track
        self._attach_track(section, track, now)
        return key

    def _attach_track(self, section: Section, track: Track, now: int) -> None:
        src = track.source
        artist_id = f"artist:{section.uuid}:{src.album_artist}"
        artist_key = self._key_registry.get(artist_id)
        artist = self.items.get(artist_key) if artist_key is not None else None
        if not isinstance(artist, Artist):
            artist_key = self._key_for(artist_id)
            guid_src = src.mbid_artist or src.album_artist
            artist = Artist(
                rating_key=artist_key,
                section_id=section.section_id,
                title=src.album_artist,
                guid=f"plex://artist/{hex_id(guid_src)}",
                added_at=self._added(artist_key, now),
                updated_at=now,
            )
            self.items[artist_key] = artist
            section.artist_keys.append(artist_key)
        album_id = f"album:{section.uuid}:{src.album_artist}\x00{src.album}"
        album_key = self._key_registry.get(album_id)
        album = self.items.get(album_key) if album_key is not None else None
        if not isinstance(album, Album):
            album_key = self._key_for(album_id)
            album = Album(
                rating_key=album_key,
                section_id=section.section_id,
                title=src.album,
                artist_key=artist.rating_key,
                year=src.year,
                guid=f"plex://album/{hex_id(src.mbid_release or src.album_artist, src.album)}",
                mbid_release=src.mbid_release,
                added_at=self._added(album_key, now),
                updated_at=now,
            )
            self.items[album_key] = album
            artist.album_keys.append(album_key)
            section.album_keys.append(album_key)
        track.album_key = album.rating_key
        track.artist_key = artist.rating_key
        album.track_keys.append(track.rating_key)
        self._unsorted_albums.add(album.rating_key)

    def _sort_albums(self) -> None:
        for key in self._unsorted_albums:
            album = self.items.get(key)
            if isinstance(album, Album):
                album.track_keys.sort(key=self._album_order)
        self._unsorted_albums.clear()

    def _album_order(self, key: int) -> tuple[int, int, str, int]:
        track = self.items[key]
        assert isinstance(track, Track)
        src = track.source
        return (src.disc_no or 1, src.track_no or 0, src.title.casefold(), key)
