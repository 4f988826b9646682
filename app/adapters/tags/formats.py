"""Which formats we handle, how a file's format is detected by content, and how it is parsed.

Detection reads the first 128 bytes once and asks each mutagen file type how well they match
the *content* (the extension only breaks ties and rescues headerless streams; it is compared
lower-cased, so ``.MP3`` is ``.mp3``). An ID3v2 header in front of FLAC, APE, WavPack or Musepack
data is looked past, so only real MP3 streams count as MP3.

A fast path answers first for the common containers, from their magic bytes, without the 14
``score`` calls; it answers only when the scoring is certain to pick the same kind, and steps
aside (to the scoring, unchanged) whenever it is not (:func:`_by_magic`).
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
from app.adapters.tags.parsed import ParsedAudio
from app.adapters.tags.translate import from_parse_error
from app.domain.errors import UnsupportedFormat
from app.domain.ratings.dialects import Family, TagReading
from app.domain.ratings.profiles import TagWrite
from app.domain.ratings.scales import TextScale

HEADER_BYTES = 128


@dataclass(frozen=True, slots=True)
class FamilyOps:
    """The per-family functions: read rating tags and metadata, prepare and apply a write."""

    readings: Callable[[ParsedAudio, TextScale | None], list[TagReading]]
    meta: Callable[[ParsedAudio], TrackMeta]
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

_KIND_OF: dict[Any, Kind] = {kind.file_type: kind for kind in KINDS}

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
    header = _read_header(fileobj)
    kind = _by_magic(header)
    if kind is None:
        return _by_content(fileobj, path, header)
    fileobj.seek(0)  # where the scoring leaves the file
    return kind


def _detect_by_score(fileobj: BinaryIO, path: str) -> Kind:
    """:func:`detect` without the magic-byte fast path: the reference the fast path agrees with."""
    return _by_content(fileobj, path, _read_header(fileobj))


def _read_header(fileobj: BinaryIO) -> bytes:
    fileobj.seek(0)
    return fileobj.read(HEADER_BYTES)


def _by_content(fileobj: BinaryIO, path: str, header: bytes) -> Kind:
    """The ID3v2 look-past, then every kind's mutagen score of the content, then of the name."""
    name = PurePath(path).name.lower()
    id3_size = _id3_size(header)
    if id3_size is not None:
        fileobj.seek(id3_size)
        behind = _BEHIND_ID3.get(fileobj.read(4))
        wanted = behind or MP3  # an ID3v2 header in front of anything else: MP3
        return _KIND_OF[wanted]
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


# --- the magic-byte fast path ----------------------------------------------------------------
#
# The scoring above returns a kind without looking at the name exactly when that kind's content
# score (its mutagen ``score`` with an empty name) is positive and above every other kind's. So
# the fast path names a candidate from the magic bytes and returns it only when its content
# score is strictly above every rival's. The scores, as mutagen (1.47+) computes them:
#
#   MP3 2 (``ID3``, ``\xff\xf2``/``f3``/``fa``/``fb``), AIFF 2 (``FORM``), WAVE 1 (``RIFF``) + 1
#   (``WAVE`` at 8..12), DSF 2 (``DSD ``), FLAC 1 (``fLaC``), ASF 2 (its header GUID), Monkey's
#   Audio 1 (``MAC ``), WavPack 2 (``wvpk``), Musepack 1 (``MP+`` or ``MPCK``): tests of the
#   first bytes (WAVE's form aside), which no two kinds share; and tests of words anywhere in
#   the header:
#   MP4 1 (``ftyp``) + 1 (``mp4``), Ogg Vorbis/Opus/Speex 1 each (``\x01vorbis``, ``OpusHead``,
#   ``Speex   ``) and Ogg FLAC 1 (``FLAC``) + 1 (``fLaC``), the Ogg four only behind ``OggS``.
#
# So beside the candidate, only WAVE's ``WAVE`` at 8..12, MP4's two words and (behind ``OggS``)
# the Ogg codec names can score; those are the rivals checked. The differential tests in
# tests/adapters/test_tags_formats.py hold both paths to the same answers.

ASF_HEADER_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")


