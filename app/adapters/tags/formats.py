"""Which formats we handle, how a file's format is detected by content, and how it is parsed.

Detection reads the first 128 bytes once and asks each mutagen file type how well they match
the *content* (the extension only breaks ties and rescues headerless streams; it is compared
lower-cased, so ``.MP3`` is ``.mp3``). An ID3v2 header in front of FLAC, APE, WavPack or Musepack
data is looked past, so only real MP3 streams count as MP3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO

from mutagen.aiff import AIFF
from mutagen.asf import ASF
from mutagen.dsf import DSF
from mutagen.flac import FLAC
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.musepack import Musepack
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

from app.adapters.tags import apev2, asf, id3, mp4, vorbis
from app.adapters.tags.model import TrackMeta
from app.adapters.tags.translate import from_parse_error
from app.domain.errors import UnsupportedFormat
from app.domain.ratings import Family, TagReading, TagWrite, TextScale

HEADER_BYTES = 128


@dataclass(frozen=True, slots=True)
class FamilyOps:
    """The per-family functions: read rating tags and metadata, prepare and apply a write."""

    readings: Callable[[Any, TextScale | None], list[TagReading]]
    meta: Callable[[Any], TrackMeta]
    prepare: Callable[[Any], None]
    apply: Callable[[Any, Sequence[TagWrite]], None]


FAMILIES: dict[Family, FamilyOps] = {
    Family.ID3: FamilyOps(id3.readings, id3.meta, id3.prepare, id3.apply),
    Family.VORBIS: FamilyOps(vorbis.readings, vorbis.meta, vorbis.prepare, vorbis.apply),
    Family.MP4: FamilyOps(mp4.readings, mp4.meta, mp4.prepare, mp4.apply),
    Family.ASF: FamilyOps(asf.readings, asf.meta, asf.prepare, asf.apply),
    Family.APE: FamilyOps(apev2.readings, apev2.meta, apev2.prepare, apev2.apply),
}


@dataclass(frozen=True, slots=True)
class Kind:
    """One mutagen file type: its tag family and our format id."""

    file_type: Any
    family: Family
    format: str

    @property
    def ops(self) -> FamilyOps:
        return FAMILIES[self.family]

    @property
    def is_mp3(self) -> bool:
        return self.file_type is MP3


KINDS: tuple[Kind, ...] = (
    Kind(MP3, Family.ID3, "mp3"),
    Kind(AIFF, Family.ID3, "aiff"),
    Kind(WAVE, Family.ID3, "wav"),
    Kind(DSF, Family.ID3, "dsf"),
    Kind(FLAC, Family.VORBIS, "flac"),
    Kind(OggVorbis, Family.VORBIS, "ogg_vorbis"),
    Kind(OggOpus, Family.VORBIS, "opus"),
    Kind(OggSpeex, Family.VORBIS, "speex"),
    Kind(OggFLAC, Family.VORBIS, "ogg_flac"),
    Kind(MP4, Family.MP4, "m4a"),
    Kind(ASF, Family.ASF, "wma"),
    Kind(MonkeysAudio, Family.APE, "ape"),
    Kind(WavPack, Family.APE, "wavpack"),
    Kind(Musepack, Family.APE, "musepack"),
)
FORMATS: tuple[str, ...] = ("mp3", "aiff", "wav", "dsf", "flac", "ogg_vorbis", "opus", "speex",
                            "ogg_flac", "m4a", "m4b", "alac", "wma", "ape", "wavpack",
                            "musepack")  # fmt: skip

_BEHIND_ID3 = {b"fLaC": FLAC, b"MAC ": MonkeysAudio, b"wvpk": WavPack, b"MPCK": Musepack}


def _id3_size(header: bytes) -> int | None:
    if len(header) < 10 or not header.startswith(b"ID3"):
        return None
    size_bytes = header[6:10]
    if any(b & 0x80 for b in size_bytes):
        return None
    size = 0
    for b in size_bytes:
        size = (size << 7) | b
    footer = 10 if header[5] & 0x10 else 0
    return 10 + size + footer


def _score(kind: Kind, name: str, fileobj: BinaryIO, header: bytes) -> int:
    fileobj.seek(0)
    score: int = kind.file_type.score(name, fileobj, header)
    return score


def detect(fileobj: BinaryIO, path: str) -> Kind:
    """The kind of file ``fileobj`` holds (``path`` only for the extension and messages)."""
    fileobj.seek(0)
    header = fileobj.read(HEADER_BYTES)
    name = PurePath(path).name.lower()
    id3_size = _id3_size(header)
    if id3_size is not None:
        fileobj.seek(id3_size)
        behind = _BEHIND_ID3.get(fileobj.read(4))
        wanted = behind or MP3  # an ID3v2 header in front of anything else: MP3
        return next(k for k in KINDS if k.file_type is wanted)
    content = [(_score(kind, "", fileobj, header), kind) for kind in KINDS]
    best = max(score for score, _kind in content)
    candidates = [kind for score, kind in content if score == best and score > 0]
    if len(candidates) == 1:
        return candidates[0]
    pool = candidates or list(KINDS)
    named = [(_score(kind, name, fileobj, header), kind) for kind in pool]
    best_named = max(score for score, _kind in named)
    if best_named <= 0:
        raise UnsupportedFormat("not an audio format Crossfade handles", path=path)
    return next(kind for score, kind in named if score == best_named)


def format_of(kind: Kind, audio: Any, fileobj: BinaryIO, path: str) -> str:
    """The format id: MP4 splits into ``alac``, ``m4b`` (audiobook brand or name) and ``m4a``."""
    if kind.file_type is not MP4:
        return kind.format
    codec = str(getattr(audio.info, "codec", ""))
    if codec.startswith("alac"):
        return "alac"
    fileobj.seek(8)
    if fileobj.read(4) == b"M4B " or path.lower().endswith(".m4b"):
        return "m4b"
    return "m4a"


def parse(kind: Kind, fileobj: BinaryIO, path: str, *, for_write: bool) -> Any:
    """Parse with mutagen; any failure is one of our errors. For a write, ID3 tags load without
    translation or the ID3v1 merge, so the tag is written back as it was (v2.2 is the
    exception: it is translated, to be saved as v2.3)."""
    id3_untranslated = for_write and kind.family is Family.ID3
    try:
        fileobj.seek(0)
        if not id3_untranslated:
            return kind.file_type(fileobj)
        audio = kind.file_type(fileobj, translate=False, load_v1=False)
        if audio.tags is not None and audio.tags.version < (2, 3, 0):
            fileobj.seek(0)
            audio = kind.file_type(fileobj, load_v1=False)
        return audio
    except Exception as exc:  # mutagen raises far more than MutagenError on malformed input
        raise from_parse_error(exc, path, action="read") from exc
