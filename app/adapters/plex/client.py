"""The Plex adapter: one server, one account (the token decides whose ratings and playlists).

No plex.tv and no plexapi objects: requests go straight to the server with httpx and the XML
is parsed incrementally into plain records. Listing a section costs ``ceil(N / page_size)``
requests and never a per-track request; pages advance by the number of items actually
received, so a server that caps pages below the requested size loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from app.adapters.plex.playlist_plan import plan_edit
from app.adapters.plex.records import (
    PlaylistEdit,
    PlexIdentity,
    PlexPlaylist,
    PlexPlaylistItem,
    PlexSection,
    PlexTrack,
    datetime_to_epoch,
    rating_to_wire,
)
from app.adapters.plex.transport import PlexTransport
from app.adapters.plex.xmlstream import (
    Parsed,
    RawItem,
    parse_items,
    playlist_from,
    playlist_item_from,
    section_from,
    track_from,
)
from app.domain.errors import InvalidInput, PlexError, PlexNotFound

TRACK_TYPE = 10
MAX_PAGE_SIZE = 1000  # PMS warns above 1000 and has been seen to refuse (docs/PLEX.md §2.3)
URI_CHUNK = 200  # rating keys per playlist uri, to keep request lines short
MAX_METADATA_BATCH = 500  # rating keys per /library/metadata/{ids}: request line under ~4 KiB
LIBRARY_ID = "com.plexapp.plugins.library"
_ITEMS = frozenset({"Track", "Video", "Directory", "Playlist"})
R = TypeVar("R")


@dataclass(frozen=True)
class TrackPage:
    total: int
    tracks: list[PlexTrack]


class PlexServerClient:
    """``PlexServerClient(base_url, token, timeout_s=30, retries=3, backoff_s=0.5)``.

    Close it (or use it as a context manager) to release its connections.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 30.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = (base_url, token, timeout_s, retries, backoff_s)
        self._http = PlexTransport(
            base_url,
            token,
            timeout_s=timeout_s,
            retries=retries,
            backoff_s=backoff_s,
            sleep=sleep,
        )
        self._identity: PlexIdentity | None = None

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        return f"PlexServerClient({self.base_url!r})"

    def __reduce__(self) -> tuple[object, tuple[str, str, float, int, float]]:
        """A copy for a worker process: the same server, account and retry settings, its own
        connection (the token goes through the process pipe, never a log or a message)."""
        return _client, self._settings

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PlexServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ---------------------------------------------------------------------------

    def _get_items(
        self,
        path: str,
        convert: Callable[[RawItem], R | None],
        *,
        params: Sequence[tuple[str, str]] = (),
        start: int | None = None,
        size: int | None = None,
        key: str | None = None,
    ) -> Parsed[R]:
        headers: dict[str, str] = {}
        if start is not None and size is not None:
            headers = {"X-Plex-Container-Start": str(start), "X-Plex-Container-Size": str(size)}
        return self._http.call(
            "GET",
            path,
            lambda response: parse_items(response.iter_bytes(), _ITEMS, convert),
            params=list(params),
            headers=headers,
            key=key,
        )

    def _paged(
        self,
        path: str,
        convert: Callable[[RawItem], R | None],
        *,
        params: Sequence[tuple[str, str]] = (),
        page_size: int = MAX_PAGE_SIZE,
        key: str | None = None,
    ) -> Iterator[R]:
        start = 0
        while True:
            page = self._get_items(
                path, convert, params=params, start=start, size=page_size, key=key
            )
            total = _total(page.container, len(page.items))
            yield from page.items
            received = _count(page.container, len(page.items))
            start += received
            if start >= total:
                return
            if received == 0:
                raise PlexError(
                    f"the server sent an empty page at {start} of {total}",
                    server=self.base_url,
                    key=key or path,
                )

    # --- server and sections ----------------------------------------------------------------

    def identity(self) -> PlexIdentity:
        """``GET /identity`` (needs no token; cached)."""
        if self._identity is None:
            page: Parsed[None] = self._get_items("/identity", lambda raw: None)
            machine = page.container.get("machineIdentifier")
            if not machine:
                raise PlexError("no machineIdentifier in /identity", server=self.base_url)
            self._identity = PlexIdentity(machine, page.container.get("version"))
        return self._identity

    def list_sections(self) -> tuple[PlexSection, ...]:
        """Every section this account can see, with its ``Location`` paths."""
        return tuple(self._get_items("/library/sections", section_from).items)

    def section_by_title(self, title: str) -> PlexSection:
        wanted = title.strip().casefold()
        for section in self.list_sections():
            if section.title.strip().casefold() == wanted:
                return section
        raise PlexNotFound(f"no section titled {title!r}", server=self.base_url, key=title)

    def refresh_section(self, section_id: int, path: str | None = None) -> None:
        """Ask the server to scan a section, or only the folder ``path`` (a server path)."""
        params = [("path", path)] if path is not None else []
        self._http.send(
            "GET",
            f"/library/sections/{section_id}/refresh",
            params=params,
            key=f"/library/sections/{section_id}",
        )

    # --- tracks -----------------------------------------------------------------------------

    @staticmethod
    def _track_params(
        *, rated_since: datetime | None = None, added_since: datetime | None = None
    ) -> list[tuple[str, str]]:
        params = [("type", str(TRACK_TYPE)), ("includeGuids", "1")]
        # ">>=" is "after": send one second earlier so the bound is inclusive
        if rated_since is not None:
            params.append(("track.lastRatedAt>>", str(datetime_to_epoch(rated_since) - 1)))
        if added_since is not None:
            params.append(("track.addedAt>>", str(datetime_to_epoch(added_since) - 1)))
        return params

    def tracks_page(self, section_id: int, start: int, size: int) -> TrackPage:
        """One page of a section's tracks (``size`` 0 gives just the total)."""
        if not 0 <= size <= MAX_PAGE_SIZE or start < 0:
            raise InvalidInput(f"page size must be 0..{MAX_PAGE_SIZE} and start >= 0")
        key = f"/library/sections/{section_id}"
        page = self._get_items(
            f"{key}/all",
            lambda raw: track_from(raw, section_id),
            params=self._track_params(),
            start=start,
            size=size,
            key=key,
        )
        return TrackPage(total=_total(page.container, len(page.items)), tracks=page.items)

    def count_tracks(self, section_id: int) -> int:
        return self.tracks_page(section_id, 0, 0).total

    def iter_tracks(
        self,
        section_id: int,
        *,
        page_size: int = MAX_PAGE_SIZE,
        rated_since: datetime | None = None,
        added_since: datetime | None = None,
    ) -> Iterator[PlexTrack]:
        """Every track of a section in pages of ``page_size``.

        ``rated_since`` / ``added_since`` (aware datetimes, inclusive) list only tracks rated
        or added since then; with both, tracks matching either (each once). A cleared rating
        may not show up in a ``rated_since`` listing (docs/PLEX.md §3), so reconcile in full now and
        then.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        key = f"/library/sections/{section_id}"
        if rated_since is not None and added_since is not None:
            seen: set[int] = set()
            for track in self.iter_tracks(section_id, page_size=page_size, rated_since=rated_since):
                seen.add(track.rating_key)
                yield track
            for track in self.iter_tracks(section_id, page_size=page_size, added_since=added_since):
                if track.rating_key not in seen:
                    yield track
            return
        params = self._track_params(rated_since=rated_since, added_since=added_since)
        yield from self._paged(
            f"{key}/all",
            lambda raw: track_from(raw, section_id),
            params=params,
            page_size=page_size,
            key=key,
        )

    def get_track(self, rating_key: int) -> PlexTrack:
        """One track re-read from ``/library/metadata/{key}`` (e.g. after a webhook)."""
        key = f"/library/metadata/{rating_key}"
        page = self._get_items(key, track_from)
        if page.items:
            return page.items[0]
        raise PlexNotFound("not a track", server=self.base_url, key=key)

    def get_tracks(
        self, rating_keys: Sequence[int], *, batch_size: int = 100
    ) -> dict[int, PlexTrack]:
        """The tracks of ``rating_keys`` (e.g. to verify writes), ``batch_size`` keys per
        request to ``/library/metadata/{k1,k2,...}``.

        Keys that are gone, not tracks or not visible to this account are absent from the
        result. PMS answers 404 to a whole list when one id is unknown, so such a batch is
        halved until the culprits are isolated: one missing key among 100 costs about 15
        requests, not 100. Duplicate keys are asked once; no keys, no request. The result
        keeps the order of ``rating_keys``.
        """
        if not 1 <= batch_size <= MAX_METADATA_BATCH:
            raise InvalidInput(f"batch_size must be 1..{MAX_METADATA_BATCH}, not {batch_size}")
        unique = list(dict.fromkeys(rating_keys))
        found: dict[int, PlexTrack] = {}
        for offset in range(0, len(unique), batch_size):
            self._read_batch(unique[offset : offset + batch_size], found)
        return {key: found[key] for key in unique if key in found}

    def _read_batch(self, rating_keys: Sequence[int], found: dict[int, PlexTrack]) -> None:
        ids = ",".join(str(k) for k in rating_keys)
        shown = ids if len(rating_keys) <= 3 else f"{rating_keys[0]},... ({len(rating_keys)} ids)"
        try:
            tracks = list(
                self._paged(
                    f"/library/metadata/{ids}",
                    track_from,
                    page_size=len(rating_keys),
                    key=f"/library/metadata/{shown}",
                )
            )
        except PlexNotFound:
            if len(rating_keys) > 1:
                half = len(rating_keys) // 2
                self._read_batch(rating_keys[:half], found)
                self._read_batch(rating_keys[half:], found)
            return
        wanted = set(rating_keys)
        found.update((t.rating_key, t) for t in tracks if t.rating_key in wanted)

    def rate(
        self, rating_key: int, rating: int | None, *, rated_at: datetime | None = None
    ) -> None:
        """Set this account's rating (int 1..10 half stars) or clear it (None).

        ``rated_at`` (aware) carries over the time a rating was made elsewhere; PMS refuses a
        time in the future.
        """
        try:
            wire = rating_to_wire(rating)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        params = [("key", str(rating_key)), ("identifier", LIBRARY_ID), ("rating", wire)]
        if rated_at is not None:
            params.append(("ratedAt", str(datetime_to_epoch(rated_at))))
        self._http.send("PUT", "/:/rate", params=params, key=f"/library/metadata/{rating_key}")

    # --- playlists ----------------------------------------------------------------------------

    def list_audio_playlists(self) -> tuple[PlexPlaylist, ...]:
        """This account's audio playlists that are not smart."""
        records = self._paged(
            "/playlists", playlist_from, params=[("playlistType", "audio"), ("smart", "0")]
        )
        return tuple(p for p in records if not p.smart and p.playlist_type == "audio")

    def playlist_items(self, playlist_id: int) -> tuple[PlexPlaylistItem, ...]:
        """The playlist's tracks in order, with their ``playlistItemID``."""
        key = f"/playlists/{playlist_id}"
        return tuple(
            self._paged(f"{key}/items", playlist_item_from, params=[("includeGuids", "1")], key=key)
        )

    def _uri(self, rating_keys: Sequence[int]) -> str:
        machine = self.identity().machine_identifier
        keys = ",".join(str(k) for k in rating_keys)
        return f"server://{machine}/{LIBRARY_ID}/library/metadata/{keys}"

    def create_playlist(
        self, title: str, section_id: int, rating_keys: Sequence[int]
    ) -> PlexPlaylist:
        """A new audio playlist holding ``rating_keys`` in order (at least one: PMS cannot
        create an empty playlist). ``section_id`` names the music section the tracks are from
        and is used in error messages."""
        if not rating_keys:
            raise InvalidInput("a Plex playlist needs at least one track")
        first, rest = rating_keys[:URI_CHUNK], rating_keys[URI_CHUNK:]
        params = [
            ("type", "audio"),
            ("title", title),
            ("smart", "0"),
            ("uri", self._uri(first)),
        ]
        page = self._http.call(
            "POST",
            "/playlists",
            lambda response: parse_items(response.iter_bytes(), _ITEMS, playlist_from),
            params=params,
            idempotent=False,
            key=f"/library/sections/{section_id} playlist {title!r}",
        )
        if not page.items:
            raise PlexError("no playlist in the creation answer", server=self.base_url)
        playlist = page.items[0]
        self._append(playlist.playlist_id, rest)
        return playlist

    def _append(self, playlist_id: int, rating_keys: Sequence[int]) -> None:
        for offset in range(0, len(rating_keys), URI_CHUNK):
            chunk = rating_keys[offset : offset + URI_CHUNK]
            self._http.send(
                "PUT",
                f"/playlists/{playlist_id}/items",
                params=[("uri", self._uri(chunk))],
                idempotent=False,
                key=f"/playlists/{playlist_id}",
            )

    def replace_playlist_items(self, playlist_id: int, rating_keys: Sequence[int]) -> PlaylistEdit:
        """Make the playlist hold exactly ``rating_keys`` in order, keeping its id.

        Edits in place (remove rows, append, move) when that takes fewer requests than
        clearing and re-filling; then re-reads the playlist and, should it still differ (an
        edit from elsewhere meanwhile), clears and re-fills it.
        """
        key = f"/playlists/{playlist_id}"
        current = [
            (i.playlist_item_id, i.track.rating_key) for i in self.playlist_items(playlist_id)
        ]
        wanted = list(rating_keys)
        if [k for _, k in current] == wanted:
            return PlaylistEdit(removed=0, added=0, moved=0, rebuilt=False)
        plan = plan_edit(current, wanted)
        rebuild_cost = 1 + -(-len(wanted) // URI_CHUNK)
        if not wanted or plan.operations > rebuild_cost:
            return self._rebuild(playlist_id, wanted, removed=len(current))
        for item_id in plan.remove:
            self._http.send("DELETE", f"{key}/items/{item_id}", key=key)
        self._append(playlist_id, plan.add)
        placeholders: dict[int, int] = {}
        if plan.moves and plan.add:
            after_add = self.playlist_items(playlist_id)
            new_rows = after_add[len(after_add) - len(plan.add) :]
            placeholders = {-(n + 1): row.playlist_item_id for n, row in enumerate(new_rows)}
        for item, after in plan.moves:
            params = []
            if after is not None:
                params = [("after", str(placeholders.get(after, after)))]
            self._http.send(
                "PUT", f"{key}/items/{placeholders.get(item, item)}/move", params=params, key=key
            )
        final = [i.track.rating_key for i in self.playlist_items(playlist_id)]
        if final != wanted:
            return self._rebuild(playlist_id, wanted, removed=len(current))
        return PlaylistEdit(
            removed=len(plan.remove), added=len(plan.add), moved=len(plan.moves), rebuilt=False
        )

    def _rebuild(self, playlist_id: int, wanted: Sequence[int], *, removed: int) -> PlaylistEdit:
        key = f"/playlists/{playlist_id}"
        self._http.send("DELETE", f"{key}/items", key=key)
        self._append(playlist_id, wanted)
        return PlaylistEdit(removed=removed, added=len(wanted), moved=0, rebuilt=True)

    def delete_playlist(self, playlist_id: int) -> None:
        self._http.send("DELETE", f"/playlists/{playlist_id}")


def _total(container: dict[str, str], fallback: int) -> int:
    for name in ("totalSize", "size"):
        value = container.get(name)
        if value is not None and value.isdigit():
            return int(value)
    return fallback


def _count(container: dict[str, str], parsed: int) -> int:
    """Items the server put on the page (``size``), which may exceed those we kept."""
    value = container.get("size")
    return int(value) if value is not None and value.isdigit() else parsed


def _client(
    base_url: str, token: str, timeout_s: float, retries: int, backoff_s: float
) -> PlexServerClient:
    return PlexServerClient(
        base_url, token, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s
    )
