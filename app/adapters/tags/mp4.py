"""MP4 (M4A, M4B, ALAC): ``----:com.apple.iTunes:RATE``, ``…:RATING`` and the plain ``rate`` atom.

``rtng`` is the iTunes content advisory (explicit/clean), never a rating: it is neither read nor
written. Freeform names are matched case-insensitively; a value stored as an integer data atom
is read as its number. Writes store UTF-8 text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mutagen.mp4 import AtomDataType, MP4FreeForm

from app.adapters.tags.common import as_text, duration_of, first_int, joined, text_readings
from app.adapters.tags.model import TrackMeta
from app.domain.ratings.dialects import TagReading
from app.domain.ratings.profiles import TagWrite
from app.domain.ratings.scales import TextScale

FREEFORM: Any = MP4FreeForm  # mutagen's constructors are untyped
ITUNES_MEAN = "com.apple.itunes"
FREEFORM_DIALECTS = {"rate": "mp4:itunes_rate", "rating": "mp4:itunes_rating"}
DEFAULT_KEYS = {
    "mp4:itunes_rate": "----:com.apple.iTunes:RATE",
    "mp4:itunes_rating": "----:com.apple.iTunes:RATING",
    "mp4:rate": "rate",
}
MUSICBRAINZ_TRACK_ID = "musicbrainz track id"


def _freeform_name(key: str) -> str | None:
    """``----:com.apple.iTunes:RATE`` -> ``rate`` (lower-cased) for the iTunes mean, else None."""
    if not key.startswith("----:"):
        return None
    mean, sep, name = key[len("----:") :].partition(":")
    if not sep or mean.lower() != ITUNES_MEAN:
        return None
    return name.lower()


def dialect_of_key(key: str) -> str | None:
    if key == "rate":
        return "mp4:rate"
    name = _freeform_name(key)
    return None if name is None else FREEFORM_DIALECTS.get(name)


def _value_text(value: object) -> str:
    if isinstance(value, MP4FreeForm) and value.dataformat == AtomDataType.INTEGER:
        return str(int.from_bytes(bytes(value), "big", signed=True)) if value else ""
    return as_text(value)


def readings(audio: Any, pinned_scale: TextScale | None) -> list[TagReading]:
    tags = audio.tags
    if tags is None:
        return []
    found: list[TagReading] = []
    for key, values in tags.items():
        dialect_id = dialect_of_key(key)
        if dialect_id is not None:
            found.extend(text_readings(dialect_id, map(_value_text, values), pinned_scale))
    return found


def meta(audio: Any) -> TrackMeta:
    tags = audio.tags
    duration_s = duration_of(audio)
    if tags is None:
        return TrackMeta(duration_s=duration_s)

    def text(key: str) -> str | None:
        return joined(tags.get(key, []))

    recording_id = None
    for key, values in tags.items():
        if _freeform_name(key) == MUSICBRAINZ_TRACK_ID:
            recording_id = joined(as_text(v) for v in values)
            break
    track = tags.get("trkn")
    disc = tags.get("disk")
    return TrackMeta(
        title=text("©nam"),
        artist=text("©ART"),
        album=text("©alb"),
        album_artist=text("aART"),
        track_number=first_int(track[0]) if track else None,
        disc_number=first_int(disc[0]) if disc else None,
        duration_s=duration_s,
        musicbrainz_recording_id=recording_id,
    )


def prepare(audio: Any) -> None:
    if audio.tags is None:
        audio.add_tags()


def apply(audio: Any, writes: Sequence[TagWrite]) -> None:
    tags = audio.tags
    for write in writes:
        keys = [key for key in tags if dialect_of_key(key) == write.dialect]
        for key in keys if write.raw is None else keys[1:]:
            del tags[key]
        if write.raw is None:
            continue
        key = keys[0] if keys else DEFAULT_KEYS[write.dialect]
        if key == "rate":
            tags[key] = [write.raw]
        else:
            tags[key] = [FREEFORM(write.raw.encode("utf-8"), dataformat=AtomDataType.UTF8)]
