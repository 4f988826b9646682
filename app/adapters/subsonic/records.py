"""Plain records of what a Subsonic server answers: songs, playlists, the server itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
