"""Movie scans: make a section's movies equal what the scanner found (one item per title,
year and edition; a folder's files are its parts)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from plex_emulator.model import (
    Movie,
    MovieSource,
    Section,
)
from plex_emulator.state_core import OWNER_ACCOUNT_ID, Event, EventKind, ScanResult, StateCore
from plex_emulator.xmlrender import hex_id


class MovieScans(StateCore):
    """``apply_movie_scan`` and its helpers."""

    def apply_movie_scan(
        self,
        section_id: int,
        sources: Iterable[MovieSource],
        *,
        scope: Callable[[Movie], bool] | None = None,
        announce: bool = True,
    ) -> ScanResult:
        with self.lock:
            section = self.sections[section_id]
            now = self.clock()
            existing: dict[str, Movie] = {}
            for key in section.leaf_keys:
                movie = self.items.get(key)
                if isinstance(movie, Movie) and (scope is None or scope(movie)):
                    existing[self._movie_identity(movie.source)] = movie
            added: list[int] = []
            updated: list[int] = []
            seen: set[str] = set()
            for source in sources:
                identity = self._movie_identity(source)
                if identity in seen:
                    continue
                seen.add(identity)
                movie = existing.get(identity)
                if movie is None:
                    added.append(self._add_movie(section, source, identity, now))
                elif movie.source != source:
                    movie.source = source
                    movie.part_ids = tuple(self._new_part_id() for _ in source.parts)
                    movie.updated_at = now
                    updated.append(movie.rating_key)
            removed = [m.rating_key for i, m in existing.items() if i not in seen]
            for key in removed:
                self._remove_item(key)
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

    @staticmethod
    def _movie_identity(source: MovieSource) -> str:
        return f"{source.folder}\x00{source.title}\x00{source.year}\x00{source.edition}"

    def _add_movie(self, section: Section, source: MovieSource, identity: str, now: int) -> int:
        key = self._key_for(f"movie:{section.uuid}:{identity}")
        imdb = next((i for i in source.external_ids if i.startswith("imdb://")), None)
        guid_seed = imdb or f"{source.title}\x00{source.year}"
        movie = Movie(
            rating_key=key,
            section_id=section.section_id,
            source=source,
            part_ids=tuple(self._new_part_id() for _ in source.parts),
            guid=f"plex://movie/{hex_id(guid_seed)}",
            added_at=self._added(key, now),
            updated_at=now,
            edition_title=source.edition,
        )
        self.items[key] = movie
        return key