@dataclass(frozen=True, slots=True)
class _Magic:
    """A container known by its first bytes (and, for IFF/RIFF, by its form type at 8..12)."""

    prefix: bytes
    kind: Kind
    score: int
    forms: tuple[bytes, ...] = ()


_MAGICS: dict[bytes, _Magic] = {
    magic.prefix[:4]: magic
    for magic in (
        _Magic(b"fLaC", _KIND_OF[FLAC], 1),
        _Magic(b"FORM", _KIND_OF[AIFF], 2, (b"AIFF", b"AIFC")),
        _Magic(b"RIFF", _KIND_OF[WAVE], 2, (b"WAVE",)),
        _Magic(b"DSD ", _KIND_OF[DSF], 2),
        _Magic(ASF_HEADER_GUID, _KIND_OF[ASF], 2),
        _Magic(b"MAC ", _KIND_OF[MonkeysAudio], 1),
        _Magic(b"wvpk", _KIND_OF[WavPack], 2),
        _Magic(b"MPCK", _KIND_OF[Musepack], 1),
        _Magic(b"MP+", _KIND_OF[Musepack], 1),  # SV7; looked up by its three bytes
    )
}

# The first packet of an Ogg stream starts with its codec's identification header
_OGG_CODECS: tuple[tuple[bytes, Kind], ...] = (
    (b"\x01vorbis", _KIND_OF[OggVorbis]),
    (b"OpusHead", _KIND_OF[OggOpus]),
    (b"Speex   ", _KIND_OF[OggSpeex]),
    (b"\x7fFLAC", _KIND_OF[OggFLAC]),
)
OGG_PAGE_HEADER_BYTES = 27  # then one byte per segment, then the first packet


def _by_magic(header: bytes) -> Kind | None:
    """The kind the scoring would pick, told by magic bytes; None whenever that is not certain."""
    if header[4:8] == b"ftyp" and header[:1] == b"\x00":
        # an ftyp box (its size < 16 MiB); no first-bytes magic starts with a zero byte, so
        # only WAVE's form test can rival MP4's score
        mp4_score = 1 + (b"mp4" in header)
        return _KIND_OF[MP4] if mp4_score > (header[8:12] == b"WAVE") else None
    if header[:4] == b"OggS":
        return _by_ogg_codec(header)
    magic = _MAGICS.get(header[:4]) or _MAGICS.get(header[:3])
    if magic is None or not header.startswith(magic.prefix):
        return None
    if magic.forms and header[8:12] not in magic.forms:
        return None
    # (WAVE's own form test counts as a rival too, harmlessly: 1 never reaches its score of 2)
    return magic.kind if magic.score > _anywhere_score(header) else None


def _anywhere_score(header: bytes) -> int:
    """The best score of the tests that do not look at the first bytes, outside Ogg: MP4's
    words anywhere and WAVE's form at 8..12."""
    return max((b"ftyp" in header) + (b"mp4" in header), header[8:12] == b"WAVE")


def _by_ogg_codec(header: bytes) -> Kind | None:
    """The Ogg kind named by the first packet's codec header, if no other kind scores as high."""
    if len(header) < OGG_PAGE_HEADER_BYTES:
        return None
    packet_at = OGG_PAGE_HEADER_BYTES + header[OGG_PAGE_HEADER_BYTES - 1]
    codec = header[packet_at : packet_at + 8]
    for index, (signature, kind) in enumerate(_OGG_CODECS):
        if codec.startswith(signature):
            scores = _ogg_scores(header)
            others = scores[:index] + scores[index + 1 :]
            return kind if scores[index] > max(_anywhere_score(header), *others) else None
    return None


def _ogg_scores(header: bytes) -> tuple[int, ...]:
    """The Ogg kinds' content scores for a header behind ``OggS``, in ``_OGG_CODECS`` order."""
    return (
        int(b"\x01vorbis" in header),
        int(b"OpusHead" in header),
        int(b"Speex   " in header),
        (b"FLAC" in header) + (b"fLaC" in header),
    )


def format_of(kind: Kind, audio: ParsedAudio, fileobj: BinaryIO, path: str) -> str:
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
