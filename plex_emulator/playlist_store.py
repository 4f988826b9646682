"""Playlists of the emulated server (docs/PLEX.md §4): per account, created from library URIs,
edited row by row (``playlistItemID`` stays with its row), smart ones evaluated on demand,
and M3U imports."""

from __future__ import annotations

import time
import uuid
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from plex_emulator.errors import bad_request, not_found
from plex_emulator.model import Account, Album, Artist, Playlist, PlaylistEntry

if TYPE_CHECKING:
    from plex_emulator.state_core import StateCore


class PlaylistStore:
    def __init__(self, state: StateCore) -> None:
        self._state = state
        self.next_item_id = 1

    def of_account(self, account: Account) -> list[Playlist]:
        return [p for p in self._state.playlists.values() if p.account_id == account.account_id]

    def get(self, account: Account, playlist_id: int) -> Playlist:
        playlist = self._state.playlists.get(playlist_id)
        if playlist is None or playlist.account_id != account.account_id:
            raise not_found(f"no playlist {playlist_id}")
        return playlist

    def parse_library_uri(self, uri: str) -> str:
        """``server://{mid}/com.plexapp.plugins.library{path}`` -> ``{path}``."""
        prefix = "server://"
        if not uri.startswith(prefix):
            raise bad_request("uri must start with server://")
        machine, _, rest = uri[len(prefix) :].partition("/")
        if machine != self._state.machine_identifier:
            raise bad_request("uri names another server")
        provider, _, path = rest.partition("/")
        if provider != "com.plexapp.plugins.library":
            raise bad_request("uri names an unknown provider")
        return "/" + path

    def keys_from_uri(self, account: Account, uri: str) -> list[int]:
        path = self.parse_library_uri(uri)
        prefix = "/library/metadata/"
        if not path.startswith(prefix):
            raise bad_request("uri does not name library items")
        try:
            keys = [int(k) for k in path[len(prefix) :].split(",") if k]
        except ValueError:
            raise bad_request("bad rating key in uri") from None
        if not keys:
            raise bad_request("uri names no items")
        for key in keys:
            item = self._state.items.get(key)
            if item is None or not account.sees(item.section_id):
                raise bad_request(f"unknown item {key} in uri")
        return self._expand_to_leaves(keys)

    def _expand_to_leaves(self, keys: list[int]) -> list[int]:
        out: list[int] = []
        for key in keys:
            item = self._state.items[key]
            if isinstance(item, Album):
                out.extend(item.track_keys)
            elif isinstance(item, Artist):
                for album_key in item.album_keys:
                    album = self._state.items[album_key]
                    assert isinstance(album, Album)
                    out.extend(album.track_keys)
            else:
                out.append(key)
        return out

    def create(
        self,
        account: Account,
        *,
        title: str,
        playlist_type: str,
        smart: bool,
        uri: str,
    ) -> Playlist:
        if playlist_type not in {"audio", "video", "photo"}:
            raise bad_request(f"bad playlist type {playlist_type!r}")
        with self._state.lock:
            now = self._state.clock()
            section_id: int | None = None
            content: str | None = None
            keys: list[int] = []
            if smart:
                path = self.parse_library_uri(uri)
                section_id = _section_of_path(path)
                self._state.section_for(account, section_id)
                content = uri
            else:
                keys = self.keys_from_uri(account, uri)
            playlist_id = self._state.new_rating_key()
            playlist = Playlist(
                playlist_id=playlist_id,
                account_id=account.account_id,
                title=title,
                playlist_type=playlist_type,
                smart=smart,
                guid=f"com.plexapp.agents.none://{uuid.uuid4()}",
                added_at=now,
                updated_at=now,
                content=content,
                section_id=section_id,
            )
            playlist.entries = [self._entry(k) for k in keys]
            self._state.playlists[playlist_id] = playlist
        self._state.notify_changed()
        return playlist

    def _entry(self, rating_key: int) -> PlaylistEntry:
        item_id = self.next_item_id
        self.next_item_id += 1
        return PlaylistEntry(item_id=item_id, rating_key=rating_key)

    def add(self, account: Account, playlist_id: int, uri: str) -> None:
        with self._state.lock:
            playlist = self.get(account, playlist_id)
            if playlist.smart:
                path = self.parse_library_uri(uri)  # replaces the rules [PMS-doc]
                playlist.section_id = _section_of_path(path)
                playlist.content = uri
            else:
                keys = self.keys_from_uri(account, uri)
                playlist.entries.extend(self._entry(k) for k in keys)
            playlist.updated_at = self._state.clock()
        self._state.notify_changed()

    def remove(self, account: Account, playlist_id: int, item_id: int) -> None:
        with self._state.lock:
            playlist = self._dumb(account, playlist_id)
            index = _entry_index(playlist, item_id)
            del playlist.entries[index]
            playlist.updated_at = self._state.clock()
        self._state.notify_changed()

    def clear(self, account: Account, playlist_id: int) -> None:
        with self._state.lock:
            playlist = self._dumb(account, playlist_id)
            playlist.entries = []
            playlist.updated_at = self._state.clock()
        self._state.notify_changed()

    def move(self, account: Account, playlist_id: int, item_id: int, after: int | None) -> None:
        with self._state.lock:
            playlist = self._dumb(account, playlist_id)
            index = _entry_index(playlist, item_id)
            if after is not None:
                _entry_index(playlist, after)  # 404 before anything moves
            entry = playlist.entries.pop(index)
            position = 0 if after is None else _entry_index(playlist, after) + 1
            playlist.entries.insert(position, entry)
            playlist.updated_at = self._state.clock()
        self._state.notify_changed()

    def edit(
        self, account: Account, playlist_id: int, *, title: str | None, summary: str | None
    ) -> None:
        with self._state.lock:
            playlist = self.get(account, playlist_id)
            if title is not None:
                playlist.title = title
            if summary is not None:
                playlist.summary = summary
            playlist.updated_at = self._state.clock()
        self._state.notify_changed()

    def delete(self, account: Account, playlist_id: int) -> None:
        with self._state.lock:
            self.get(account, playlist_id)
            del self._state.playlists[playlist_id]
        self._state.notify_changed()

    def _dumb(self, account: Account, playlist_id: int) -> Playlist:
        playlist = self.get(account, playlist_id)
        if playlist.smart:
            raise bad_request("smart playlists cannot be edited item by item")
        return playlist

    def import_m3u(
        self,
        account: Account,
        section_id: int,
        plex_path: str,
        keys: list[int],
        *,
        force: bool,
    ) -> Playlist | None:
        """Create or overwrite the playlist made from the M3U at ``plex_path``."""
        if not keys:
            return None
        stem = PurePosixPath(plex_path.replace("\\", "/")).stem
        guid = f"com.plexapp.agents.none://{plex_path}"
        with self._state.lock:
            now = self._state.clock()
            existing = next(
                (p for p in self.of_account(account) if p.guid == guid and not p.smart), None
            )
            if existing is not None and force:
                existing.entries = [self._entry(k) for k in keys]
                existing.updated_at = now
                playlist = existing
            else:
                title = stem if existing is None else f"{stem} {time.strftime('%Y-%m-%d')}"
                playlist_id = self._state.new_rating_key()
                playlist = Playlist(
                    playlist_id=playlist_id,
                    account_id=account.account_id,
                    title=title,
                    playlist_type="audio",
                    smart=False,
                    guid=guid if existing is None else f"{guid}#{playlist_id}",
                    added_at=now,
                    updated_at=now,
                    section_id=section_id,
                )
                playlist.entries = [self._entry(k) for k in keys]
                self._state.playlists[playlist_id] = playlist
        self._state.notify_changed()
        return playlist


def _section_of_path(path: str) -> int:
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "library" and parts[1] == "sections":
        try:
            return int(parts[2])
        except ValueError:
            pass
    raise bad_request("smart playlist uri must name /library/sections/{id}/all")


def _entry_index(playlist: Playlist, item_id: int) -> int:
    for index, entry in enumerate(playlist.entries):
        if entry.item_id == item_id:
            return index
    raise not_found(f"no playlist item {item_id}")
