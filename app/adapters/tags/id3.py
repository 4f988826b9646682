"""ID3v2 (MP3, AIFF, WAV, DSF): POPM frames per email, TXXX:FMPS_Rating and TXXX:RATING.

The tag keeps its version (2.3 stays 2.3, 2.4 stays 2.4): files are loaded for writing without
mutagen's translation, so every other frame is written back as it was read. A file without an
ID3v2 tag gets a v2.3 tag (the version every player reads); a v2.2 tag is upgraded to v2.3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mutagen.id3 import POPM, TXXX, Encoding

from app.adapters.tags.common import duration_of, first_int, joined, text_readings
from app.adapters.tags.model import TrackMeta
from app.domain.ratings.dialects import Codec, TagReading, decode, dialect, popm_dialect_id
from app.domain.ratings.profiles import TagWrite
from app.domain.ratings.scales import TextScale

POPM_FRAME: Any = POPM  # mutagen's constructors are untyped
TXXX_FRAME: Any = TXXX
TXXX_DIALECTS = {"fmps_rating": "txxx:fmps_rating", "rating": "txxx:rating"}
TXXX_DESCRIPTIONS = {"txxx:fmps_rating": "FMPS_Rating", "txxx:rating": "RATING"}
MUSICBRAINZ_UFID_OWNER = "http://musicbrainz.org"
NEW_TAG_VERSION = 3


def readings(audio: Any, pinned_scale: TextScale | None) -> list[TagReading]:
    tags = audio.tags
    if tags is None:
        return []
    found: list[TagReading] = []
    for frame in tags.values():
        frame_id = frame.FrameID
        if frame_id == "POPM":
            rating = getattr(frame, "rating", 0)
            found.append(decode(popm_dialect_id(frame.email), str(rating)))
        elif frame_id == "TXXX":
            dialect_id = TXXX_DIALECTS.get(frame.desc.lower())
            if dialect_id is not None:
                found.extend(text_readings(dialect_id, frame.text, pinned_scale))
    return found


def meta(audio: Any) -> TrackMeta:
    tags = audio.tags
    duration_s = duration_of(audio)
    if tags is None:
        return TrackMeta(duration_s=duration_s)

    def text(key: str) -> str | None:
        frame = tags.get(key)
        return None if frame is None else joined(frame.text)

    ufid = tags.get(f"UFID:{MUSICBRAINZ_UFID_OWNER}")
    recording_id = None
    if ufid is not None:
        recording_id = bytes(ufid.data).decode("ascii", "replace").strip() or None
    track = tags.get("TRCK")
    disc = tags.get("TPOS")
    return TrackMeta(
        title=text("TIT2"),
        artist=text("TPE1"),
        album=text("TALB"),
        album_artist=text("TPE2"),
        track_number=first_int(track.text[0]) if track is not None and track.text else None,
        disc_number=first_int(disc.text[0]) if disc is not None and disc.text else None,
        duration_s=duration_s,
        musicbrainz_recording_id=recording_id,
    )


def save_version(audio: Any) -> int:
    """The version to save with: the file's own, v2.3 for a new or a v2.2 tag."""
    tags = audio.tags
    if tags is None or tags.version < (2, 3, 0):
        return NEW_TAG_VERSION
    return 4 if tags.version >= (2, 4, 0) else 3


def prepare(audio: Any) -> None:
    """Make the loaded tag writable: add one if missing, upgrade v2.2 frames to v2.3."""
    if audio.tags is None:
        audio.add_tags()
    elif audio.tags.version < (2, 3, 0):
        audio.tags.update_to_v23()


def apply(audio: Any, writes: Sequence[TagWrite]) -> None:
    tags = audio.tags
    for write in writes:
        d = dialect(write.dialect)
        if d.codec is Codec.POPM:
            _apply_popm(tags, d.id, d.email or "", write.raw)
        else:
            _apply_txxx(tags, TXXX_DESCRIPTIONS[d.id], write.raw)


def _apply_popm(tags: Any, dialect_id: str, email: str, raw: str | None) -> None:
    frames = [f for f in tags.getall("POPM") if popm_dialect_id(f.email) == dialect_id]
    byte = 0 if raw is None else int(raw)
    if byte == 0:
        for frame in frames:
            if getattr(frame, "count", 0):
                frame.rating = 0  # keep the frame for its play counter
            else:
                del tags[frame.HashKey]
        return
    if not frames:
        tags.add(POPM_FRAME(email=email, rating=byte, count=0))
    for frame in frames:
        frame.rating = byte


def _apply_txxx(tags: Any, description: str, raw: str | None) -> None:
    frames = [f for f in tags.getall("TXXX") if f.desc.lower() == description.lower()]
    for frame in frames if raw is None else frames[1:]:
        del tags[frame.HashKey]
    if raw is None:
        return
    if frames:
        frames[0].text = [raw]
    else:
        tags.add(TXXX_FRAME(encoding=Encoding.LATIN1, desc=description, text=[raw]))
