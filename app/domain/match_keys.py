"""What matching compares (pure): a track's facts, its normalised keys and the tag score.

:class:`TrackInfo` is what matching knows about one track; :class:`KeyMaker` normalises it into
:class:`TrackKeys` (:mod:`app.domain.normalize`, cached per distinct string);
:func:`score_keys` is the tag score of two tracks (0..100) that :mod:`app.domain.matching`
describes and uses in its mbid and fuzzy stages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz

from app.domain.normalize import album_key, artist_key, title_key

TITLE_WEIGHT = 0.5
ARTIST_WEIGHT = 0.3
ALBUM_WEIGHT = 0.2
UNKNOWN_SIMILARITY = 50.0
TRACK_NO_PENALTY = 8.0
DISC_NO_PENALTY = 8.0
DURATION_BASE_PENALTY = 10.0
DURATION_MAX_EXTRA_PENALTY = 20.0
MBID_MISMATCH_PENALTY = 20.0
TITLE_PREFIX_CHARS = 4


@dataclass(frozen=True, slots=True)
class TrackInfo:
    """What matching knows about one track. ``id`` is unique per side and stable (a Plex
    ratingKey, a file id); ``path`` is already mapped to this machine's form by the caller;
    ``mbid`` is the MusicBrainz *recording* id."""

    id: str
    path: str | None = None
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    album_artist: str | None = None
    track_no: int | None = None
    disc_no: int | None = None
    duration_s: float | None = None
    mbid: str | None = None


class TrackKeys(NamedTuple):
    """A track's normalised fields, ready for comparison (a tuple: cheap to build)."""

    title: str
    artist: str
    album: str
    track_no: int | None
    disc_no: int | None
    duration_s: float | None
    mbid: str


class KeyMaker:
    """Normalises tracks, caching per distinct string (artists and albums repeat a lot)."""

    def __init__(self) -> None:
        self._titles: dict[str, str] = {}
        self._artists: dict[str, str] = {}
        self._albums: dict[str, str] = {}

    def keys(self, track: TrackInfo) -> TrackKeys:
        return TrackKeys(
            title=_cached(self._titles, title_key, track.title),
            artist=_cached(self._artists, artist_key, track.artist or track.album_artist),
            album=_cached(self._albums, album_key, track.album),
            track_no=_positive(track.track_no),
            disc_no=_positive(track.disc_no),
            duration_s=track.duration_s if track.duration_s and track.duration_s > 0 else None,
            mbid=mbid_key(track.mbid),
        )


def _cached(cache: dict[str, str], make: Callable[[str], str], text: str | None) -> str:
    if not text:
        return ""
    key = cache.get(text)
    if key is None:
        key = cache[text] = make(text)
    return key


def _positive(number: int | None) -> int | None:
    return number if number is not None and number > 0 else None


def mbid_key(mbid: str | None) -> str:
    return mbid.strip().lower() if mbid else ""


def path_fold(path: str) -> str:
    return unicodedata.normalize("NFC", path.replace("\\", "/")).casefold()


def score_keys(x: TrackKeys, y: TrackKeys, duration_tolerance_s: float) -> float:
    if not x.title or not y.title:
        return 0.0
    artist = (
        fuzz.token_set_ratio(x.artist, y.artist) if x.artist and y.artist else UNKNOWN_SIMILARITY
    )
    album = fuzz.ratio(x.album, y.album) if x.album and y.album else UNKNOWN_SIMILARITY
    score = (
        TITLE_WEIGHT * fuzz.ratio(x.title, y.title) + ARTIST_WEIGHT * artist + ALBUM_WEIGHT * album
    )
    if x.track_no is not None and y.track_no is not None and x.track_no != y.track_no:
        score -= TRACK_NO_PENALTY
    if x.disc_no is not None and y.disc_no is not None and x.disc_no != y.disc_no:
        score -= DISC_NO_PENALTY
    if x.duration_s is not None and y.duration_s is not None:
        excess_s = abs(x.duration_s - y.duration_s) - duration_tolerance_s
        if excess_s > 0:
            score -= DURATION_BASE_PENALTY + min(DURATION_MAX_EXTRA_PENALTY, excess_s)
    if x.mbid and y.mbid and x.mbid != y.mbid:
        score -= MBID_MISMATCH_PENALTY
    return round(max(0.0, min(100.0, score)), 1)
