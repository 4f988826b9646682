"""A lean, read-only MP4 (M4A/M4B/ALAC) reader: the atoms the MP4 family functions use, or None.

:func:`read_lean` walks the atom tree itself and builds a small stand-in for mutagen's ``MP4``
object: ``info.length`` and ``info.codec`` as ``MP4Info`` computes them, and ``tags`` holding
exactly the items ``mp4.readings``/``mp4.meta`` look at (``©nam``, ``©ART``, ``©alb``, ``aART``,
``trkn``, ``disk``, ``rate`` and every freeform ``----:mean:name`` item), with the keys, value
types, values and order mutagen's ``MP4Tags`` would give them. Other items are skipped by size.

It declines (returns None, and the caller parses with mutagen) on anything it does not model
exactly, and whenever mutagen would raise:

- the atom tree: every container mutagen descends into (``moov``, ``udta``, ``trak``, ``mdia``,
  ``meta``, ``ilst``, ``stbl``, ``minf``, ``moof``, ``traf``) must hold children that tile it
  exactly, each at least 8 bytes with a 32-bit size; 64-bit and to-end-of-file sizes are taken
  at the top level only; a top-level container other than one ``moov`` (``moof``: fragmented
  files), or a ``moov`` running past the end of the file, declines;
- the stream info: the first ``soun`` track gives the length (its ``mdhd``, version 0 or 1) and
  the codec (the first ``stsd`` entry: ``mp4a`` with an ``esds``, parsed the way mutagen's
  descriptor parser reads it, including where it would run out of data, or ``alac`` with its
  cookie); a second audio track, a track without ``mdia``/``hdlr``, no audio track, any other
  sample entry, a program config element, Nero chapters (``chpl``) decline;
- the items: a freeform item must be a well-formed ``mean``, ``name`` and ``data`` children
  sequence, and ``trkn``/``disk`` data shorter than mutagen unpacks, or a cover item mutagen
  would stumble on, declines. Items mutagen fails to parse and keeps aside (wrong data type,
  undecodable text) are left out, as mutagen leaves them out of ``tags``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from mutagen.mp4 import MP4FreeForm

HEAD_BYTES = 16 * 1024  # first read: the top-level headers and, for small files, everything
CHUNK_BYTES = 64 * 1024  # read at a top-level header beyond what was read: usually all of moov
MAX_MOOV_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 16

_CONTAINERS = frozenset(
    {b"moov", b"udta", b"trak", b"mdia", b"meta", b"ilst", b"stbl", b"minf", b"moof", b"traf"}
)
_TEXT_ITEMS = frozenset({b"\xa9nam", b"\xa9ART", b"\xa9alb", b"aART"})
_PAIR_ITEMS = frozenset({b"trkn", b"disk"})
_IMPLICIT, _UTF8 = 0, 1

_HEADER = struct.Struct(">I4s")
_DATA_HEADER = struct.Struct(">I4sI")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_TWO_U32 = struct.Struct(">2I")
_U32_U64 = struct.Struct(">IQ")
_PAIR = struct.Struct(">2H")

FREEFORM: Any = MP4FreeForm  # mutagen's constructors are untyped

# An atom of the tree: (name, payload start, end, children or None for a leaf)
_Atom = tuple[bytes, int, int, "list[_Atom] | None"]


@dataclass(frozen=True, slots=True)
class LeanInfo:
    """What the family functions and ``format_of`` read of mutagen's ``MP4Info``."""

    length: float
    codec: str


@dataclass(frozen=True, slots=True)
class LeanAudio:
    """The stand-in for mutagen's ``MP4``: ``tags`` is None when the file has no ``ilst``."""

    info: LeanInfo
    tags: dict[str, list[Any]] | None


class _Decline(Exception):
    """Not a file this reader models exactly: let mutagen parse it."""


def read_lean(fileobj: BinaryIO, size_bytes: int) -> LeanAudio | None:
    """The stand-in for mutagen's ``MP4(fileobj)``, or None to decline. Never raises for
    malformed input; only reads."""
    try:
        buf, moov = _moov(_Window(fileobj, size_bytes))
        return LeanAudio(info=_info(buf, moov), tags=_tags(buf, moov))
    except (_Decline, struct.error, ValueError, IndexError, OSError):
        return None


