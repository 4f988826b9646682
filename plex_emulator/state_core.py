"""The core of the emulated server's state: accounts, sections, items and their rating keys,
per-account user data, the item graph (artists, albums, tracks, movies) and its listeners.
The scans, edits and snapshots of :class:`~plex_emulator.state.EmulatorState` build on it."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from plex_emulator.errors import NotShared, UnknownItem
from plex_emulator.model import (
    MOVIE,
    MUSIC,
    Account,
    Album,
    Artist,
    Item,
    Location,
    Movie,
    Playlist,
    Section,
    Track,
    UserData,
)
from plex_emulator.playlist_store import PlaylistStore
from plex_emulator.xmlrender import hex_id, movie_fragment, section_attrs, track_fragment

OWNER_ACCOUNT_ID = 1
FIRST_SHARED_ACCOUNT_ID = 1000
FIRST_RATING_KEY = 1000


def now_epoch() -> int:
    return int(time.time())


class EventKind(StrEnum):
    """What webhooks hear about (the ``event`` of PMS's webhook payload)."""

    MEDIA_RATE = "media.rate"
    MEDIA_SCROBBLE = "media.scrobble"
    LIBRARY_NEW = "library.new"


@dataclass(frozen=True)
class Event:
    """Something webhooks should hear about."""

    kind: EventKind
    account: Account
    rating_key: int
    rating: float | None = None


@dataclass(frozen=True)
class ScanResult:
    added: tuple[int, ...]
    updated: tuple[int, ...]
    removed: tuple[int, ...]


class StateCore:
    """Everything behind one re-entrant lock (``lock``)."""

    def __init__(
        self,
        *,
        machine_identifier: str | None = None,
        friendly_name: str = "Emulated PMS",
        version: str = "1.41.3.9314-a0bfb8370",
        clock: Callable[[], int] = now_epoch,
    ) -> None:
        self.lock = threading.RLock()
        self.machine_identifier = machine_identifier or uuid.uuid4().hex + uuid.uuid4().hex[:8]
        self.friendly_name = friendly_name
        self.version = version
        self.clock = clock
        self.created_at = clock()
        self.accounts: dict[int, Account] = {}
        self._by_token: dict[str, Account] = {}
        self.sections: dict[int, Section] = {}
        self.items: dict[int, Item] = {}
        self.user_data: dict[int, dict[int, UserData]] = {}
        self.playlists: dict[int, Playlist] = {}
        self.playlist_store = PlaylistStore(self)
        self.listeners: list[Callable[[Event], None]] = []
        self.change_listeners: list[Callable[[], None]] = []
        self.clear_refreshes_last_rated_at = False
        self._key_registry: dict[str, int] = {}
        self._added_at: dict[int, int] = {}
        self._next_key = FIRST_RATING_KEY
        self._next_part_id = 1
        self._next_section_id = 1
        self._unsorted_albums: set[int] = set()

    def add_account(
        self,
        name: str,
        token: str,
        *,
        owner: bool = False,
        section_ids: Iterable[int] | None = None,
    ) -> Account:
        with self.lock:
            if token in self._by_token:
                raise ValueError(f"token already used by {self._by_token[token].name}")
            if owner:
                if OWNER_ACCOUNT_ID in self.accounts:
                    raise ValueError("the server already has an owner")
                account_id = OWNER_ACCOUNT_ID
            else:
                account_id = max([FIRST_SHARED_ACCOUNT_ID - 1, *self.accounts]) + 1
            account = Account(
                account_id=account_id,
                name=name,
                token=token,
                is_owner=owner,
                section_ids=frozenset(section_ids) if section_ids is not None else None,
            )
            self.accounts[account_id] = account
            self._by_token[token] = account
            return account

    def share(self, name: str, section_ids: Iterable[int] | None) -> Account:
        """Limit a shared account to some sections (None: all of them)."""
        with self.lock:
            account = next((a for a in self.accounts.values() if a.name == name), None)
            if account is None or account.is_owner:
                raise ValueError(f"no shared account named {name!r}")
            shared = replace(
                account, section_ids=frozenset(section_ids) if section_ids is not None else None
            )
            self.accounts[account.account_id] = shared
            self._by_token[account.token] = shared
            return shared

    def account_for_token(self, token: str | None) -> Account | None:
        if not token:
            return None
        return self._by_token.get(token)

    @property
    def owner(self) -> Account:
        return self.accounts[OWNER_ACCOUNT_ID]

    def add_section(self, kind: str, title: str, locations: list[Location]) -> Section:
        if kind not in {MUSIC, MOVIE}:
            raise ValueError(f"unsupported section kind {kind!r}")
        with self.lock:
            section_id = self._next_section_id
            self._next_section_id += 1
            now = self.clock()
            section = Section(
                section_id=section_id,
                title=title,
                kind=kind,
                uuid=str(uuid.UUID(hex_id(self.machine_identifier, str(section_id), length=32))),
                locations=list(locations),
                created_at=now,
                updated_at=now,
                scanned_at=now,
            )
            self.sections[section_id] = section
            return section

    def visible_sections(self, account: Account) -> list[Section]:
        return [s for s in self.sections.values() if account.sees(s.section_id)]

    def section_for(self, account: Account, section_id: int) -> Section:
        section = self.sections.get(section_id)
        if section is None or not account.sees(section_id):
            raise UnknownItem(f"no section {section_id}")
        return section

    def item_for(self, account: Account, rating_key: int) -> Item:
        item = self.items.get(rating_key)
        if item is None:
            raise UnknownItem(f"no item {rating_key}")
        if not account.sees(item.section_id):
            raise NotShared(f"item {rating_key} is not shared with {account.name}")
        return item

    def data_for(self, account: Account, rating_key: int) -> UserData | None:
        per_account = self.user_data.get(account.account_id)
        return per_account.get(rating_key) if per_account else None

    def _data(self, account: Account, rating_key: int) -> UserData:
        per_account = self.user_data.setdefault(account.account_id, {})
        data = per_account.get(rating_key)
        if data is None:
            data = per_account[rating_key] = UserData()
        return data

    def _key_for(self, identity: str) -> int:
        key = self._key_registry.get(identity)
        if key is None or (key in self.items):
            key = self._next_key
            self._next_key += 1
            self._key_registry[identity] = key
        return key

    def _added(self, rating_key: int, now: int) -> int:
        return self._added_at.setdefault(rating_key, now)

    def _new_part_id(self) -> int:
        part_id = self._next_part_id
        self._next_part_id += 1
        return part_id

    def new_rating_key(self) -> int:
        key = self._next_key
        self._next_key += 1
        return key

    def _detach_track(self, track: Track) -> None:
        album = self.items.get(track.album_key)
        if not isinstance(album, Album):
            return
        if track.rating_key in album.track_keys:
            album.track_keys.remove(track.rating_key)
        if album.track_keys:
            return
        del self.items[album.rating_key]
        section = self.sections[album.section_id]
        section.album_keys.remove(album.rating_key)
        artist = self.items.get(album.artist_key)
        if isinstance(artist, Artist):
            artist.album_keys.remove(album.rating_key)
            if not artist.album_keys:
                del self.items[artist.rating_key]
                section.artist_keys.remove(artist.rating_key)

    def _remove_item(self, key: int) -> None:
        item = self.items.get(key)
        if isinstance(item, Track):
            self._detach_track(item)
        self.items.pop(key, None)
        for playlist in self.playlists.values():
            playlist.entries = [e for e in playlist.entries if e.rating_key != key]

    def _rebuild_fragments(self, section: Section, keys: set[int]) -> None:
        section_xml = section_attrs(section)
        for key in keys:
            item = self.items.get(key)
            if isinstance(item, Track):
                album = self.items[item.album_key]
                artist = self.items[item.artist_key]
                assert isinstance(album, Album) and isinstance(artist, Artist)
                item.fragment = track_fragment(item, album, artist, section_xml)
            elif isinstance(item, Movie):
                item.fragment = movie_fragment(item, section_xml)

    def _emit(self, event: Event) -> None:
        for listener in list(self.listeners):
            listener(event)

    def notify_changed(self) -> None:
        for listener in list(self.change_listeners):
            listener()
