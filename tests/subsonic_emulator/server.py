"""The emulator's HTTP face: a WSGI app answering ``/rest/<method>[.view]`` in JSON.

Behaviour taken from the OpenSubsonic spec and Navidrome (see docs/SUBSONIC.md): errors come
with HTTP 200 and ``status: failed``; ``userRating`` is omitted when unrated and
``musicBrainzId`` is ``""`` when unknown; ``search3`` with an empty query lists everything in a
stable order; ``star`` is idempotent and skips unknown ids; ``createPlaylist`` answers the
playlist; playlists carry ``changed`` and ``readonly`` (smart ones refuse writes with 50).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx

from tests.subsonic_emulator.state import EmulatorPlaylist, EmulatorSong, Library

Params = dict[str, list[str]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Fault(StrEnum):
    """What the next request meets instead of an answer."""

    HTTP_500 = "http_500"
    HTTP_503 = "http_503"
    TIMEOUT = "timeout"
    FAILED = "failed"  # HTTP 200, status failed, code 0
    NONE = "none"  # answered as usual (to aim a later fault at a later request)


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


MISSING = ApiError(10, "Required parameter is missing")
WRONG = ApiError(40, "Wrong username or password")
NOT_FOUND = ApiError(70, "Requested data was not found")


@dataclass
class SubsonicEmulator:
    """``token_auth``/``api_key_auth``: the mechanisms it takes (Navidrome: token yes, API key
    no). ``faults``: what the next requests meet, in order (see :func:`transport`)."""

    library: Library = field(default_factory=Library)
    token_auth: bool = True
    api_key_auth: bool = True
    server_type: str = "crossfade-emulator"
    form_post: bool = True  # POST accepted (the formPost extension); else 405
    faults: list[Fault] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # the method of every request answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- WSGI -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("PATH_INFO", "").rsplit("/", 1)[-1].removesuffix(".view")
        params: Params = {}
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if environ.get("REQUEST_METHOD") == "POST":
            if not self.form_post:
                start_response("405 Method Not Allowed", [("Content-Type", "text/plain")])
                return [b"GET only"]
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode("utf-8")
            pairs += parse_qsl(body, keep_blank_values=True)
        for name, value in pairs:
            params.setdefault(name, []).append(value)
        with self.lock:
            self.log.append(method)
            fault = self.faults.pop(0) if self.faults else None
            if fault in (Fault.HTTP_500, Fault.HTTP_503):
                status = "500 Internal Server Error" if fault is Fault.HTTP_500 else "503 Busy"
                start_response(status, [("Content-Type", "text/plain")])
                return [b"busy"]
            try:
                if fault is Fault.FAILED:
                    raise ApiError(0, "injected failure")
                answer = self._answer(method, params)
                body_obj = {"status": "ok", **answer}
            except ApiError as error:
                body_obj = {"status": "failed", "error": {"code": error.code,
                                                          "message": error.message}}  # fmt: skip
        envelope = {"version": "1.16.1", "type": self.server_type, "serverVersion": "0.1",
                    "openSubsonic": True, **body_obj}  # fmt: skip
        data = json.dumps({"subsonic-response": envelope}).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [data]

    # --- auth -------------------------------------------------------------------------

    def _user(self, params: Params) -> str:
        one = {name: values[0] for name, values in params.items()}
        if "apiKey" in one:
            if not self.api_key_auth:
                raise ApiError(42, "Provided authentication mechanism not supported")
            if "u" in one:
                raise ApiError(43, "Multiple conflicting authentication mechanisms provided")
            user = self.library.api_keys.get(one["apiKey"])
            if user is None:
                raise ApiError(44, "Invalid API key")
            return user
        user = one.get("u")
        if not user:
            raise MISSING
        password = self.library.passwords.get(user)
        if "t" in one and "s" in one:
            if not self.token_auth:
                raise ApiError(41, "Token authentication not supported")
            expected = hashlib.md5(
                ((password or "") + one["s"]).encode("utf-8"), usedforsecurity=False
            ).hexdigest()
            if password is None or one["t"].lower() != expected:
                raise WRONG
            return user
        given = one.get("p")
        if given is None:
            raise MISSING
        if given.startswith("enc:"):
            given = bytes.fromhex(given[4:]).decode("utf-8")
        if password is None or given != password:
            raise WRONG
        return user

    # --- methods ----------------------------------------------------------------------

    def _answer(self, method: str, params: Params) -> dict[str, Any]:
        user = self._user(params)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise ApiError(0, f"Unknown method {method}")
        result: dict[str, Any] = handler(user, params)
        return result

    def _m_ping(self, user: str, params: Params) -> dict[str, Any]:
        return {}

    def _m_getLicense(self, user: str, params: Params) -> dict[str, Any]:
        return {"license": {"valid": True}}

    def _m_getOpenSubsonicExtensions(self, user: str, params: Params) -> dict[str, Any]:
        extensions = [{"name": "formPost", "versions": [1]}] if self.form_post else []
        if self.api_key_auth:
            extensions.append({"name": "apiKeyAuthentication", "versions": [1]})
        return {"openSubsonicExtensions": extensions}

    def _child(self, user: str, song: EmulatorSong) -> dict[str, Any]:
        child: dict[str, Any] = {
            "id": song.song_id, "isDir": False, "title": song.title, "album": song.album,
            "artist": song.artist, "albumId": song.album_id, "duration": song.duration_s,
            "suffix": song.suffix, "type": "music", "musicBrainzId": song.mbid,
            "path": song.real_path if self.library.report_real_path else _fake_path(song),
        }  # fmt: skip
        if song.track is not None:
            child["track"] = song.track
        if song.disc is not None:
            child["discNumber"] = song.disc
        rating = self.library.rating(user, song.song_id)
        if rating:
            child["userRating"] = rating
        starred = self.library.starred.get(user, {}).get(song.song_id)
        if starred:
            child["starred"] = starred
        return child

    def _m_search3(self, user: str, params: Params) -> dict[str, Any]:
        query = _one(params, "query")
        if query is None:
            raise MISSING
        count = int(_one(params, "songCount") or 20)
        offset = int(_one(params, "songOffset") or 0)
        query = query.strip('"').lower()
        every = self.library.songs.values()
        found = (s for s in every if query in s.title.lower()) if query else iter(every)
        page = list(itertools.islice(found, offset, offset + count))
        if not page:
            return {"searchResult3": {}}  # Navidrome and Supysonic omit empty lists
        return {"searchResult3": {"song": [self._child(user, s) for s in page]}}

    def _albums(self) -> dict[str, list[EmulatorSong]]:
        albums: dict[str, list[EmulatorSong]] = {}
        for song in self.library.songs.values():
            albums.setdefault(song.album_id, []).append(song)
        return albums

    def _m_getAlbumList2(self, user: str, params: Params) -> dict[str, Any]:
        size = int(_one(params, "size") or 10)
        offset = int(_one(params, "offset") or 0)
        albums = sorted(self._albums().items(), key=lambda kv: kv[1][0].album)
        page = [{"id": album_id, "name": songs[0].album, "songCount": len(songs)}
                for album_id, songs in albums[offset : offset + size]]  # fmt: skip
        return {"albumList2": {"album": page} if page else {}}

    def _m_getAlbum(self, user: str, params: Params) -> dict[str, Any]:
        songs = self._albums().get(_one(params, "id") or "")
        if not songs:
            raise NOT_FOUND
        return {"album": {"id": songs[0].album_id, "name": songs[0].album,
                          "song": [self._child(user, s) for s in songs]}}  # fmt: skip

    def _song(self, song_id: str | None) -> EmulatorSong:
        song = self.library.songs.get(song_id or "")
        if song is None:
            raise NOT_FOUND
        return song

    def _m_getSong(self, user: str, params: Params) -> dict[str, Any]:
        return {"song": self._child(user, self._song(_one(params, "id")))}

    def _m_setRating(self, user: str, params: Params) -> dict[str, Any]:
        song = self._song(_one(params, "id"))
        rating = _one(params, "rating")
        if rating is None:
            raise MISSING
        self.library.set_rating(user, song.song_id, int(rating))  # Navidrome: no range check
        return {}

    def _m_star(self, user: str, params: Params) -> dict[str, Any]:
        mine = self.library.starred.setdefault(user, {})
        for song_id in params.get("id", []):
            if song_id in self.library.songs:  # Navidrome skips unknown ids
                mine.setdefault(song_id, datetime.now(UTC).isoformat())
        return {}

    def _m_unstar(self, user: str, params: Params) -> dict[str, Any]:
        mine = self.library.starred.setdefault(user, {})
        for song_id in params.get("id", []):
            mine.pop(song_id, None)
        return {}

    def _playlist_json(self, playlist: EmulatorPlaylist) -> dict[str, Any]:
        songs = [self.library.songs[i] for i in playlist.song_ids if i in self.library.songs]
        return {"id": playlist.playlist_id, "name": playlist.name, "owner": playlist.owner,
                "public": playlist.public, "songCount": len(songs),
                "duration": sum(s.duration_s for s in songs),
                "created": playlist.changed.isoformat(), "changed": playlist.changed.isoformat(),
                "readonly": playlist.readonly}  # fmt: skip

    def _visible(self, user: str) -> list[EmulatorPlaylist]:
        return [p for p in self.library.playlists.values() if p.owner == user or p.public]

    def _m_getPlaylists(self, user: str, params: Params) -> dict[str, Any]:
        found = [self._playlist_json(p) for p in self._visible(user)]
        return {"playlists": {"playlist": found} if found else {}}

    def _playlist(self, user: str, playlist_id: str | None) -> EmulatorPlaylist:
        playlist = self.library.playlists.get(playlist_id or "")
        if playlist is None or playlist not in self._visible(user):
            raise NOT_FOUND
        return playlist

    def _m_getPlaylist(self, user: str, params: Params) -> dict[str, Any]:
        playlist = self._playlist(user, _one(params, "id"))
        entries = [self._child(user, self.library.songs[i])
                   for i in playlist.song_ids if i in self.library.songs]  # fmt: skip
        return {"playlist": {**self._playlist_json(playlist), "entry": entries}}

    def _m_createPlaylist(self, user: str, params: Params) -> dict[str, Any]:
        song_ids = params.get("songId", [])
        for song_id in song_ids:
            self._song(song_id)
        playlist_id = _one(params, "playlistId")
        if playlist_id is None:
            name = _one(params, "name")
            if not name:
                raise MISSING
            playlist = self.library.add_playlist(user, name, song_ids)
        else:
            playlist = self._writable(user, playlist_id)
            playlist.song_ids = list(song_ids)
            playlist.name = _one(params, "name") or playlist.name
            self.library.touch(playlist)
        return self._m_getPlaylist(user, {"id": [playlist.playlist_id]})

    def _writable(self, user: str, playlist_id: str) -> EmulatorPlaylist:
        playlist = self._playlist(user, playlist_id)
        if playlist.owner != user or playlist.readonly:
            raise ApiError(50, "User not authorized for the given operation")
        return playlist

    def _m_deletePlaylist(self, user: str, params: Params) -> dict[str, Any]:
        playlist = self._writable(user, _one(params, "id") or "")
        del self.library.playlists[playlist.playlist_id]
        return {}


def _one(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _fake_path(song: EmulatorSong) -> str:
    """Navidrome's made-up path: AlbumArtist/Album/[DD-][TT - ]Title.suffix (``/`` → ``_``)."""
    parts = [song.artist.replace("/", "_"), song.album.replace("/", "_")]
    name = ""
    if song.disc:
        name += f"{song.disc:02d}-"
    if song.track:
        name += f"{song.track:02d} - "
    name += song.title.replace("/", "_") + "." + song.suffix
    return "/".join([*parts, name])


class _FaultyTransport(httpx.BaseTransport):
    """The WSGI app in-process, with :attr:`Fault.TIMEOUT` raised as a read timeout."""

    def __init__(self, emulator: SubsonicEmulator) -> None:
        self._emulator = emulator
        self._wsgi = httpx.WSGITransport(app=emulator)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._emulator.lock:
            timeout = bool(self._emulator.faults) and self._emulator.faults[0] is Fault.TIMEOUT
            if timeout:
                self._emulator.faults.pop(0)
                self._emulator.log.append("(timeout)")
        if timeout:
            raise httpx.ReadTimeout("injected timeout", request=request)
        return self._wsgi.handle_request(request)


def transport(emulator: SubsonicEmulator) -> httpx.BaseTransport:
    """An httpx transport answering from ``emulator`` in this process (base URL: any)."""
    return _FaultyTransport(emulator)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on stderr."""


def serve(emulator: SubsonicEmulator) -> tuple[str, Callable[[], None]]:
    """Serve ``emulator`` on a loopback port from a thread; (base URL, stop)."""
    server: WSGIServer = make_server("127.0.0.1", 0, emulator, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}", stop
