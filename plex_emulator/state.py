"""The emulated server's state: accounts, sections, items, per-account user data, playlists.

One :class:`EmulatorState` holds everything behind one re-entrant lock; HTTP handlers take the
lock, read or change, render, and let go. Rating keys come from one counter and are remembered
per identity (a file's Plex path, an album's names), so a restart with a state file gives every
track its old key. Changes are announced to listeners (webhooks, the state file).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from plex_emulator.errors import bad_request, forbidden, not_found
from plex_emulator.model import (
    MOVIE,
    MUSIC,
    Account,
    Album,
    Artist,
    Item,
    Location,
    Movie,
    MovieSource,
    Playlist,
    PlaylistEntry,
    Section,
    Track,
    TrackSource,
    UserData,
)
from plex_emulator.playlist_store import PlaylistStore
from plex_emulator.xmlrender import hex_id, movie_fragment, section_attrs, track_fragment

OWNER_ACCOUNT_ID = 1
FIRST_SHARED_ACCOUNT_ID = 1000
FIRST_RATING_KEY = 1000


def now_epoch() -> int:
    return int(time.time())


@dataclass(frozen=True)
class Event:
    """Something webhooks should hear about: ``media.rate``, ``media.scrobble``, ``library.new``."""

    kind: str
    account: Account
    rating_key: int
    rating: float | None = None


@dataclass(frozen=True)
class ScanResult:
    added: tuple[int, ...]
    updated: tuple[int, ...]
    removed: tuple[int, ...]


class EmulatorState:
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

    # --- accounts -------------------------------------------------------------------------

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

    # --- sections and items ---------------------------------------------------------------

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
            raise not_found(f"no section {section_id}")
        return section

    def item_for(self, account: Account, rating_key: int) -> Item:
        item = self.items.get(rating_key)
        if item is None:
            raise not_found(f"no item {rating_key}")
        if not account.sees(item.section_id):
            raise forbidden(f"item {rating_key} is not shared with {account.name}")
        return item

    def data_for(self, account: Account, rating_key: int) -> UserData | None:
        per_account = self.user_data.get(account.account_id)
        return per_account.get(rating_key) if per_account else None

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

    # music ------------------------------------------------------------------------------

    def apply_music_scan(
        self,
        section_id: int,
        sources: Iterable[TrackSource],
        *,
        scope: Callable[[Track], bool] | None = None,
        announce: bool = True,
    ) -> ScanResult:
        """Make the section's tracks within ``scope`` (all when None) equal ``sources``."""
        with self.lock:
            section = self.sections[section_id]
            now = self.clock()
            existing = {
                t.source.plex_path: t for t in self._tracks_of(section) if scope is None or scope(t)
            }
            added: list[int] = []
            updated: list[int] = []
            seen: set[str] = set()
            for source in sources:
                if source.plex_path in seen:
                    continue
                seen.add(source.plex_path)
                track = existing.get(source.plex_path)
                if track is None:
                    added.append(self._add_track(section, source, now))
                elif track.source != source:
                    self._detach_track(track)
                    track.source = source
                    track.updated_at = now
                    self._attach_track(section, track, now)
                    updated.append(track.rating_key)
            removed = [t.rating_key for p, t in existing.items() if p not in seen]
            for key in removed:
                self._remove_item(key)
            self._sort_albums()
            if added or removed:
                section.leaf_keys = sorted(
                    k for k in (*section.leaf_keys, *added) if k in self.items
                )
            if added or updated or removed:
                section.updated_at = now
                self._rebuild_fragments(section, set(added) | set(updated))
            section.scanned_at = now
            result = ScanResult(tuple(added), tuple(updated), tuple(removed))
        self.notify_changed()
        if announce and OWNER_ACCOUNT_ID in self.accounts:
            for key in result.added:
                self._emit(Event("library.new", self.owner, key))
        return result

    def _tracks_of(self, section: Section) -> list[Track]:
        return [t for k in section.leaf_keys if isinstance(t := self.items.get(k), Track)]

    def _add_track(self, section: Section, source: TrackSource, now: int) -> int:
        key = self._key_for(f"track:{section.uuid}:{source.plex_path}")
        guid = (
            f"plex://track/{hex_id(source.mbid_recording)}"
            if source.mbid_recording
            else f"local://{key}"
        )
        track = Track(
            rating_key=key,
            section_id=section.section_id,
            source=source,
            album_key=0,
            artist_key=0,
            part_id=self._new_part_id(),
            guid=guid,
            added_at=self._added(key, now),
            updated_at=now,
        )
        self.items[key] = track
        self._attach_track(section, track, now)
        return key

    def _attach_track(self, section: Section, track: Track, now: int) -> None:
        src = track.source
        artist_id = f"artist:{section.uuid}:{src.album_artist}"
        artist_key = self._key_registry.get(artist_id)
        artist = self.items.get(artist_key) if artist_key is not None else None
        if not isinstance(artist, Artist):
            artist_key = self._key_for(artist_id)
            guid_src = src.mbid_artist or src.album_artist
            artist = Artist(
                rating_key=artist_key,
                section_id=section.section_id,
                title=src.album_artist,
                guid=f"plex://artist/{hex_id(guid_src)}",
                added_at=self._added(artist_key, now),
                updated_at=now,
            )
            self.items[artist_key] = artist
            section.artist_keys.append(artist_key)
        album_id = f"album:{section.uuid}:{src.album_artist}\x00{src.album}"
        album_key = self._key_registry.get(album_id)
        album = self.items.get(album_key) if album_key is not None else None
        if not isinstance(album, Album):
            album_key = self._key_for(album_id)
            album = Album(
                rating_key=album_key,
                section_id=section.section_id,
                title=src.album,
                artist_key=artist.rating_key,
                year=src.year,
                guid=f"plex://album/{hex_id(src.mbid_release or src.album_artist, src.album)}",
                mbid_release=src.mbid_release,
                added_at=self._added(album_key, now),
                updated_at=now,
            )
            self.items[album_key] = album
            artist.album_keys.append(album_key)
            section.album_keys.append(album_key)
        track.album_key = album.rating_key
        track.artist_key = artist.rating_key
        album.track_keys.append(track.rating_key)
        self._unsorted_albums.add(album.rating_key)

    def _sort_albums(self) -> None:
        for key in self._unsorted_albums:
            album = self.items.get(key)
            if isinstance(album, Album):
                album.track_keys.sort(key=self._album_order)
        self._unsorted_albums.clear()

    def _album_order(self, key: int) -> tuple[int, int, str, int]:
        track = self.items[key]
        assert isinstance(track, Track)
        src = track.source
        return (src.disc_no or 1, src.track_no or 0, src.title.casefold(), key)

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

    # movies -----------------------------------------------------------------------------

    def apply_movie_scan(
        self,
        section_id: int,
        sources: Iterable[MovieSource],
        *,
        scope: Callable[[Movie], bool] | None = None,
        announce: bool = True,
    ) -> ScanResult:
        with self.lock:
            section = self.sections[section_id]
            now = self.clock()
            existing: dict[str, Movie] = {}
            for key in section.leaf_keys:
                movie = self.items.get(key)
                if isinstance(movie, Movie) and (scope is None or scope(movie)):
                    existing[self._movie_identity(movie.source)] = movie
            added: list[int] = []
            updated: list[int] = []
            seen: set[str] = set()
            for source in sources:
                identity = self._movie_identity(source)
                if identity in seen:
                    continue
                seen.add(identity)
                movie = existing.get(identity)
                if movie is None:
                    added.append(self._add_movie(section, source, identity, now))
                elif movie.source != source:
                    movie.source = source
                    movie.part_ids = tuple(self._new_part_id() for _ in source.parts)
                    movie.updated_at = now
                    updated.append(movie.rating_key)
            removed = [m.rating_key for i, m in existing.items() if i not in seen]
            for key in removed:
                self._remove_item(key)
            if added or removed:
                section.leaf_keys = sorted(
                    k for k in (*section.leaf_keys, *added) if k in self.items
                )
            if added or updated or removed:
                section.updated_at = now
                self._rebuild_fragments(section, set(added) | set(updated))
            section.scanned_at = now
            result = ScanResult(tuple(added), tuple(updated), tuple(removed))
        self.notify_changed()
        if announce and OWNER_ACCOUNT_ID in self.accounts:
            for key in result.added:
                self._emit(Event("library.new", self.owner, key))
        return result

    @staticmethod
    def _movie_identity(source: MovieSource) -> str:
        return f"{source.folder}\x00{source.title}\x00{source.year}\x00{source.edition}"

    def _add_movie(self, section: Section, source: MovieSource, identity: str, now: int) -> int:
        key = self._key_for(f"movie:{section.uuid}:{identity}")
        imdb = next((i for i in source.external_ids if i.startswith("imdb://")), None)
        guid_seed = imdb or f"{source.title}\x00{source.year}"
        movie = Movie(
            rating_key=key,
            section_id=section.section_id,
            source=source,
            part_ids=tuple(self._new_part_id() for _ in source.parts),
            guid=f"plex://movie/{hex_id(guid_seed)}",
            added_at=self._added(key, now),
            updated_at=now,
            edition_title=source.edition,
        )
        self.items[key] = movie
        return key

    # --- edits ----------------------------------------------------------------------------

    def edit_fields(self, account: Account, keys: list[int], values: dict[str, str]) -> None:
        """``PUT /library/sections/{id}/all``: title, titleSort, userRating, editionTitle."""
        allowed = {"title", "titleSort", "userRating", "editionTitle", "summary"}
        unknown = set(values) - allowed
        if unknown:
            raise bad_request(f"field edit not emulated: {sorted(unknown)}")
        with self.lock:
            items = [self.item_for(account, k) for k in keys]
            for item in items:
                if "userRating" in values:
                    rating = _parse_rating(values["userRating"])
                    data = self._data(account, item.rating_key)
                    data.rating = rating
                if "editionTitle" in values:
                    if not isinstance(item, Movie):
                        raise bad_request("editionTitle is a movie field")
                    item.edition_title = values["editionTitle"] or None
                if "title" in values:
                    if isinstance(item, Movie):
                        item.title_override = values["title"]
                    elif isinstance(item, Track):
                        item.source = _replace_title(item.source, values["title"])
                if {"title", "editionTitle"} & set(values):
                    item.updated_at = self.clock()
                    self._rebuild_fragments(self.sections[item.section_id], {item.rating_key})
        self.notify_changed()

    def _data(self, account: Account, rating_key: int) -> UserData:
        per_account = self.user_data.setdefault(account.account_id, {})
        data = per_account.get(rating_key)
        if data is None:
            data = per_account[rating_key] = UserData()
        return data

    def rate(
        self, account: Account, rating_key: int, rating: float | None, rated_at: int | None
    ) -> UserData:
        """Set (or with None clear) one account's rating; ``rated_at`` defaults to now.

        A clear keeps the previous ``lastRatedAt`` (docs/PLEX.md §3: it survives a clear) unless
        ``clear_refreshes_last_rated_at`` is set.
        """
        now = self.clock()
        if rated_at is not None and rated_at > now:
            raise bad_request("ratedAt is in the future")
        with self.lock:
            self.item_for(account, rating_key)
            data = self._data(account, rating_key)
            data.rating = rating
            if rating is not None or self.clear_refreshes_last_rated_at:
                data.last_rated_at = rated_at if rated_at is not None else now
            snapshot = UserData(
                data.rating, data.last_rated_at, data.view_count, data.last_viewed_at
            )
        self.notify_changed()
        self._emit(Event("media.rate", account, rating_key, rating))
        return snapshot

    def scrobble(self, account: Account, rating_key: int, *, played: bool) -> None:
        with self.lock:
            self.item_for(account, rating_key)
            data = self._data(account, rating_key)
            if played:
                data.view_count += 1
                data.last_viewed_at = self.clock()
            else:
                data.view_count = 0
                data.last_viewed_at = None
        self.notify_changed()
        if played:
            self._emit(Event("media.scrobble", account, rating_key))

    # --- listeners and persistence ---------------------------------------------------------

    def new_rating_key(self) -> int:
        key = self._next_key
        self._next_key += 1
        return key

    def _emit(self, event: Event) -> None:
        for listener in list(self.listeners):
            listener(event)

    def notify_changed(self) -> None:
        for listener in list(self.change_listeners):
            listener()

    def snapshot(self) -> dict[str, object]:
        """What a state file keeps: ids, remembered keys, user data, playlists."""
        with self.lock:
            return {
                "version": 1,
                "machine_identifier": self.machine_identifier,
                "next_key": self._next_key,
                "next_item_id": self.playlist_store.next_item_id,
                "keys": dict(self._key_registry),
                "added_at": {str(k): v for k, v in self._added_at.items()},
                "user_data": {
                    str(account_id): {
                        str(key): [d.rating, d.last_rated_at, d.view_count, d.last_viewed_at]
                        for key, d in per.items()
                        if not d.empty
                    }
                    for account_id, per in self.user_data.items()
                },
                "playlists": [
                    {
                        "id": p.playlist_id,
                        "account": p.account_id,
                        "title": p.title,
                        "type": p.playlist_type,
                        "smart": p.smart,
                        "guid": p.guid,
                        "added_at": p.added_at,
                        "updated_at": p.updated_at,
                        "summary": p.summary,
                        "content": p.content,
                        "section": p.section_id,
                        "entries": [[e.item_id, e.rating_key] for e in p.entries],
                    }
                    for p in self.playlists.values()
                ],
            }

    def restore(self, snapshot: dict[str, object]) -> None:
        """Load a :meth:`snapshot` before the sections are scanned."""
        with self.lock:
            if snapshot.get("version") != 1:
                raise ValueError("unknown state file version")
            self.machine_identifier = str(snapshot["machine_identifier"])
            self._next_key = max(self._next_key, _int(snapshot["next_key"]))
            store = self.playlist_store
            store.next_item_id = max(store.next_item_id, _int(snapshot["next_item_id"]))
            self._key_registry.update(_str_int_map(snapshot["keys"]))
            self._added_at.update(
                {int(k): v for k, v in _str_int_map(snapshot["added_at"]).items()}
            )
            user_data = snapshot.get("user_data")
            if isinstance(user_data, dict):
                for account_id, per in user_data.items():
                    if not isinstance(per, dict):
                        continue
                    target = self.user_data.setdefault(int(account_id), {})
                    for key, (rating, rated_at, views, viewed_at) in per.items():
                        target[int(key)] = UserData(rating, rated_at, views, viewed_at)
            playlists = snapshot.get("playlists")
            if isinstance(playlists, list):
                for raw in playlists:
                    playlist = Playlist(
                        playlist_id=int(raw["id"]),
                        account_id=int(raw["account"]),
                        title=str(raw["title"]),
                        playlist_type=str(raw["type"]),
                        smart=bool(raw["smart"]),
                        guid=str(raw["guid"]),
                        added_at=int(raw["added_at"]),
                        updated_at=int(raw["updated_at"]),
                        summary=str(raw.get("summary", "")),
                        content=raw.get("content"),
                        section_id=raw.get("section"),
                        entries=[PlaylistEntry(int(i), int(k)) for i, k in raw["entries"]],
                    )
                    self.playlists[playlist.playlist_id] = playlist

    def forget_missing_playlist_items(self) -> None:
        """After scanning, drop playlist entries whose items did not come back."""
        with self.lock:
            for playlist in self.playlists.values():
                playlist.entries = [e for e in playlist.entries if e.rating_key in self.items]


def _parse_rating(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise bad_request(f"bad rating {text!r}") from None
    if value == -1:
        return None
    if not 0 <= value <= 10:
        raise bad_request(f"rating {text!r} is outside 0..10")
    return value


parse_rating = _parse_rating


def _replace_title(source: TrackSource, title: str) -> TrackSource:
    return replace(source, title=title)


def _int(value: object) -> int:
    if isinstance(value, int):
        return value
    raise ValueError(f"expected an int, got {value!r}")


def _str_int_map(value: object) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping")
    return {str(k): int(v) for k, v in value.items()}