# --- the top level --------------------------------------------------------------------------


class _Window:
    """The bytes of the file read so far: one window, moved only when a header lies beyond it."""

    __slots__ = ("data", "fileobj", "size", "start")

    def __init__(self, fileobj: BinaryIO, size: int) -> None:
        self.fileobj = fileobj
        self.size = size
        self.start = 0
        self.data = self._read(0, HEAD_BYTES)

    def _read(self, offset: int, count: int) -> bytes:
        self.fileobj.seek(offset)
        data = self.fileobj.read(count)
        if len(data) != min(count, self.size - offset):
            raise _Decline  # the file is not the size we were told
        return data

    def header(self, offset: int) -> bytes:
        """Up to 16 bytes at ``offset`` (fewer only at the end of the file)."""
        at = offset - self.start
        end = self.start + len(self.data)
        if at < 0 or (at + 16 > len(self.data) and end < self.size):
            self.start, self.data, at = offset, self._read(offset, CHUNK_BYTES), 0
        return self.data[at : at + 16]

    def span(self, offset: int, length: int) -> tuple[bytes, int]:
        """The bytes ``offset..offset+length`` as (buffer, where they start in it)."""
        at = offset - self.start
        if at >= 0 and at + length <= len(self.data):
            return self.data, at
        return self._read(offset, length), 0


def _moov(window: _Window) -> tuple[bytes, _Atom]:
    """The one top-level ``moov``, its whole tree checked; mutagen's ``Atoms`` walk."""
    size = window.size
    found: tuple[bytes, _Atom] | None = None
    pos = 0
    while pos + 8 <= size:
        header = window.header(pos)
        length, name = _HEADER.unpack_from(header)
        header_bytes = 8
        if length == 1:
            if len(header) < 16:
                raise _Decline
            (length,) = _U64.unpack_from(header, 8)
            header_bytes = 16
            if length < 16:
                raise _Decline
        elif length == 0:
            length = size - pos
        elif length < 8:
            raise _Decline
        if name in _CONTAINERS:
            if name != b"moov" or found is not None:
                raise _Decline
            if pos + length > size or length > MAX_MOOV_BYTES:
                raise _Decline
            buf, at = window.span(pos, length)
            children = _children(buf, at + header_bytes, at + length, 1)
            found = (buf, (name, at + header_bytes, at + length, children))
        pos += length
    if found is None:
        raise _Decline
    return found


def _children(buf: bytes, start: int, end: int, depth: int) -> list[_Atom]:
    """The atoms tiling ``start..end`` exactly, containers with their own children."""
    atoms: list[_Atom] = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise _Decline
        length, name = _HEADER.unpack_from(buf, pos)
        atom_end = pos + length
        if length < 8 or atom_end > end:
            raise _Decline
        children = None
        if name in _CONTAINERS:
            if depth >= MAX_DEPTH:
                raise _Decline
            skip = 0
            if name == b"meta":  # a full atom: version and flags before the children
                if length < 12:
                    raise _Decline
                skip = 4
            children = _children(buf, pos + 8 + skip, atom_end, depth + 1)
        atoms.append((name, pos + 8, atom_end, children))
        pos = atom_end
    return atoms


def _first(atom: _Atom | None, name: bytes) -> _Atom | None:
    """The first child called ``name`` (mutagen's lookups stop at the first match)."""
    if atom is None or atom[3] is None:
        return None
    for child in atom[3]:
        if child[0] == name:
            return child
    return None


# --- the stream info --------------------------------------------------------------------------


def _info(buf: bytes, moov: _Atom) -> LeanInfo:
    """``MP4Info``: the length from the audio track's ``mdhd``, the codec from its ``stsd``."""
    sound: _Atom | None = None
    for trak in moov[3] or ():
        if trak[0] != b"trak":
            continue
        mdia = _first(trak, b"mdia")
        hdlr = _first(mdia, b"hdlr")
        if mdia is None or hdlr is None:
            raise _Decline
        _name, start, end, _children = hdlr
        if buf[start + 8 : min(start + 12, end)] == b"soun":
            if sound is not None:
                raise _Decline  # several audio tracks
            sound = mdia
    if sound is None:
        raise _Decline
    mdhd = _first(sound, b"mdhd")
    if mdhd is None:
        raise _Decline
    length = _mdhd_length(buf[mdhd[1] : mdhd[2]])
    stsd = _first(_first(_first(sound, b"minf"), b"stbl"), b"stsd")
    codec = "" if stsd is None else _cached_codec(buf[stsd[1] : stsd[2]])
    return LeanInfo(length=length, codec=codec)


