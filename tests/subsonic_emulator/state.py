"""The emulator's state: users, songs, per-user ratings and stars, playlists."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class EmulatorSong:
    song_id: str
    title: str
    artist: str
    album: str
    album_id: str
    track: int | None = None
    disc: int | None = None
    duration_s: int = 180
    real_path: str = ""  # absolute, as Navidrome's mf.AbsolutePath()
    suffix: str = "mp3"
    mbid: str = ""


@dataclass
class EmulatorPlaylist:
    playlist_id: str
    name: str
    owner: str
    song_ids: list[str]
    changed: datetime
    readonly: bool = False  # a smart playlist
    public: bool = False


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Library:
    """Everything the server knows. ``report_real_path``: songs show their absolute path
    (Navidrome's per-player "Report Real Path"), else Navidrome's made-up one."""

    passwords: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)  # key -> user
    songs: dict[str, EmulatorSong] = field(default_factory=dict)
    ratings: dict[str, dict[str, int]] = field(default_factory=dict)  # user -> song -> 1..5
    starred: dict[str, dict[str, str]] = field(default_factory=dict)  # user -> song -> date
    playlists: dict[str, EmulatorPlaylist] = field(default_factory=dict)
    report_real_path: bool = False
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_user(self, user: str, password: str, *, api_key: str | None = None) -> None:
        self.passwords[user] = password
        if api_key is not None:
            self.api_keys[api_key] = user

    def add_song(self, song: EmulatorSong) -> EmulatorSong:
        self.songs[song.song_id] = song
        return song

    def add_synthetic(self, count: int, *, per_album: int = 10, root: str = "/music") -> None:
        """``count`` songs, ``per_album`` an album, ids ``s<n>``."""
        for n in range(count):
            album_no = n // per_album
            artist = f"Artist {album_no // 5}"
            album = f"Album {album_no}"
            self.add_song(
                EmulatorSong(
                    song_id=f"s{n}",
                    title=f"Song {n}",
                    artist=artist,
                    album=album,
                    album_id=f"al{album_no}",
                    track=n % per_album + 1,
                    real_path=f"{root}/{artist}/{album}/{n % per_album + 1:02d} Song {n}.mp3",
                )
            )

    def add_playlist(
        self, owner: str, name: str, song_ids: list[str], *, readonly: bool = False
    ) -> EmulatorPlaylist:
        playlist = EmulatorPlaylist(
            playlist_id=f"pl{next(self._ids)}",
            name=name,
            owner=owner,
            song_ids=list(song_ids),
            changed=_now(),
            readonly=readonly,
        )
        self.playlists[playlist.playlist_id] = playlist
        return playlist

    def touch(self, playlist: EmulatorPlaylist) -> None:
        playlist.changed = _now()

    def rating(self, user: str, song_id: str) -> int | None:
        return self.ratings.get(user, {}).get(song_id)

    def set_rating(self, user: str, song_id: str, rating: int) -> None:
        mine = self.ratings.setdefault(user, {})
        if rating == 0:
            mine.pop(song_id, None)
        else:
            mine[song_id] = rating
