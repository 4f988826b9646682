"""A Subsonic server's songs as a rating side (one user's ratings).

The scan lists every song with paged ``search3`` (no per-song requests). Matching gets each
song's MusicBrainz recording id, its tags and, only when the library says the server reports
real paths, its path (relative ones joined to ``music_root``, then the path mappings applied):
Navidrome makes paths up unless "Report Real Path" is on, and a made-up path must never pair.

Writes are whole stars (:func:`app.domain.subsonic.stars_of`: half stars round up), each
verified by a re-read of the song; the value read back is what the run records, so a 3½★ sent
as 4★ is a lossy write the next run does not take for a new rating.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from app.domain.errors import CrossfadeError
from app.domain.match_keys import TrackInfo
from app.domain.paths import PathMapping, is_windows_path, map_plex_to_local
from app.domain.ratings.value import Rating
from app.domain.subsonic import StarredMapping, SubsonicSong, rating_of_stars, stars_of
from app.services.ports import RatingWrite, Reporter, SideItem, Written, never_stop
from app.services.ratings.sides import only_outcome
from app.services.subsonic.api import SubsonicApi

PROGRESS_EVERY = 1000


@dataclass(frozen=True, slots=True)
class SongPaths:
    """How a server's song paths become local ones: ``real_paths`` (else no path at all),
    ``music_root`` for relative paths (Supysonic reports them under its music folder), then
    the library's path mappings (server prefix → local prefix)."""

    real_paths: bool = False
    music_root: str | None = None
    mappings: tuple[PathMapping, ...] = ()

    def local(self, server_path: str | None) -> str | None:
        if not self.real_paths or not server_path:
            return None
        path = server_path
        absolute = path.startswith("/") or is_windows_path(path)
        if not absolute:
            if self.music_root is None:
                return None
            path = posixpath.join(self.music_root, path)
        if self.mappings:
            return map_plex_to_local(path, self.mappings)
        return path


@dataclass(frozen=True, slots=True)
class Starring:
    """The optional starred ↔ rating mapping (:class:`StarredMapping`)."""

    mapping: StarredMapping = StarredMapping.OFF
    threshold_stars: int = 5

    def read(self, song: SubsonicSong) -> Rating | None:
        rating = rating_of_stars(song.user_rating)
        if rating is None and song.starred and self.mapping is StarredMapping.THRESHOLD:
            return rating_of_stars(self.threshold_stars)
        return rating

    def starred_for(self, stars: int) -> bool | None:
        """Whether a song rated ``stars`` should be starred (``None``: leave it)."""
        if self.mapping is StarredMapping.OFF:
            return None
        return stars >= self.threshold_stars


def track_info(song: SubsonicSong, paths: SongPaths) -> TrackInfo:
    return TrackInfo(
        id=song.song_id,
        path=paths.local(song.path),
        title=song.title,
        artist=song.artist,
        album=song.album,
        album_artist=song.album_artist,
        track_no=song.track_no,
        disc_no=song.disc_no,
        duration_s=song.duration_s,
        mbid=song.mbid,
    )


_EVIDENCE: dict[tuple[Rating | None, bool], str] = {}


def evidence(rating: Rating | None, starred: bool) -> str:
    """Where the rating came from ("Subsonic 4★", "Subsonic unrated starred"), one shared
    string per value."""
    text = _EVIDENCE.get((rating, starred))
    if text is None:
        shown = "unrated" if rating is None else str(rating)
        text = _EVIDENCE[rating, starred] = f"Subsonic {shown}{' starred' if starred else ''}"
    return text


class SubsonicRatingSide:
    """One user's ratings on one Subsonic server."""

    holds_files = False
    scans_in_child = False

    def __init__(
        self,
        client: SubsonicApi,
        paths: SongPaths,
        *,
        label: str,
        starring: Starring = Starring(),
    ) -> None:
        self._client = client
        self._paths = paths
        self._starring = starring
        self.label = label

    def load_state(self) -> None:
        """Nothing of ours to load: the server is the state."""

    def _item(self, song: SubsonicSong) -> SideItem:
        rating = self._starring.read(song)
        paths = self._paths
        return SideItem(
            key=song.song_id,
            track=lambda: track_info(song, paths),  # built on first use only
            rating=rating,
            rated_at_s=None,
            evidence=evidence(rating, song.starred),
        )

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        items: list[SideItem] = []
        reporter.progress(phase, 0, None)
        for song in self._client.iter_songs():
            items.append(self._item(song))
            if len(items) % PROGRESS_EVERY == 0:
                reporter.check_cancelled()
                reporter.progress(phase, len(items), None)
        reporter.progress(phase, len(items), len(items))
        return items

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return only_outcome(self.write_many([RatingWrite(key, rating, rated_at_s)]))

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = never_stop
    ) -> Iterator[Written]:
        """``setRating`` in whole stars, then a re-read of the song (what it now holds)."""
        for write in writes:
            if should_stop():
                return
            try:
                yield self._write_one(write)
            except CrossfadeError as error:
                yield error

    def _write_one(self, write: RatingWrite) -> Rating | None:
        stars = stars_of(write.rating)
        self._client.set_rating(write.key, stars)
        starred = self._starring.starred_for(stars)
        if starred is not None:
            self._client.set_starred(write.key, starred)
        return self._starring.read(self._client.song(write.key))

    def read(self, key: str) -> Rating | None:
        return self._starring.read(self._client.song(key))

    def commit(self) -> None:
        """Every write is already on the server."""

    def close(self) -> None:
        self._client.close()
