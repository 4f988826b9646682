"""Vorbis comments (FLAC, Ogg Vorbis, Opus, Speex, Ogg FLAC): RATING, FMPS_RATING, RATING:<email>.

Field names are case-insensitive and may repeat. A write edits the comment list in place: the
first field of a name keeps its position and spelling, repeats of it are dropped, new fields go
at the end; every other field stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.adapters.tags.common import duration_of, first_int, joined, text_readings
from app.adapters.tags.model import TrackMeta
from app.domain.ratings.dialects import TagReading, dialect, vorbis_email_dialect_id
from app.domain.ratings.profiles import TagWrite
from app.domain.ratings.scales import TextScale

FIELD_BY_DIALECT = {"vorbis:rating": "RATING", "vorbis:fmps_rating": "FMPS_RATING"}
_DIALECT_BY_FIELD = {"rating": "vorbis:rating", "fmps_rating": "vorbis:fmps_rating"}
_EMAIL_PREFIX = "rating:"


def dialect_of_field(name: str) -> str | None:
    lowered = name.lower()
    known = _DIALECT_BY_FIELD.get(lowered)
    if known is not None:
        return known
    if lowered.startswith(_EMAIL_PREFIX) and len(lowered) > len(_EMAIL_PREFIX):
        return vorbis_email_dialect_id(name[len(_EMAIL_PREFIX) :])
    return None


def field_name(dialect_id: str) -> str:
    d = dialect(dialect_id)
    return FIELD_BY_DIALECT.get(d.id) or f"RATING:{d.email}"


def readings(audio: Any, pinned_scale: TextScale | None) -> list[TagReading]:
    tags = audio.tags
    if tags is None:
        return []
    found: list[TagReading] = []
    for name, value in tags:
        dialect_id = dialect_of_field(name)
        if dialect_id is not None:
            found.extend(text_readings(dialect_id, [value], pinned_scale))
    return found


def meta(audio: Any) -> TrackMeta:
    tags = audio.tags
    duration_s = duration_of(audio)
    if tags is None:
        return TrackMeta(duration_s=duration_s)
    fields: dict[str, list[str]] = {}
    for name, value in tags:
        fields.setdefault(name.lower(), []).append(value)

    def text(*names: str) -> str | None:
        for name in names:
            value = joined(fields.get(name, []))
            if value is not None:
                return value
        return None

    track = fields.get("tracknumber")
    disc = fields.get("discnumber")
    return TrackMeta(
        title=text("title"),
        artist=text("artist"),
        album=text("album"),
        album_artist=text("albumartist", "album artist", "album_artist"),
        track_number=first_int(track[0]) if track else None,
        disc_number=first_int(disc[0]) if disc else None,
        duration_s=duration_s,
        musicbrainz_recording_id=text("musicbrainz_trackid"),
    )


def prepare(audio: Any) -> None:
    if audio.tags is None:
        audio.add_tags()


def apply(audio: Any, writes: Sequence[TagWrite]) -> None:
    comments = audio.tags  # a list of (name, value) pairs; only slices index it by position
    for write in writes:
        name = field_name(write.dialect)
        positions = [
            i for i, (key, _value) in enumerate(comments) if dialect_of_field(key) == write.dialect
        ]
        keep = positions[:1] if write.raw is not None else []
        for i in reversed(positions):
            if i not in keep:
                del comments[i : i + 1]
        if write.raw is None:
            continue
        if keep:
            at = keep[0]
            key, _old = comments[at : at + 1][0]
            comments[at : at + 1] = [(key, write.raw)]
        else:
            comments.append((name, write.raw))
