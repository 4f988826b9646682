"""Reading a file's rating tags and match metadata in one open and one parse.

The common formats (MP3 with ID3v2.3/2.4, FLAC, Ogg Vorbis, Opus, MP4) are parsed first by a
lean reader (``lean_id3``, ``lean_vorbis``, ``lean_mp4``) that reads only what the family
functions look at, 3–5× faster than mutagen; it declines (None) anything unusual, and mutagen
parses those. Both give the same readings and metadata (differential tests in
``tests/adapters/test_tags_lean_*``).
"""

from __future__ import annotations

import logging
import os
from typing import BinaryIO

from app.adapters.tags import lean_id3, lean_mp4, lean_vorbis
from app.adapters.tags.files import open_media
from app.adapters.tags.formats import detect, format_of, parse
from app.adapters.tags.model import FileTags
from app.adapters.tags.parsed import LeanReader, ParsedAudio
from app.adapters.tags.translate import from_os_error
from app.domain.ratings.scales import TextScale

log = logging.getLogger(__name__)

LEAN_READERS: dict[str, LeanReader] = {
    "mp3": lean_id3.read_lean,
    "flac": lean_vorbis.read_lean_flac,
    "ogg_vorbis": lean_vorbis.read_lean_ogg_vorbis,
    "opus": lean_vorbis.read_lean_opus,
    "m4a": lean_mp4.read_lean,
}


def lean_parse(format_id: str, handle: BinaryIO, size_bytes: int, path: str) -> ParsedAudio | None:
    """The lean reader's stand-in for mutagen's object, or None (declined, or none exists).
    A lean reader never raises by contract; if one ever did (a bug, not a declined file), the
    problem is logged at warning and mutagen reads the file instead."""
    reader = LEAN_READERS.get(format_id)
    if reader is None:
        return None
    try:
        return reader(handle, size_bytes)
    except Exception:
        log.warning(
            "lean %s reader failed on %s; reading with mutagen", format_id, path, exc_info=True
        )
        return None


def read_file(path: str | os.PathLike[str], *, pinned_scale: TextScale | None = None) -> FileTags:
    """Every rating tag of ``path`` (dialect, raw value, decoded rating, detected scale) and the
    metadata the sync matches by. Raises only MediaFileError subclasses, each with the path."""
    name = os.fspath(path)
    with open_media(name, writable=False) as (handle, info):
        try:
            kind = detect(handle, name)
        except OSError as exc:
            raise from_os_error(exc, name, action="read") from exc
        audio: ParsedAudio | None = lean_parse(kind.format, handle, info.st_size, name)
        if audio is None:
            audio = parse(kind, handle, name, for_write=False)
        ops = kind.ops
        return FileTags(
            path=name,
            format=format_of(kind, audio, handle, name),
            tags=tuple(ops.readings(audio, pinned_scale)),
            meta=ops.meta(audio),
            size_bytes=info.st_size,
            mtime_ns=info.st_mtime_ns,
        )
