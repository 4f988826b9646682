"""ASF (WMA): ``WM/SharedUserRating``, a DWORD Windows Media Player sets to 0/1/25/50/75/99."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mutagen.asf._attrs import ASFDWordAttribute

from app.adapters.tags.common import duration_of, first_int, joined
from app.adapters.tags.model import TrackMeta
from app.domain.ratings.dialects import TagReading, decode
from app.domain.ratings.profiles import TagWrite
from app.domain.ratings.scales import TextScale

DWORD: Any = ASFDWordAttribute  # mutagen's constructors are untyped
RATING_KEY = "WM/SharedUserRating"
DIALECT = "asf:shareduserrating"


def _text(value: Any) -> str:
    inner = getattr(value, "value", value)
    if isinstance(inner, bytes | bytearray):
        return bytes(inner).decode("utf-16-le", "replace").rstrip("\x00")
    return str(inner)


def _rating_keys(tags: Any) -> list[str]:
    names = dict.fromkeys(key for key, _value in tags)  # a list of (name, value) pairs
    return [key for key in names if key.lower() == RATING_KEY.lower()]


def readings(audio: Any, pinned_scale: TextScale | None) -> list[TagReading]:
    tags = audio.tags
    if tags is None:
        return []
    return [decode(DIALECT, _text(value)) for key in _rating_keys(tags) for value in tags[key]]


def meta(audio: Any) -> TrackMeta:
    tags = audio.tags
    duration_s = duration_of(audio)
    if tags is None:
        return TrackMeta(duration_s=duration_s)

    def values(key: str) -> list[str]:
        return [_text(v) for v in tags.get(key, [])]

    track = values("WM/TrackNumber") or values("WM/Track")
    disc = values("WM/PartOfSet")
    recording = values("MusicBrainz/Track Id")
    return TrackMeta(
        title=joined(values("Title")),
        artist=joined(values("Author")),
        album=joined(values("WM/AlbumTitle")),
        album_artist=joined(values("WM/AlbumArtist")),
        track_number=first_int(track[0]) if track else None,
        disc_number=first_int(disc[0]) if disc else None,
        duration_s=duration_s,
        musicbrainz_recording_id=joined(recording),
    )


def prepare(audio: Any) -> None:
    if audio.tags is None:
        audio.add_tags()


def apply(audio: Any, writes: Sequence[TagWrite]) -> None:
    tags = audio.tags
    for write in writes:
        keys = _rating_keys(tags)
        for key in keys:
            del tags[key]
        if write.raw is not None:
            tags[keys[0] if keys else RATING_KEY] = [DWORD(int(write.raw))]
