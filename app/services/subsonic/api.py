"""What the Subsonic sides need from a server client (``app.adapters.subsonic``'s
``SubsonicClient`` is the one in use; the composition root hands in a factory)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from app.domain.subsonic import ServerInfo, SubsonicConnection, SubsonicPlaylist, SubsonicSong


class SubsonicApi(Protocol):
    base_url: str

    def server_info(self) -> ServerInfo: ...

    def iter_songs(self) -> Iterator[SubsonicSong]: ...

    def song(self, song_id: str) -> SubsonicSong: ...

    def set_rating(self, song_id: str, stars: int) -> None: ...

    def set_starred(self, song_id: str, starred: bool) -> None: ...

    def playlists(self) -> list[SubsonicPlaylist]: ...

    def playlist_songs(self, playlist_id: str) -> list[SubsonicSong]: ...

    def create_playlist(self, name: str, song_ids: Sequence[str]) -> str: ...

    def replace_playlist(self, playlist_id: str, song_ids: Sequence[str]) -> None: ...

    def delete_playlist(self, playlist_id: str) -> None: ...

    def close(self) -> None: ...


SubsonicClientFactory = Callable[[SubsonicConnection, str], SubsonicApi]
