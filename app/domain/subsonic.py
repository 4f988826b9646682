"""Subsonic servers, pure: the records a server's answers become (songs, playlists, the server
itself), how to reach one (:class:`SubsonicConnection`), and the rounding of our half-star
ratings to the whole stars the Subsonic API holds.

Rounding rule: a rating of *n* half stars is stored as ``ceil(n / 2)`` stars, so a half star
rounds **up** (3½★ → 4★, ½★ → 1★: a rated track never becomes unrated); whole stars are kept.
Reading back, *k* stars are *2k* half stars. The write is lossy: the ratings run records what
the server holds (a re-read) so that the rounded value never comes back as a new rating.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.domain.ratings.value import Rating


class AuthMode(StrEnum):
    """How requests prove who they are (see ``app.adapters.subsonic.auth``)."""

    AUTO = "auto"
    TOKEN = "token"  # noqa: S105 (a mode's name, not a token)
    PASSWORD = "password"  # noqa: S105 (a mode's name, not a password)
    API_KEY = "api_key"


class StarredMapping(StrEnum):
    """What "starred" (loved) means to the ratings sync. ``off`` (default): nothing, stars are
    left alone. ``threshold``: a rating at or above the threshold stars the track, a lower one
    (or none) unstars it, and a starred, unrated track reads as the threshold."""

    OFF = "off"
    THRESHOLD = "threshold"


@dataclass(frozen=True, slots=True)
class SubsonicConnection:
    """Where a server is and how to talk to it (the secret travels apart)."""

    base_url: str
    user: str
    auth: AuthMode = AuthMode.AUTO
    allow_password: bool = True
    timeout_s: float = 30.0
    max_requests_per_s: float = 20.0
    page_size: int = 500
    retries: int = 3  # a failed idempotent request is tried again this many times


def stars_of(rating: Rating | None) -> int:
    """The whole stars (0 = unrated, 1–5) a Subsonic server is given for ``rating``."""
    return 0 if rating is None else math.ceil(rating.half_stars / 2)


def rating_of_stars(stars: int | None) -> Rating | None:
    """Our rating of a server's ``userRating`` (absent or 0: unrated)."""
    return Rating(stars * 2) if stars is not None and 1 <= stars <= 5 else None


@dataclass(frozen=True, slots=True)
class SubsonicSong:
    """One song (a ``Child``). ``user_rating`` is 1–5 or ``None`` (absent: unrated);
    ``starred`` whether the user starred ("loved") it; ``path`` as the server reports it (real
    or made up: see docs/SUBSONIC.md); ``mbid`` the MusicBrainz recording id, if any."""

    song_id: str
    title: str | None
    artist: str | None
    album: str | None
    album_artist: str | None = None
    track_no: int | None = None
    disc_no: int | None = None
    duration_s: float | None = None
    path: str | None = None
    mbid: str | None = None
    user_rating: int | None = None
    starred: bool = False


@dataclass(frozen=True, slots=True)
class SubsonicPlaylist:
    """A playlist as ``getPlaylists`` lists it. ``changed``: when it last changed (absent on
    servers before API 1.14, e.g. Supysonic); ``readonly``: OpenSubsonic's flag (smart
    playlists); ``owner``: the user owning it (others' public playlists are listed too)."""

    playlist_id: str
    name: str
    owner: str | None
    song_count: int
    changed: datetime | None
    readonly: bool = False


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What "test connection" shows: the server's name and version, its API version, whether
    it speaks OpenSubsonic, its extensions, the auth mode that worked and any warnings."""

    api_version: str
    server_type: str | None
    server_version: str | None
    open_subsonic: bool
    extensions: tuple[str, ...]
    auth_mode: str
    warnings: tuple[str, ...] = ()
