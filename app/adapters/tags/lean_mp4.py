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
  sample entry, a program config element, Nero chapters (``chpl``) decline (the codec is read
  in :mod:`app.adapters.tags.lean_mp4_codec`);
- the items: a freeform item must be a well-formed ``mean``, ``name`` and ``data`` children
  sequence, and ``trkn``/``disk`` data shorter than mutagen unpacks, or a cover item mutagen
  would stumble on, declines. Items mutagen fails to parse and keeps aside (wrong data type,
  undecodable text) are left out, as mutagen leaves them out of ``tags``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from mutagen.mp4 import MP4FreeForm

from app.adapters.tags.lean_mp4_codec import Decline, cached_codec

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

FREEFORM: Callable[..., MP4FreeForm] = MP4FreeForm  # mutagen's constructor is untyped
Mp4Value = str | tuple[int, int] | MP4FreeForm
"""An item value as mutagen's ``MP4Tags`` holds it: text, a (number, total) pair, or a freeform
value."""

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
    tags: dict[str, list[Mp4Value]] | None


def read_lean(fileobj: BinaryIO, size_bytes: int) -> LeanAudio | None:
    """The stand-in for mutagen's ``MP4(fileobj)``, or None to decline. Never raises for
    malformed input; only reads."""
    try:
        buf, moov = _moov(_Window(fileobj, size_bytes))
        return LeanAudio(info=_info(buf, moov), tags=_tags(buf, moov))
    except (Decline, struct.error, ValueError, IndexError, OSError):
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
            raise Decline  # the file is not the size we were told
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
                raise Decline
            (length,) = _U64.unpack_from(header, 8)
            header_bytes = 16
            if length < 16:
                raise Decline
        elif length == 0:
            length = size - pos
        elif length < 8:
            raise Decline
        if name in _CONTAINERS:
            if name != b"moov" or found is not None:
                raise Decline
            if pos + length > size or length > MAX_MOOV_BYTES:
                raise Decline
            buf, at = window.span(pos, length)
            children = _children(buf, at + header_bytes, at + length, 1)
            found = (buf, (name, at + header_bytes, at + length, children))
        pos += length
    if found is None:
        raise Decline
    return found


def _children(buf: bytes, start: int, end: int, depth: int) -> list[_Atom]:
    """The atoms tiling ``start..end`` exactly, containers with their own children."""
    atoms: list[_Atom] = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise Decline
        length, name = _HEADER.unpack_from(buf, pos)
        atom_end = pos + length
        if length < 8 or atom_end > end:
            raise Decline
        children = None
        if name in _CONTAINERS:
            if depth >= MAX_DEPTH:
                raise Decline
            skip = 0
            if name == b"meta":  # a full atom: version and flags before the children
                if length < 12:
                    raise Decline
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
            raise Decline
        _name, start, end, _children = hdlr
        if buf[start + 8 : min(start + 12, end)] == b"soun":
            if sound is not None:
                raise Decline  # several audio tracks
            sound = mdia
    if sound is None:
        raise Decline
    mdhd = _first(sound, b"mdhd")
    if mdhd is None:
        raise Decline
    length = _mdhd_length(buf[mdhd[1] : mdhd[2]])
    stsd = _first(_first(_first(sound, b"minf"), b"stbl"), b"stsd")
    codec = "" if stsd is None else cached_codec(buf[stsd[1] : stsd[2]])
    return LeanInfo(length=length, codec=codec)


def _mdhd_length(mdhd: bytes) -> float:
    if len(mdhd) < 4:
        raise Decline
    version = mdhd[0]
    if version == 0 and len(mdhd) >= 20:
        unit, duration = _TWO_U32.unpack_from(mdhd, 12)
    elif version == 1 and len(mdhd) >= 32:
        unit, duration = _U32_U64.unpack_from(mdhd, 20)
    else:
        raise Decline
    return float(duration) / unit if unit else 0.0


# --- the tags ---------------------------------------------------------------------------------


def _tags(buf: bytes, moov: _Atom) -> dict[str, list[Mp4Value]] | None:
    """The items the family functions read, as ``MP4Tags`` holds them; None without ``ilst``."""
    udta = _first(moov, b"udta")
    if _first(udta, b"chpl") is not None and _first(moov, b"mvhd") is not None:
        raise Decline  # mutagen parses Nero chapters and may fail on them
    ilst = _first(_first(udta, b"meta"), b"ilst")
    if ilst is None:
        return None
    tags: dict[str, list[Mp4Value]] = {}
    for name, start, end, _children in ilst[3] or ():
        values: Sequence[Mp4Value] | None
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
        raise Decline
    if rejected:
        return None
    return [_PAIR.unpack_from(payload, 2) for _flags, payload in found]


def _freeform(buf: bytes, start: int, end: int) -> tuple[str, list[MP4FreeForm]]:
    """A ``----`` item: ``mean``, ``name`` and one value per ``data`` child. Only the
    well-formed shape is taken."""
    if end - start < 24:
        raise Decline
    (mean_length,) = _U32.unpack_from(buf, start)
    name_at = start + mean_length
    if mean_length < 12 or name_at + 12 > end:
        raise Decline
    (name_length,) = _U32.unpack_from(buf, name_at)
    pos = name_at + name_length
    if name_length < 12 or pos > end:
        raise Decline
    mean = buf[start + 12 : name_at]
    name = buf[name_at + 12 : pos]
    values: list[MP4FreeForm] = []
    while pos < end:
        if end - pos < 16:
            raise Decline
        length, atom_name, version_flags = _DATA_HEADER.unpack_from(buf, pos)
        if atom_name != b"data" or length < 16 or pos + length > end:
            raise Decline
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
            raise Decline
        length, name = _HEADER.unpack_from(buf, pos)
        if name == b"name":
            if length == 0:
                raise Decline
        elif name != b"data" or length < 1:
            return  # mutagen keeps the item aside
        pos += length