_CODECS: dict[bytes, str | None] = {}  # stsd payload -> codec, or None to decline
MAX_CACHED_CODECS = 256


def _cached_codec(stsd: bytes) -> str:
    """:func:`_codec`, remembered: a library's files mostly share a few sample descriptions."""
    if stsd in _CODECS:
        codec = _CODECS[stsd]
    else:
        try:
            codec = _codec(stsd)
        except _Decline:
            codec = None
        if len(_CODECS) >= MAX_CACHED_CODECS:
            _CODECS.clear()
        _CODECS[stsd] = codec
    if codec is None:
        raise _Decline
    return codec


def _mdhd_length(mdhd: bytes) -> float:
    if len(mdhd) < 4:
        raise _Decline
    version = mdhd[0]
    if version == 0 and len(mdhd) >= 20:
        unit, duration = _TWO_U32.unpack_from(mdhd, 12)
    elif version == 1 and len(mdhd) >= 32:
        unit, duration = _U32_U64.unpack_from(mdhd, 20)
    else:
        raise _Decline
    return float(duration) / unit if unit else 0.0


def _codec(stsd: bytes) -> str:
    """``MP4Info.codec`` from the first sample entry: ``mp4a.40.2``-style or ``alac``."""
    if len(stsd) < 8 or stsd[0] != 0:
        raise _Decline
    (entries,) = _U32.unpack_from(stsd, 4)
    if entries == 0:
        return ""
    entry = stsd[8:]
    if len(entry) < 8:
        raise _Decline
    entry_length, entry_name = _HEADER.unpack_from(entry)
    if entry_length < 8 or entry_length > len(entry):
        raise _Decline
    # the AudioSampleEntry: 28 bytes of fields, then its first child atom
    sample_entry = entry[8:entry_length]
    if len(sample_entry) < 36:
        raise _Decline
    extra_length, extra_name = _HEADER.unpack_from(sample_entry, 28)
    if extra_length < 8 or 28 + extra_length > len(sample_entry):
        raise _Decline
    extra = sample_entry[36 : 28 + extra_length]
    if entry_name == b"mp4a" and extra_name == b"esds":
        return "mp4a" + _esds_codec_param(extra)
    if entry_name == b"alac" and extra_name == b"alac":
        _check_alac_cookie(extra)
        return "alac"
    raise _Decline


def _check_alac_cookie(cookie: bytes) -> None:
    """Decline where mutagen's ALAC cookie parse would run out of data."""
    if len(cookie) < 4 or cookie[0] != 0:
        raise _Decline
    needed = 4 + (24 if len(cookie) >= 9 and cookie[8] == 0 else 5)
    if len(cookie) < needed:
        raise _Decline


