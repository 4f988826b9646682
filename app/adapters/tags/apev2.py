"""APEv2 (Monkey's Audio, WavPack, Musepack): the ``Rating`` item, text (MediaMonkey: 0–100)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mutagen.apev2 import APETextValue

from app.adapters.tags.common import duration_of, first_int, joined, text_readings
from app.adapters.tags.model import TrackMeta
from app.domain.ratings.dialects import TagReading
from app.domain.ratings.profiles import TagWrite
from app.domain.ratings.scales import TextScale

RATING_KEY = "Rating"
DIALECT = "ape:rating"


def _values(tags: Any, key: str) -> list[str]:
    value = tags.get(key)
    if not isinstance(value, APETextValue):
        return []
    return list(value)


def readings(audio: Any, pinned_scale: TextScale | None) -> list[TagReading]:
    tags = audio.tags
    if tags is None or RATING_KEY not in tags:
        return []
    value = tags[RATING_KEY]
    texts = list(value) if isinstance(value, APETextValue) else [repr(value)]
    return text_readings(DIALECT, texts, pinned_scale)


def meta(audio: Any) -> TrackMeta:
    tags = audio.tags
    duration_s = duration_of(audio)
    if tags is None:
        return TrackMeta(duration_s=duration_s)
    track = _values(tags, "Track")
    disc = _values(tags, "Disc")
    return TrackMeta(
        title=joined(_values(tags, "Title")),
        artist=joined(_values(tags, "Artist")),
        album=joined(_values(tags, "Album")),
        album_artist=joined(_values(tags, "Album Artist")),
        track_number=first_int(track[0]) if track else None,
        disc_number=first_int(disc[0]) if disc else None,
        duration_s=duration_s,
        musicbrainz_recording_id=joined(_values(tags, "MUSICBRAINZ_TRACKID")),
    )


def prepare(audio: Any) -> None:
    if audio.tags is None:
        audio.add_tags()


def apply(audio: Any, writes: Sequence[TagWrite]) -> None:
    tags = audio.tags
    for write in writes:
        if write.raw is None:
            if RATING_KEY in tags:
                del tags[RATING_KEY]
        else:
            tags[RATING_KEY] = write.raw
