"""Plex webhooks (docs/PLEX.md §7.1): multipart POSTs with a JSON ``payload`` field and a ``thumb``.

Targets are global (the owner's webhooks: they hear every account's events) or belong to one
account. Delivery is best effort with no retries, as PMS does; failures are logged and kept in
:attr:`WebhookDispatcher.deliveries`. Sync delivery (a knob) makes tests deterministic.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
from dataclasses import dataclass

import httpx

from plex_emulator.knobs import Knobs
from plex_emulator.model import Album, Artist, Item, Movie, Track
from plex_emulator.state import EmulatorState
from plex_emulator.state_core import Event, EventKind

log = logging.getLogger(__name__)

THUMB_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAg+Pkk+SVVVVVVVVWRdZGhoaGRkZGRoaGh"
    "wcHCDg4NwcHBoaHBwfHyDg4+Tj4eHg4eTk5ubm7q6srLZ2eD/////xABKAAEAAAAAAAAAAAAAAAAAAAAAAQEAAAAAAA"
    "AAAAAAAAAAAAAAEAEAAAAAAAAAAAAAAAAAAAAAEQEAAAAAAAAAAAAAAAAAAAAA/8AAEQgACAAIAwEiAAIRAAMRAP/aAA"
    "wDAQACEQMRAD8AAA//2Q=="
)
EVENTS_WITH_THUMB = frozenset({"media.play", "media.rate", "library.new", "library.on.deck"})


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    account_id: int | None = None  # None: the owner's webhook, hears every account


@dataclass(frozen=True)
class Delivery:
    url: str
    event: str
    status: int | None
    error: str | None


def metadata_json(state: EmulatorState, item: Item, event: Event) -> dict[str, object]:
    """The item's ``Metadata`` object as webhooks carry it (no Media/Part: no file path)."""
    data = state.data_for(event.account, item.rating_key)
    section = state.sections[item.section_id]
    meta: dict[str, object] = {
        "librarySectionType": section.kind,
        "ratingKey": str(item.rating_key),
        "key": f"/library/metadata/{item.rating_key}",
        "guid": item.guid,
        "title": item.title,
        "librarySectionTitle": section.title,
        "librarySectionID": section.section_id,
        "librarySectionKey": f"/library/sections/{section.section_id}",
        "summary": "",
        "addedAt": item.added_at,
        "updatedAt": item.updated_at,
    }
    if isinstance(item, Track):
        album, artist = state.items[item.album_key], state.items[item.artist_key]
        assert isinstance(album, Album) and isinstance(artist, Artist)
        meta.update(
            type="track",
            parentRatingKey=str(album.rating_key),
            grandparentRatingKey=str(artist.rating_key),
            parentGuid=album.guid,
            grandparentGuid=artist.guid,
            parentKey=f"/library/metadata/{album.rating_key}",
            grandparentKey=f"/library/metadata/{artist.rating_key}",
            parentTitle=album.title,
            grandparentTitle=artist.title,
            index=item.source.track_no,
            parentIndex=item.source.disc_no or 1,
        )
        if item.source.track_artist and item.source.track_artist != artist.title:
            meta["originalTitle"] = item.source.track_artist
        if item.source.mbid_recording:
            meta["Guid"] = [{"id": f"mbid://{item.source.mbid_recording}"}]
    elif isinstance(item, Movie):
        meta.update(type="movie", year=item.source.year)
        if item.edition_title:
            meta["editionTitle"] = item.edition_title
        if item.source.external_ids:
            meta["Guid"] = [{"id": ext} for ext in item.source.external_ids]
    else:
        meta["type"] = "album" if isinstance(item, Album) else "artist"
    if data is not None:
        if data.rating is not None:
            meta["userRating"] = data.rating
        if data.last_rated_at is not None:
            meta["lastRatedAt"] = data.last_rated_at
        if data.view_count:
            meta["viewCount"] = data.view_count
    return meta


def build_payload(state: EmulatorState, event: Event, target: WebhookTarget) -> dict[str, object]:
    with state.lock:
        item = state.items.get(event.rating_key)
        payload: dict[str, object] = {
            "event": event.kind,
            "user": (target.account_id is None and event.account.is_owner)
            or target.account_id == event.account.account_id,
            "owner": target.account_id is None,
            "Account": {
                "id": event.account.account_id,
                "thumb": f"https://plex.tv/users/{event.account.account_id:016x}/avatar",
                "title": event.account.name,
            },
            "Server": {"title": state.friendly_name, "uuid": state.machine_identifier},
            "Player": {
                "local": True,
                "publicAddress": "127.0.0.1",
                "title": "Crossfade emulator",
                "uuid": "emulator-player",
            },
        }
        if item is not None:
            payload["Metadata"] = metadata_json(state, item, event)
    if event.kind == EventKind.MEDIA_RATE:
        # PMS sends the top-level rating as a string; a clear is sent as "-1" [inferred]
        payload["rating"] = "-1" if event.rating is None else f"{event.rating:g}"
    return payload


class WebhookDispatcher:
    def __init__(self, state: EmulatorState, knobs: Knobs) -> None:
        self._state = state
        self._knobs = knobs
        self._targets: list[WebhookTarget] = []
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, str, dict[str, object]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(timeout=5.0)
        self.deliveries: list[Delivery] = []
        state.listeners.append(self.on_event)

    def add_target(self, url: str, account_id: int | None = None) -> WebhookTarget:
        target = WebhookTarget(url, account_id)
        with self._lock:
            self._targets.append(target)
        return target

    def targets(self) -> list[WebhookTarget]:
        with self._lock:
            return list(self._targets)

    def clear_targets(self) -> None:
        with self._lock:
            self._targets.clear()

    def on_event(self, event: Event) -> None:
        for target in self.targets():
            if target.account_id not in (None, event.account.account_id):
                continue
            payload = build_payload(self._state, event, target)
            if self._knobs.webhooks_sync:
                self._deliver(target.url, event.kind, payload)
            else:
                self._ensure_thread()
                self._queue.put((target.url, event.kind, payload))

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="emulator-webhooks", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._deliver(*job)
            finally:
                self._queue.task_done()

    def _deliver(self, url: str, kind: str, payload: dict[str, object]) -> None:
        # always multipart, as PMS sends it, even when there is no thumb part
        parts: list[tuple[str, tuple[str | None, bytes, str]]] = [
            ("payload", (None, json.dumps(payload).encode(), "application/json"))
        ]
        if kind in EVENTS_WITH_THUMB:
            parts.append(("thumb", ("thumb.jpg", THUMB_JPEG, "image/jpeg")))
        try:
            response = self._client.post(url, files=parts)
        except httpx.HTTPError as exc:
            log.warning("webhook %s to %s failed: %s", kind, url, exc)
            self.deliveries.append(Delivery(url, kind, None, str(exc)))
            return
        if response.status_code >= 400:
            log.warning("webhook %s to %s answered %s", kind, url, response.status_code)
        self.deliveries.append(Delivery(url, kind, response.status_code, None))

    def flush(self) -> None:
        """Wait until every queued webhook has been sent."""
        self._queue.join()

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=10)
        self._client.close()
        if self.on_event in self._state.listeners:
            self._state.listeners.remove(self.on_event)
