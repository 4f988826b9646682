"""Incremental parsing of PMS XML into records, straight from the response bytes.

expat reports elements as they arrive; an item (``Track``, ``Video``, ``Directory``,
``Playlist``) is collected with the children we need (``Part``, ``Guid``, ``Location``) and
turned into a record when it ends. No element tree is kept, no plexapi object is built.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from xml.parsers import expat

from app.adapters.plex.records import (
    PlexPlaylist,
    PlexPlaylistItem,
    PlexSection,
    PlexTrack,
    epoch_to_datetime,
    rating_from_wire,
)

T = TypeVar("T")


class MalformedXml(ValueError):
    """The body is not the XML a Plex server sends."""


@dataclass
class RawItem:
    tag: str
    attrs: dict[str, str]
    parts: list[dict[str, str]] = field(default_factory=list)
    guids: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)


@dataclass
class Parsed(Generic[T]):
    container: dict[str, str]
    items: list[T]


def parse_items(
    chunks: Iterable[bytes], item_tags: frozenset[str], convert: Callable[[RawItem], T | None]
) -> Parsed[T]:
    """Parse a MediaContainer; ``convert`` turns each top-level item into a record (or None
    to skip it)."""
    container: dict[str, str] = {}
    items: list[T] = []
    depth = 0
    current: RawItem | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, current, container
        depth += 1
        if depth == 1:
            container = attrs
        elif depth == 2:
            current = RawItem(name, attrs) if name in item_tags else None
        elif current is not None:
            _add_child(current, name, attrs)

    def end(name: str) -> None:
        nonlocal depth, current
        if depth == 2 and current is not None:
            record = convert(current)
            if record is not None:
                items.append(record)
            current = None
        depth -= 1

    parser = expat.ParserCreate("utf-8")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise MalformedXml(f"malformed XML: {expat.ErrorString(exc.code)}") from None
    if not container and not items:
        raise MalformedXml("empty response where a MediaContainer was expected")
    return Parsed(container, items)


def _add_child(item: RawItem, name: str, attrs: dict[str, str]) -> None:
    """A child element of a top-level item: its parts, guids and locations."""
    if name == "Part":
        item.parts.append(attrs)
    elif name == "Guid" and "id" in attrs:
        item.guids.append(attrs["id"])
    elif name == "Location" and "path" in attrs:
        item.locations.append(attrs["path"])


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            return None


def track_from(raw: RawItem, section_id: int | None = None) -> PlexTrack | None:
    a = raw.attrs
    if raw.tag != "Track" or a.get("type", "track") != "track":
        return None
    rating_key = _int(a.get("ratingKey"))
    if rating_key is None:
        return None
    album_artist = _shared(a.get("grandparentTitle"))
    parts = raw.parts
    return PlexTrack(
        rating_key=rating_key,
        section_id=_int(a.get("librarySectionID")) or section_id,
        guid=a.get("guid"),
        external_ids=tuple(raw.guids),
        title=a.get("title", ""),
        artist=_shared(a.get("originalTitle")) or album_artist,
        album=_shared(a.get("parentTitle")),
        album_artist=album_artist,
        track_no=_int(a.get("index")),
        disc_no=_int(a.get("parentIndex")),
        duration_ms=_int(a.get("duration")),
        file_paths=tuple(p["file"] for p in parts if p.get("file")),
        size_bytes=_int(parts[0].get("size")) if parts else None,
        user_rating=rating_from_wire(a.get("userRating")),
        last_rated_at=epoch_to_datetime(a.get("lastRatedAt")),
        updated_at=epoch_to_datetime(a.get("updatedAt")),
        added_at=epoch_to_datetime(a.get("addedAt")),
    )


def _shared(value: str | None) -> str | None:
    """Album and artist names repeat across tracks: keep one copy of each."""
    return sys.intern(value) if value is not None else None


def playlist_item_from(raw: RawItem) -> PlexPlaylistItem | None:
    track = track_from(raw)
    item_id = _int(raw.attrs.get("playlistItemID"))
    if track is None or item_id is None:
        return None
    return PlexPlaylistItem(item_id, track)


def section_from(raw: RawItem) -> PlexSection | None:
    a = raw.attrs
    section_id = _int(a.get("key"))
    if raw.tag != "Directory" or section_id is None:
        return None
    return PlexSection(
        section_id=section_id,
        title=a.get("title", ""),
        kind=a.get("type", ""),
        uuid=a.get("uuid"),
        locations=tuple(raw.locations),
        agent=a.get("agent"),
        scanner=a.get("scanner"),
        refreshing=a.get("refreshing") in {"1", "true"},
        updated_at=epoch_to_datetime(a.get("updatedAt")),
    )


def playlist_from(raw: RawItem) -> PlexPlaylist | None:
    a = raw.attrs
    playlist_id = _int(a.get("ratingKey"))
    if raw.tag != "Playlist" or playlist_id is None:
        return None
    return PlexPlaylist(
        playlist_id=playlist_id,
        title=a.get("title", ""),
        playlist_type=a.get("playlistType"),
        smart=a.get("smart") in {"1", "true"},
        leaf_count=_int(a.get("leafCount")) or 0,
        duration_ms=_int(a.get("duration")),
        guid=a.get("guid"),
        summary=a.get("summary", ""),
        added_at=epoch_to_datetime(a.get("addedAt")),
        updated_at=epoch_to_datetime(a.get("updatedAt")),
    )
