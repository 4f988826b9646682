"""Reading a file's rating tags and match metadata in one open and one parse."""

from __future__ import annotations

import os

from app.adapters.tags.files import open_media
from app.adapters.tags.formats import detect, format_of, parse
from app.adapters.tags.model import FileTags
from app.adapters.tags.translate import from_os_error
from app.domain.ratings import TextScale


def read_file(path: str | os.PathLike[str], *, pinned_scale: TextScale | None = None) -> FileTags:
    """Every rating tag of ``path`` (dialect, raw value, decoded rating, detected scale) and the
    metadata the sync matches by. Raises only MediaFileError subclasses, each with the path."""
    name = os.fspath(path)
    with open_media(name, writable=False) as (handle, info):
        try:
            kind = detect(handle, name)
        except OSError as exc:
            raise from_os_error(exc, name, action="read") from exc
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
