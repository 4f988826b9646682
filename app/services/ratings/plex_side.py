"""A Plex music library as a rating side: its tracks listed (in a child process when the run
has worker processes), ratings set one request each and verified a batch at a time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from app.adapters.plex import PlexServerClient, PlexTrack
from app.adapters.plex.listing_process import iter_tracks_in_child
from app.domain.errors import PlexError, PlexNotFound
from app.domain.match_keys import TrackInfo
from app.domain.paths import PathMapping, map_plex_to_local
from app.domain.ratings.value import Rating
from app.services.ports import RatingWrite, Reporter, SideItem, Written, never_stop
from app.services.ratings.sides import only_outcome, stop_check

_RATINGS = {half_stars: Rating(half_stars) for half_stars in range(1, 11)}


def _rating_of(half_stars: int | None) -> Rating | None:
    """The rating of ``half_stars`` (one shared value per rating: a scan makes 100,000)."""
    if half_stars is None:
        return None
    return _RATINGS.get(half_stars) or Rating(half_stars)


_PLEX_EVIDENCE: dict[Rating | None, str] = {}
VERIFY_BATCH = 100  # Plex writes verified by one re-read per this many


def plex_evidence(rating: Rating | None) -> str:
    text = _PLEX_EVIDENCE.get(rating)
    if text is None:
        text = _PLEX_EVIDENCE[rating] = f"Plex {rating if rating is not None else 'unrated'}"
    return text


class PlexRatingSide:
    """A Plex music library as one account sees it: one or more sections of one server."""

    holds_files = False

    def __init__(
        self,
        client: PlexServerClient,
        section_ids: Sequence[int],
        mappings: Sequence[PathMapping],
        *,
        label: str,
        list_in_child: bool = False,
    ) -> None:
        self._client = client
        self._section_ids = tuple(section_ids)
        self._mappings = tuple(mappings)
        self.label = label
        self.scans_in_child = list_in_child

    def _local_path(self, track: PlexTrack) -> str | None:
        """The first of the track's files this process can open (as the server shows it when
        the library has no path mappings)."""
        if not self._mappings:
            return track.file_paths[0] if track.file_paths else None
        for plex_path in track.file_paths:
            local_path = map_plex_to_local(plex_path, self._mappings)
            if local_path is not None:
                return local_path
        return None

    def _track_info(self, track: PlexTrack, key: str) -> TrackInfo:
        return TrackInfo(
            id=key,
            path=self._local_path(track),
            title=track.title,
            artist=track.artist,
            album=track.album,
            album_artist=track.album_artist,
            track_no=track.track_no,
            disc_no=track.disc_no,
            duration_s=None if track.duration_ms is None else track.duration_ms / 1000,
            mbid=track.mbid,
        )

    def _item(self, track: PlexTrack) -> SideItem:
        rating = _rating_of(track.user_rating)
        rated_at = track.last_rated_at.timestamp() if track.last_rated_at else None
        key = str(track.rating_key)
        return SideItem(
            key=key,
            track=lambda: self._track_info(track, key),
            rating=rating,
            rated_at_s=rated_at,
            evidence=plex_evidence(rating),
        )

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        items: list[SideItem] = []
        for section_id in self._section_ids:
            total = self._client.count_tracks(section_id)
            done_before = len(items)
            reporter.progress(phase, done_before, total)
            tracks = (
                iter_tracks_in_child(self._client, section_id, should_stop=stop_check(reporter))
                if self.scans_in_child
                else self._client.iter_tracks(section_id)
            )
            for track in tracks:
                items.append(self._item(track))
                if len(items) % 1000 == 0:
                    reporter.check_cancelled()
                    reporter.progress(phase, len(items) - done_before, total)
        return items

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return only_outcome(self.write_many([RatingWrite(key, rating, rated_at_s)]))

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = never_stop
    ) -> Iterator[Written]:
        """Ratings set one request each, then verified a batch at a time by one re-read of
        the batch's tracks (``/library/metadata/k1,k2,…``)."""
        for start in range(0, len(writes), VERIFY_BATCH):
            batch = writes[start : start + VERIFY_BATCH]
            sent: list[Written] = []
            stopped = False
            for write in batch:
                if should_stop():
                    stopped = True
                    break
                try:
                    self._send(write)
                    sent.append(None)
                except PlexError as error:
                    sent.append(error)
            yield from self._verified(batch[: len(sent)], sent)
            if stopped:
                return

    def _send(self, write: RatingWrite) -> None:
        rated_at = None
        if write.rated_at_s is not None and write.rating is not None:
            rated_at = datetime.fromtimestamp(min(write.rated_at_s, time.time()), UTC)
        self._client.rate(
            int(write.key),
            None if write.rating is None else write.rating.half_stars,
            rated_at=rated_at,
        )

    def _verified(self, writes: Sequence[RatingWrite], sent: Sequence[Written]) -> list[Written]:
        keys = [int(w.key) for w, error in zip(writes, sent, strict=True) if error is None]
        try:
            tracks = self._client.get_tracks(keys)
        except PlexError as error:
            return [error if outcome is None else outcome for outcome in sent]
        outcomes: list[Written] = []
        for write, outcome in zip(writes, sent, strict=True):
            if outcome is not None:
                outcomes.append(outcome)
                continue
            track = tracks.get(int(write.key))
            if track is None:
                outcomes.append(
                    PlexNotFound(
                        "gone after its rating was set",
                        server=self._client.base_url,
                        key=f"/library/metadata/{write.key}",
                    )
                )
            else:
                outcomes.append(_rating_of(track.user_rating))
        return outcomes

    def read(self, key: str) -> Rating | None:
        return _rating_of(self._client.get_track(int(key)).user_rating)

    def load_state(self) -> None:
        """Nothing to load: the listing is the state."""

    def commit(self) -> None:
        """Nothing to persist: Plex keeps its own state."""

    def close(self) -> None:
        self._client.close()
