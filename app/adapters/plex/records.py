"""Plain records the Plex adapter returns, and the rating scale conversion.

Ratings: Plex sends ``userRating`` as a float 0–10 (``"8.0"``); ours is an int 1..10 in half
stars or None. Wire values round half up (7.5 -> 8); 0 and anything below 0.5 mean unrated.
Timestamps are aware UTC datetimes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.ratings.value import round_half_up

MBID_PREFIX = "mbid://"


@dataclass(frozen=True, slots=True)
class PlexIdentity:
    machine_identifier: str
    version: str | None


@dataclass(frozen=True, slots=True)
class PlexSection:
    section_id: int
    title: str
    kind: str  # "artist" (music), "movie", "show", "photo"
    uuid: str | None
    locations: tuple[str, ...]
    agent: str | None
    scanner: str | None
    refreshing: bool
    updated_at: datetime | None

    @property
    def is_music(self) -> bool:
        return self.kind == "artist"

    @property
    def is_movie(self) -> bool:
        return self.kind == "movie"


@dataclass(frozen=True, slots=True)
class PlexTrack:
    """One track as one account sees it.

    ``artist`` is the track artist (``originalTitle``, else ``grandparentTitle``);
    ``album_artist`` is ``grandparentTitle``. ``file_paths`` are every ``Media/Part@file`` as
    the server sees them; ``size_bytes`` is the first part's size.
    """

    rating_key: int
    section_id: int | None
    guid: str | None
    external_ids: tuple[str, ...]
    title: str
    artist: str | None
    album: str | None
    album_artist: str | None
    track_no: int | None
    disc_no: int | None
    duration_ms: int | None
    file_paths: tuple[str, ...]
    size_bytes: int | None
    user_rating: int | None
    last_rated_at: datetime | None
    updated_at: datetime | None
    added_at: datetime | None

    @property
    def mbid(self) -> str | None:
        """The MusicBrainz recording id from the ``mbid://`` guid, if the server has one."""
        for external in self.external_ids:
            if external.startswith(MBID_PREFIX):
                return external[len(MBID_PREFIX) :]
        return None


@dataclass(frozen=True, slots=True)
class PlexPlaylist:
    playlist_id: int
    title: str
    playlist_type: str | None
    smart: bool
    leaf_count: int
    duration_ms: int | None
    guid: str | None
    summary: str
    added_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PlexPlaylistItem:
    playlist_item_id: int
    track: PlexTrack


@dataclass(frozen=True, slots=True)
class PlaylistEdit:
    """What :meth:`PlexServerClient.replace_playlist_items` did."""

    removed: int
    added: int
    moved: int
    rebuilt: bool  # cleared and re-filled instead of edited in place


def rating_from_wire(value: str | None) -> int | None:
    """``"8.0"`` -> 8, ``"7.5"`` -> 8 (half up), ``"0"``/absent/garbage -> None."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    half_stars = round_half_up(number)
    if half_stars < 1:
        return None
    return min(half_stars, 10)


def rating_to_wire(rating: int | None) -> str:
    """Our rating as the ``rating`` parameter of ``/:/rate``: None clears (``-1``)."""
    if rating is None:
        return "-1"
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 10:
        raise ValueError(f"a rating is an int 1..10 or None, not {rating!r}")
    return str(rating)


def epoch_to_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def datetime_to_epoch(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return int(value.timestamp())
