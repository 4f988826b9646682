"""The tags adapter: read and write rating tags (and match metadata) in audio files, via mutagen.

Public API::

    read_file(path, *, pinned_scale=None) -> FileTags
    write_rating(path, rating, profile, *, options, pinned_scale=None) -> WriteOutcome
    iter_audio_files(root, *, on_error=None) -> Iterator[str]

Only ``app.domain.errors.MediaFileError`` subclasses escape, each carrying the path. Formats,
detected by content: MP3, AIFF, WAV, DSF (ID3v2); FLAC, Ogg Vorbis, Opus, Speex, Ogg FLAC
(Vorbis comments); M4A, M4B, ALAC (MP4); WMA (ASF); APE, WavPack, Musepack (APEv2). One module
per family (``id3``, ``vorbis``, ``mp4``, ``asf``, ``apev2``); ``safe_write`` makes saves
crash-safe. Dialect ids are listed in ``app.domain.ratings.dialects``.
"""

from app.adapters.tags.formats import FORMATS
from app.adapters.tags.listing import AUDIO_EXTENSIONS, is_audio_name, iter_audio_files
from app.adapters.tags.model import (
    FileTags,
    HardlinkPolicy,
    TagChange,
    TrackMeta,
    WriteMethod,
    WriteOptions,
    WriteOutcome,
)
from app.adapters.tags.reader import read_file
from app.adapters.tags.writer import write_rating

__all__ = [
    "AUDIO_EXTENSIONS",
    "FORMATS",
    "FileTags",
    "HardlinkPolicy",
    "TagChange",
    "TrackMeta",
    "WriteMethod",
    "WriteOptions",
    "WriteOutcome",
    "is_audio_name",
    "iter_audio_files",
    "read_file",
    "write_rating",
]
