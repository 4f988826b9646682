"""A Subsonic / OpenSubsonic client: connect (auth detected), list songs, rate, star, and
read and write playlists. See docs/SUBSONIC.md for what real servers do and why.

Listing is ``search3`` with a truly empty query (``query=``), ``songCount`` songs a page, until a
short page, deduplicated by id; a server that refuses it is listed album by album instead
(``getAlbumList2`` pages, then ``getAlbum`` each). Empty results may come as absent objects
(``"searchResult3": {}``): absent is empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Final

import httpx

from app.adapters.log_redaction import remember
from app.adapters.subsonic.auth import (
    MECHANISM_REFUSED,
    credentials,
    plain_http_warning,
)
from app.adapters.subsonic.transport import Envelope, Params, SubsonicTransport
from app.domain.errors import InvalidInput, SubsonicError, SubsonicUnauthorized
from app.domain.subsonic import (
    AuthMode,
    ServerInfo,
    SubsonicConnection,
    SubsonicPlaylist,
    SubsonicSong,
)

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 500
ALBUM_PAGE: Final = 500
ALREADY_MARKERS = ("already starred", "not starred")


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _text(value: object) -> str | None:
    return value if type(value) is str and value else None


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def song_of(child: dict[str, Any]) -> SubsonicSong:
    """A ``Child`` as a record; ``userRating`` outside 1–5 or absent is unrated. (Inlined type
    checks: a listing makes one per song.)"""
    get = child.get
    rating = get("userRating")
    duration = get("duration")
    track, disc = get("track"), get("discNumber")
    return SubsonicSong(
        song_id=str(child["id"]),
        title=_text(get("title")),
        artist=_text(get("artist")),
        album=_text(get("album")),
        album_artist=_text(get("displayAlbumArtist")) or _text(get("albumArtist")),
        track_no=track if type(track) is int else _int(track),
        disc_no=disc if type(disc) is int else _int(disc),
        duration_s=float(duration) if type(duration) in (int, float) and duration else None,
        path=_text(get("path")),
        mbid=_text(get("musicBrainzId")),
        user_rating=rating if type(rating) is int and 1 <= rating <= 5 else None,
        starred=bool(get("starred")),
    )


def _list(container: object, key: str) -> list[dict[str, Any]]:
    """``container[key]`` as a list: absent, ``{}`` and a lone object are all handled."""
    if not isinstance(container, dict):
        return []
    found = container.get(key)
    if isinstance(found, dict):
        return [found]
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


class SubsonicClient:
    """One user on one server. ``secret`` is the password (token and password modes) or the
    API key (``api_key`` mode, with no user). ``auto`` is resolved by the first request."""

    def __init__(
        self,
        base_url: str,
        user: str,
        secret: str,
        *,
        auth: AuthMode = AuthMode.AUTO,
        allow_password: bool = True,
        timeout_s: float = 30.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_rate_per_s: float = 50.0,
        page_size: int = PAGE_SIZE,
        http: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if auth is not AuthMode.API_KEY and not user:
            raise InvalidInput("a Subsonic user is needed unless an API key is used")
        extra = {} if sleep is None else {"sleep": sleep}
        self.transport = SubsonicTransport(
            base_url,
            timeout_s=timeout_s,
            retries=retries,
            backoff_s=backoff_s,
            max_rate_per_s=max_rate_per_s,
            http=http,
            **extra,
        )
        self.base_url = self.transport.base_url
        self.user = user
        self._secret = secret
        remember(secret, secret.encode("utf-8").hex())  # never in a log line, nor its hex
        self._mode: AuthMode | None = None if auth is AuthMode.AUTO else auth
        self._allow_password = allow_password
        self.page_size = page_size
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"SubsonicClient({self.base_url!r}, user={self.user!r})"

    def __enter__(self) -> SubsonicClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def requests(self) -> int:
        return self.transport.requests

    # --- auth ---------------------------------------------------------------------------

    @property
    def auth_mode(self) -> AuthMode:
        if self._mode is None:
            self._detect()
        assert self._mode is not None
        return self._mode

    def _detect(self) -> None:
        """Token first; the password only where the server refuses the mechanism."""
        try:
            self.transport.call("ping", (), credentials(AuthMode.TOKEN, self.user, self._secret))
            self._use(AuthMode.TOKEN)
            return
        except SubsonicError as error:
            if error.api_code not in MECHANISM_REFUSED:
                raise
            if not self._allow_password:
                raise SubsonicUnauthorized(
                    "the server does not take token auth and sending the password is not "
                    "allowed for this library",
                    server=self.base_url,
                    key="ping",
                    api_code=error.api_code,
                ) from None
        self.transport.call("ping", (), credentials(AuthMode.PASSWORD, self.user, self._secret))
        self._use(AuthMode.PASSWORD)

    def _use(self, mode: AuthMode) -> None:
        self._mode = mode
        warning = plain_http_warning(self.base_url, mode)
        if warning is not None and warning not in self.warnings:
            self.warnings.append(warning)
            log.warning("Subsonic %s: %s", self.base_url, warning)

    def call(
        self, method: str, params: Params = (), *, idempotent: bool = True, post: bool = False
    ) -> Envelope:
        mode = self.auth_mode
        return self.transport.call(
            method,
            params,
            credentials(mode, self.user, self._secret),
            idempotent=idempotent,
            post=post,
        )

    # --- connection test ----------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        """``ping`` (auth detected), then the OpenSubsonic extensions where the server has
        them (``getLicense`` is not needed: ``ping`` carries version and server type)."""
        envelope = self.call("ping")
        open_subsonic = bool(envelope.get("openSubsonic"))
        extensions: tuple[str, ...] = ()
        if open_subsonic:
            found = self.call("getOpenSubsonicExtensions")
            extensions = tuple(str(x.get("name")) for x in _list(found, "openSubsonicExtensions"))
        return ServerInfo(
            api_version=str(envelope.get("version", "")),
            server_type=_text(envelope.get("type")),
            server_version=_text(envelope.get("serverVersion")),
            open_subsonic=open_subsonic,
            extensions=extensions,
            auth_mode=self.auth_mode.value,
            warnings=tuple(self.warnings),
        )

    # --- songs ---------------------------------------------------------------------------

    def iter_songs(self) -> Iterator[SubsonicSong]:
        """Every song once: ``search3`` pages, or album by album where it is refused."""
        seen: set[str] = set()
        try:
            first = self._search_page(0)
        except SubsonicUnauthorized:
            raise
        except SubsonicError as error:
            if error.api_code is None:
                raise
            log.info("search3 refused (%s); listing album by album", error)
            yield from self._songs_by_album(seen)
            return
        page, offset = first, 0
        while True:
            for child in page:
                song = song_of(child)
                if song.song_id not in seen:
                    seen.add(song.song_id)
                    yield song
            if len(page) < self.page_size:
                return
            offset += len(page)
            page = self._search_page(offset)

    def _search_page(self, offset: int) -> list[dict[str, Any]]:
        envelope = self.call(
            "search3",
            [("query", ""), ("songCount", str(self.page_size)), ("songOffset", str(offset)),
             ("artistCount", "0"), ("albumCount", "0")],
        )  # fmt: skip
        return _list(envelope.get("searchResult3"), "song")

    def _songs_by_album(self, seen: set[str]) -> Iterator[SubsonicSong]:
        offset = 0
        while True:
            envelope = self.call(
                "getAlbumList2",
                [("type", "alphabeticalByName"), ("size", str(ALBUM_PAGE)),
                 ("offset", str(offset))],
            )  # fmt: skip
            albums = _list(envelope.get("albumList2"), "album")
            for album in albums:
                found = self.call("getAlbum", [("id", str(album["id"]))])
                for child in _list(found.get("album"), "song"):
                    song = song_of(child)
                    if song.song_id not in seen:
                        seen.add(song.song_id)
                        yield song
            if len(albums) < ALBUM_PAGE:
                return
            offset += len(albums)

    def song(self, song_id: str) -> SubsonicSong:
        envelope = self.call("getSong", [("id", song_id)])
        child = envelope.get("song")
        if not isinstance(child, dict):
            raise SubsonicError("getSong answered no song", server=self.base_url, key="getSong")
        return song_of(child)

    def set_rating(self, song_id: str, stars: int) -> None:
        """``stars`` 1–5, or 0 to clear (whole stars only: the API has nothing finer)."""
        if not 0 <= stars <= 5:
            raise InvalidInput(f"a Subsonic rating is 0–5 whole stars, not {stars}")
        self.call("setRating", [("id", song_id), ("rating", str(stars))])

    def set_starred(self, song_id: str, starred: bool) -> None:
        """Star or unstar; "already starred" (Supysonic) counts as done."""
        try:
            self.call("star" if starred else "unstar", [("id", song_id)])
        except SubsonicError as error:
            if not any(marker in error.reason.lower() for marker in ALREADY_MARKERS):
                raise

    # --- playlists -----------------------------------------------------------------------

    def playlists(self) -> list[SubsonicPlaylist]:
        envelope = self.call("getPlaylists")
        return [
            SubsonicPlaylist(
                playlist_id=str(p["id"]),
                name=str(p.get("name", "")),
                owner=_text(p.get("owner")),
                song_count=_int(p.get("songCount")) or 0,
                changed=_when(p.get("changed")),
                readonly=bool(p.get("readonly")),
            )
            for p in _list(envelope.get("playlists"), "playlist")
        ]

    def playlist_songs(self, playlist_id: str) -> list[SubsonicSong]:
        envelope = self.call("getPlaylist", [("id", playlist_id)])
        return [song_of(child) for child in _list(envelope.get("playlist"), "entry")]

    def create_playlist(self, name: str, song_ids: Sequence[str]) -> str:
        """A new playlist; its id from the answer (1.14+) or, when the body is empty
        (Supysonic), the one playlist of that name that was not there before."""
        before = {p.playlist_id for p in self.playlists()}
        params = [("name", name), *(("songId", song_id) for song_id in song_ids)]
        envelope = self.call("createPlaylist", params, idempotent=False, post=True)
        created = envelope.get("playlist")
        if isinstance(created, dict) and created.get("id") is not None:
            return str(created["id"])
        new = [p for p in self.playlists() if p.playlist_id not in before and p.name == name]
        if len(new) != 1:
            raise SubsonicError(
                f"created playlist {name!r} but cannot tell its id ({len(new)} candidates)",
                server=self.base_url,
                key="createPlaylist",
            )
        return new[0].playlist_id

    def replace_playlist(self, playlist_id: str, song_ids: Sequence[str]) -> None:
        """The whole list replaced, keeping the playlist's id (and its name)."""
        params = [("playlistId", playlist_id), *(("songId", song_id) for song_id in song_ids)]
        self.call("createPlaylist", params, post=True)

    def delete_playlist(self, playlist_id: str) -> None:
        self.call("deletePlaylist", [("id", playlist_id)])


def connect(
    connection: SubsonicConnection, secret: str, *, http: httpx.BaseTransport | None = None
) -> SubsonicClient:
    """A client for ``connection`` (nothing is sent until the first call)."""
    return SubsonicClient(
        connection.base_url,
        connection.user,
        secret,
        auth=connection.auth,
        allow_password=connection.allow_password,
        timeout_s=connection.timeout_s,
        max_rate_per_s=connection.max_requests_per_s,
        page_size=connection.page_size,
        retries=connection.retries,
        http=http,
    )