class _Bits:
    """A bit cursor that fails exactly where mutagen's ``BitReader`` over the same bytes would
    raise (its ``skip`` seeks past the end without complaint when it ends on a byte boundary)."""

    __slots__ = ("data", "pos", "total", "value")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.total = len(data) * 8
        self.value = int.from_bytes(data, "big")
        self.pos = 0

    def bits(self, count: int) -> int:
        end = self.pos + count
        if count and -(-end // 8) * 8 > self.total:
            raise _Decline
        self.pos = end
        return (self.value >> (self.total - end)) & ((1 << count) - 1)

    def skip(self, count: int) -> None:
        buffered = -self.pos % 8
        self.pos += count
        if count > buffered and (count - buffered) % 8 and -(-self.pos // 8) * 8 > self.total:
            raise _Decline

    def byte(self) -> int:
        return self.bits(8)

    def skip_bytes(self, count: int) -> None:
        if self.pos // 8 + count > len(self.data):
            raise _Decline
        self.pos += count * 8

    def descriptor_length(self) -> int:
        value = 0
        for _ in range(4):
            byte = self.byte()
            value = (value << 7) | (byte & 0x7F)
            if not byte >> 7:
                return value
        raise _Decline


def _esds_codec_param(esds: bytes) -> str:
    """``.40.2``: the object type and, for MPEG-4 audio, the audio object type, as mutagen's
    ``ES_Descriptor``/``DecoderConfigDescriptor``/``DecoderSpecificInfo`` read them."""
    if len(esds) < 4 or esds[0] != 0:
        raise _Decline
    r = _Bits(esds[4:])
    if r.byte() != 0x03:  # ES_Descriptor
        raise _Decline
    r.descriptor_length()
    r.bits(16)  # ES_ID
    depends, url, ocr = r.bits(1), r.bits(1), r.bits(1)
    r.bits(5)
    if depends:
        r.bits(16)
    if url:
        r.skip_bytes(r.bits(8))
    if ocr:
        r.bits(16)
    if r.byte() != 0x04:  # DecoderConfigDescriptor
        raise _Decline
    config_length = r.descriptor_length()
    config_start = r.pos
    object_type = r.bits(8)
    stream_type = r.bits(6)
    r.bits(1)
    r.bits(1)
    r.bits(24)
    r.bits(32)
    r.bits(32)
    param = f".{object_type:X}"
    if (object_type, stream_type) != (0x40, 0x5):
        return param
    if config_length * 8 == r.pos - config_start:
        return param
    if r.byte() != 0x05:  # no DecoderSpecificInfo
        return param
    return f"{param}.{_audio_object_type(r)}"


_GA_TYPES = frozenset({1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23})
_EP_TYPES = frozenset({17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 39})


def _object_type(r: _Bits) -> int:
    object_type = r.bits(5)
    return 32 + r.bits(6) if object_type == 31 else object_type


def _sampling_frequency(r: _Bits) -> None:
    if r.bits(4) == 0xF:
        r.bits(24)


def _audio_object_type(r: _Bits) -> int:
    """The AudioSpecificConfig's object type, reading every bit mutagen reads after it (so as to
    decline where mutagen would run out of data)."""
    length = r.descriptor_length()
    start = r.pos
    object_type = _object_type(r)
    _sampling_frequency(r)
    channel_configuration = r.bits(4)
    extension_type = 0
    if object_type in (5, 29):
        extension_type = 5
        _sampling_frequency(r)
        object_type = _object_type(r)
        if object_type == 22:
            r.bits(4)
    if object_type not in _GA_TYPES:
        return object_type
    if _ga_specific_config_ends(r, object_type, channel_configuration):
        return object_type
    if extension_type != 5:
        _sync_extension(r, length, start)
    return object_type


def _ga_specific_config_ends(r: _Bits, object_type: int, channel_configuration: int) -> bool:
    """Reads the GASpecificConfig; True where mutagen stops reading after it."""
    r.skip(1)
    if r.bits(1):
        r.skip(14)
    extension_flag = r.bits(1)
    if not channel_configuration:
        raise _Decline  # a program config element: not modelled
    if object_type in (6, 20):
        r.skip(3)
    if extension_flag:
        if object_type == 22:
            r.skip(5 + 11)
        if object_type in (17, 19, 20, 23):
            r.skip(1 + 1 + 1)
        if r.bits(1):
            return True  # mutagen stops at extensionFlag3
    return object_type in _EP_TYPES and r.bits(2) in (2, 3)


def _sync_extension(r: _Bits, length: int, start: int) -> None:
    """Reads the backward-compatible sync extension (SBR, PS) where mutagen looks for one."""
    if length * 8 - (r.pos - start) < 16 or r.bits(11) != 0x2B7:
        return
    extension_type = _object_type(r)
    if extension_type == 5 and r.bits(1) == 1:
        _sampling_frequency(r)
        if length * 8 - (r.pos - start) >= 12 and r.bits(11) == 0x548:
            r.bits(1)
    if extension_type == 22:
        if r.bits(1) == 1:
            _sampling_frequency(r)
        r.bits(4)


# --- the tags ---------------------------------------------------------------------------------


def _tags(buf: bytes, moov: _Atom) -> dict[str, list[Any]] | None:
    """The items the family functions read, as ``MP4Tags`` holds them; None without ``ilst``."""
    udta = _first(moov, b"udta")
    if _first(udta, b"chpl") is not None and _first(moov, b"mvhd") is not None:
        raise _Decline  # mutagen parses Nero chapters and may fail on them
    ilst = _first(_first(udta, b"meta"), b"ilst")
    if ilst is None:
        return None
    tags: dict[str, list[Any]] = {}
    for name, start, end, _children in ilst[3] or ():
        values: list[Any] | None
        if name == b"----":
            key, values = _freeform(buf, start, end)
            tags.setdefault(key, []).extend(values)
            continue
        if name in _TEXT_ITEMS:
            values = _texts(buf, start, end, (_IMPLICIT, _UTF8))
        elif name == b"rate":  # not an atom mutagen knows: kept only as UTF-8 text
            values = _texts(buf, start, end, (_UTF8,))
        elif name in _PAIR_ITEMS:
            values = _pairs(buf, start, end)
        elif name == b"covr":
            _check_cover(buf, start, end)
            continue
        else:
            continue  # mutagen's other item parsers fail only with errors it keeps aside
        if values is not None:
            tags.setdefault(name.decode("latin-1"), []).extend(values)
    return tags


def _data_children(buf: bytes, start: int, end: int) -> tuple[list[tuple[int, bytes]], bool]:
    """The ``data`` children of an item, as (version and flags, payload), up to the first one
    mutagen rejects; and whether it rejected one (then it keeps the item aside)."""
    found: list[tuple[int, bytes]] = []
    pos = start
    while pos < end:
        if end - pos < 12:
            return found, True
        length, name, version_flags = _DATA_HEADER.unpack_from(buf, pos)
        if name != b"data" or length < 16 or pos + length > end:
            return found, True
        found.append((version_flags, buf[pos + 16 : pos + length]))
        pos += length
    return found, False


def _texts(buf: bytes, start: int, end: int, flags: tuple[int, ...]) -> list[str] | None:
    """A text item's values, or None when mutagen keeps the item aside."""
    found, rejected = _data_children(buf, start, end)
    if rejected:
        return None
    texts: list[str] = []
    for version_flags, payload in found:
        if version_flags & 0xFFFFFF not in flags:
            return None
        try:
            texts.append(payload.decode("utf-8"))
        except UnicodeDecodeError:
            return None
    return texts


def _pairs(buf: bytes, start: int, end: int) -> list[tuple[int, int]] | None:
    """``trkn``/``disk`` values (number, total); mutagen raises on a payload under 6 bytes."""
    found, rejected = _data_children(buf, start, end)
    if any(len(payload) < 6 for _flags, payload in found):
        raise _Decline
    if rejected:
        return None
    return [_PAIR.unpack_from(payload, 2) for _flags, payload in found]


def _freeform(buf: bytes, start: int, end: int) -> tuple[str, list[MP4FreeForm]]:
    """A ``----`` item: ``mean``, ``name`` and one value per ``data`` child. Only the
    well-formed shape is taken."""
    if end - start < 24:
        raise _Decline
    (mean_length,) = _U32.unpack_from(buf, start)
    name_at = start + mean_length
    if mean_length < 12 or name_at + 12 > end:
        raise _Decline
    (name_length,) = _U32.unpack_from(buf, name_at)
    pos = name_at + name_length
    if name_length < 12 or pos > end:
        raise _Decline
    mean = buf[start + 12 : name_at]
    name = buf[name_at + 12 : pos]
    values: list[MP4FreeForm] = []
    while pos < end:
        if end - pos < 16:
            raise _Decline
        length, atom_name, version_flags = _DATA_HEADER.unpack_from(buf, pos)
        if atom_name != b"data" or length < 16 or pos + length > end:
            raise _Decline
        values.append(
            FREEFORM(
                buf[pos + 16 : pos + length],
                dataformat=version_flags & 0xFFFFFF,
                version=version_flags >> 24,
            )
        )
        pos += length
    key = (b"----:" + mean + b":" + name).decode("latin-1")
    return key, values


def _check_cover(buf: bytes, start: int, end: int) -> None:
    """Decline where mutagen's cover parse would raise (or loop forever); its values are not
    needed."""
    pos = start
    while pos < end:
        if end - pos < 12:
            raise _Decline
        length, name = _HEADER.unpack_from(buf, pos)
        if name == b"name":
            if length == 0:
                raise _Decline
        elif name != b"data" or length < 1:
            return  # mutagen keeps the item aside
        pos += length
