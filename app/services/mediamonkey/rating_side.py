"""A MediaMonkey database as a rating side: every song listed in one query, ratings written
in one transaction per batch (the database's safety checks, backup and integrity check come
with it), each verified by a re-read.

Item keys are ``Songs.ID`` as text. A song's path is its Windows path mapped to this machine
through the library's path mappings (``D:\\Music`` → ``/music``), so matching goes by path
first, then by tags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.match_keys import TrackInfo
from app.domain.mediamonkey import rating_from_mm, rating_to_mm, unrated_value
from app.domain.paths import (
    PathMapping,
    SplitPath,
    is_windows_path,
    join_path,
    map_plex_to_local,
    split_path,
)
from app.domain.ratings.value import Rating
from app.services.mediamonkey.store import MediaMonkeyStore, StoreTrack
from app.services.ports import RatingWrite, Reporter, SideItem, Written, never_stop
from app.services.ratings.sides import only_outcome

log = logging.getLogger(__name__)
TagWriter = Callable[[str, Rating | None], None]  # local path, rating: the file's POPM


_EVIDENCE: dict[int | None, str] = {}
_RATINGS: dict[int | None, Rating | None] = {}


def _rating(value: int | None) -> Rating | None:
    """:func:`rating_from_mm`, once per distinct value (a scan reads 100,000)."""
    if value in _RATINGS:
        return _RATINGS[value]
    rating = _RATINGS[value] = rating_from_mm(value)
    return rating


def _evidence(value: int | None) -> str:
    text = _EVIDENCE.get(value)
    if text is None:
        text = _EVIDENCE[value] = f"MediaMonkey {'unrated' if value is None else value}"
    return text


class MediaMonkeyRatingSide:
    """``tag_writer``: also write the rating into the song's file (MediaMonkey's own POPM
    frame) after the database committed, so MediaMonkey never reads an older rating back
    from the file."""

    holds_files = False
    scans_in_child = False

    def __init__(
        self,
        open_store: Callable[[], MediaMonkeyStore],
        mappings: Sequence[PathMapping],
        *,
        label: str,
        tag_writer: TagWriter | None = None,
    ) -> None:
        self._open_store = open_store
        self._store: MediaMonkeyStore | None = None
        self._mappings = tuple(mappings)
        self._tag_writer = tag_writer
        self._paths: dict[int, str | None] = {}
        self._folders: dict[str, str | None] = {}
        self._prefixes: list[tuple[SplitPath, SplitPath]] | None = None
        self._unrated: int | None = None
        self.label = label
        self.tag_problems: list[str] = []

    @property
    def store(self) -> MediaMonkeyStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def local_path(self, windows_path: str | None) -> str | None:
        """The song's path on this machine through the mappings (as stored without any),
        mapped once per folder: an album's songs share one."""
        if windows_path is None or not self._mappings:
            return windows_path
        folder, _, name = windows_path.rpartition("\\")
        if not folder or not name:
            return map_plex_to_local(windows_path, self._mappings)
        if folder not in self._folders:
            self._folders[folder] = self._map_folder(folder)
        local_folder = self._folders[folder]
        if local_folder is None:
            return None
        separator = "\\" if is_windows_path(local_folder) else "/"
        return local_folder.rstrip(separator) + separator + name

    def _map_folder(self, folder: str) -> str | None:
        """:func:`map_plex_to_local` of a folder, the mappings' prefixes split only once."""
        if self._prefixes is None:
            self._prefixes = [
                (split_path(m.plex_prefix), split_path(m.local_prefix)) for m in self._mappings
            ]
        full = split_path(folder)
        anchor, parts = full.key()
        for head, target in self._prefixes:
            head_anchor, head_parts = head.key()
            if (
                full.windows == head.windows
                and anchor == head_anchor
                and parts[: len(head_parts)] == head_parts
            ):
                rest = full.parts[len(head.parts) :]
                return join_path(target.anchor, (*target.parts, *rest), windows=target.windows)
        return None

    def _item(self, track: StoreTrack) -> SideItem:
        key = str(track.id)
        path = self._paths[track.id] = self.local_path(track.path)
        return SideItem(
            key=key,
            track=lambda: TrackInfo(
                id=key,
                path=path,
                title=track.title or None,
                artist=track.artist or None,
                album=track.album or None,
                album_artist=track.album_artist or None,
                track_no=track.track_no,
                disc_no=track.disc_no,
                duration_s=track.length_s,
            ),
            rating=_rating(track.rating),
            rated_at_s=None,
            evidence=_evidence(track.rating),
        )

    def load_state(self) -> None:
        """Nothing cached: the database is the state."""

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        """Every song. A writing run first checks that it could write (schema, triggers,
        MediaMonkey closed, lock free): a SetupError here stops the run before any write."""
        store = self.store
        if not store.read_only:
            store.check_writable()
        tracks = store.tracks()
        reporter.progress(phase, 0, len(tracks))
        items = [self._item(track) for track in tracks]
        reporter.progress(phase, len(items), len(items))
        return items

    def _unrated_value(self) -> int:
        if self._unrated is None:
            counts = self.store.rating_counts()
            negatives = sum(n for value, n in counts.items() if value is None or value < 0)
            self._unrated = unrated_value(negatives, counts.get(0, 0))
        return self._unrated

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return only_outcome(self.write_many([RatingWrite(key, rating, rated_at_s)]))

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = never_stop
    ) -> Iterator[Written]:
        """All of ``writes`` in one transaction: every outcome the re-read rating, or every
        outcome the error that rolled them all back."""
        if not writes or should_stop():
            return
        try:
            values = {
                _song_id(w.key): rating_to_mm(w.rating, self._unrated_value()) for w in writes
            }
            reread = self.store.write_ratings(values)
        except CrossfadeError as error:
            for _ in writes:
                yield error
            return
        self._write_tags(writes)
        for write in writes:
            yield rating_from_mm(reread.get(_song_id(write.key)))

    def _write_tags(self, writes: Sequence[RatingWrite]) -> None:
        if self._tag_writer is None:
            return
        for write in writes:
            path = self._paths.get(_song_id(write.key))
            if path is None:
                path = self._path_of(_song_id(write.key))
            if path is None:
                self.tag_problems.append(f"song {write.key}: no local path for its file")
                continue
            try:
                self._tag_writer(path, write.rating)
            except CrossfadeError as error:
                self.tag_problems.append(f"song {write.key}: {error}")
        for problem in self.tag_problems:
            log.warning("MediaMonkey file tag not written: %s", problem)

    def _path_of(self, song_id: int) -> str | None:
        if not self._paths:
            self._paths = {t.id: self.local_path(t.path) for t in self.store.tracks()}
        return self._paths.get(song_id)

    def read(self, key: str) -> Rating | None:
        return rating_from_mm(self.store.ratings([_song_id(key)]).get(_song_id(key)))

    def commit(self) -> None:
        """Every write is already committed."""

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _song_id(key: str) -> int:
    if not key.isdigit():
        raise InvalidInput(f"not a MediaMonkey song id: {key!r}")
    return int(key)
