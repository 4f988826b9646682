"""A lean, read-only reader for MP3 files (ID3v2.3/2.4 tag + MPEG layer III stream).

:func:`read_lean` builds a small stand-in for mutagen's ``MP3`` object with exactly what
``id3.readings``, ``id3.meta`` and ``format_of`` look at: ``audio.tags`` (a dict from
mutagen's HashKey to frames, in mutagen's order, with ``values()``/``get()``) and
``audio.info.length``. It answers only when it is sure to give what mutagen (loaded with its
defaults: v2.4 translation, ID3v1 merge) gives, and returns None otherwise, so the caller falls
back to mutagen. It declines on, among others: ID3v2.2 or unknown versions, any tag flag
(unsynchronisation, extended header, experimental, footer), frame flags that change the
payload (compression, encryption, unsynchronisation, data length, grouping), v2.4 frame sizes
that mutagen's heuristic would read as plain integers, frames mutagen knows but this reader has
not checked for safe parsing, text it cannot decode exactly as mutagen does, a ``TAG`` (ID3v1)
trailer or stacked ID3v2 tags, an MPEG stream not starting right after the tag, a VBRI header,
anything but layer III, and a file too short or too odd to be sure.

Duration, as mutagen computes it: a Xing/Info header in the first frame gives
``(frames * samples_per_frame - LAME delay - LAME padding) / sample_rate``; without one,
four consecutive valid frames must follow and the length is estimated from the file size and
the first frame's bitrate.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from mutagen.id3 import Frames, TextFrame, UrlFrame

# --- the stand-in objects --------------------------------------------------------------------


class _TextFrame:
    """A text frame (TIT2, TPE1, ...): its values, merged like mutagen merges repeats."""

    __slots__ = ("FrameID", "text")

    def __init__(self, frame_id: str, text: list[str]) -> None:
        self.FrameID = frame_id
        self.text = text


class _Txxx:
    __slots__ = ("FrameID", "desc", "text")

    def __init__(self, desc: str, text: list[str]) -> None:
        self.FrameID = "TXXX"
        self.desc = desc
        self.text = text


class _Popm:
    __slots__ = ("FrameID", "email", "rating")

    def __init__(self, email: str, rating: int) -> None:
        self.FrameID = "POPM"
        self.email = email
        self.rating = rating


class _Ufid:
    __slots__ = ("FrameID", "data", "owner")

    def __init__(self, owner: str, data: bytes) -> None:
        self.FrameID = "UFID"
        self.owner = owner
        self.data = data


_Frame = _TextFrame | _Txxx | _Popm | _Ufid


class _Info:
    __slots__ = ("length",)

    def __init__(self, length: float) -> None:
        self.length = length


class LeanAudio:
    """What the ID3 family functions read of mutagen's ``MP3``: ``tags`` and ``info.length``."""

    __slots__ = ("info", "tags")

    def __init__(self, tags: dict[str, _Frame] | None, length: float) -> None:
        self.tags = tags
        self.info = _Info(length)


# --- constants -------------------------------------------------------------------------------

_TEXT_IDS = frozenset({"TIT2", "TPE1", "TALB", "TPE2", "TRCK", "TPOS"})
# Frames mutagen knows whose parsing can only succeed or drop the frame, never raise, and whose
# v2.4 translation leaves the frames above alone; any other known frame: decline.
_SAFE_IDS = frozenset(
    name
    for name, cls in Frames.items()
    if issubclass(cls, TextFrame | UrlFrame)
    or name
    in {"POPM", "UFID", "APIC", "USLT", "PRIV", "GEOB", "MCDI", "PCNT", "TIPL", "TMCL", "IPLS"}
)
_KNOWN_IDS = frozenset(Frames)
_FRAME_HEADER = struct.Struct(">4sLH")
_U32 = struct.Struct(">L")
_EMPTY_FRAME_HEADER = bytes(10)
# v2.3 frame flags that leave the payload as it is: tag/file alter preservation, read only;
# v2.4: the same three
_PLAIN_FLAGS_V23 = 0xE000
_PLAIN_FLAGS_V24 = 0x7000
_BOM_LE = b"\xff\xfe"
_BOM_BE = b"\xfe\xff"

FIRST_READ_BYTES = 16384
MPEG_LOOKAHEAD_BYTES = 6400  # four frames of the largest layer III frame (1441 B) + headers
ID3V1_WINDOW_BYTES = 131  # mutagen looks for "TAG" in the last 128 + 3 bytes

_L3_KBPS_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_L3_KBPS_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_XING_FRAMES, _XING_BYTES, _XING_TOC, _XING_SCALE = 1, 2, 4, 8
_MONO = 3
_LAME_PAYLOAD_BYTES = 27


class _Decline(Exception):
    """Not sure to match mutagen: the caller falls back to it."""


def read_lean(fileobj: BinaryIO, size_bytes: int) -> LeanAudio | None:
    """The stand-in for mutagen's MP3 object of ``fileobj``, or None when not sure to match."""
    try:
        return _read(fileobj, size_bytes)
    except (_Decline, OSError, ValueError, IndexError, struct.error):
        return None


class _Buffer:
    """The file's first bytes, extended on demand (never past the end)."""

    __slots__ = ("data", "fileobj", "size_bytes")

    def __init__(self, fileobj: BinaryIO, size_bytes: int) -> None:
        self.fileobj = fileobj
        self.size_bytes = size_bytes
        fileobj.seek(0)
        self.data = fileobj.read(min(size_bytes, FIRST_READ_BYTES))

    def ensure(self, end: int) -> None:
        """Have the bytes up to ``end`` (or to the end of the file) in ``data``."""
        have = len(self.data)
        end = min(end, self.size_bytes)
        if end > have:
            self.fileobj.seek(have)
            more = self.fileobj.read(end - have)
            self.data += more
            if len(self.data) < end:
                raise _Decline("file shorter than its size")


def _read(fileobj: BinaryIO, size_bytes: int) -> LeanAudio:
    buffer = _Buffer(fileobj, size_bytes)
    _check_no_id3v1(buffer)
    data = buffer.data
    tags: dict[str, _Frame] | None = None
    audio_at = 0
    if data[:3] == b"ID3":
        if len(data) < 10:
            raise _Decline("truncated ID3 header")
        major, flags = data[3], data[5]
        if major not in (3, 4) or flags:
            raise _Decline("ID3 version or flags")
        size_field = data[6:10]
        if any(b & 0x80 for b in size_field):
            raise _Decline("tag size not syncsafe")
        audio_at = 10 + _syncsafe(size_field)
        if audio_at > size_bytes:
            raise _Decline("tag longer than the file")
        buffer.ensure(audio_at + MPEG_LOOKAHEAD_BYTES)
        data = buffer.data
        tags = _read_frames(memoryview(data)[10:audio_at].tobytes(), v24=major == 4)
    else:
        buffer.ensure(MPEG_LOOKAHEAD_BYTES)
        data = buffer.data
    length = _mpeg_length(data, audio_at, size_bytes)
    return LeanAudio(tags, length)


def _check_no_id3v1(buffer: _Buffer) -> None:
    """Decline when mutagen would look at an ID3v1 tag (any "TAG" in its window)."""
    size_bytes = buffer.size_bytes
    start = max(0, size_bytes - ID3V1_WINDOW_BYTES)
    if size_bytes <= len(buffer.data):
        tail = buffer.data[start:size_bytes]
    else:
        buffer.fileobj.seek(start)
        tail = buffer.fileobj.read(size_bytes - start)
        if len(tail) != size_bytes - start:
            raise _Decline("file shorter than its size")
    if b"TAG" in tail:
        raise _Decline("ID3v1 trailer")


def _syncsafe(field: bytes) -> int:
    return (field[0] << 21) | (field[1] << 14) | (field[2] << 7) | field[3]


def _unsyncsafe(value: int) -> int:
    """A 32-bit frame size read as syncsafe (each byte's top bit ignored, as mutagen does)."""
    return (
        ((value >> 24) & 0x7F) << 21
        | ((value >> 16) & 0x7F) << 14
        | ((value >> 8) & 0x7F) << 7
        | (value & 0x7F)
    )


# --- ID3v2 frames ----------------------------------------------------------------------------


def _read_frames(data: bytes, *, v24: bool) -> dict[str, _Frame]:
    plain_flags = _PLAIN_FLAGS_V24 if v24 else _PLAIN_FLAGS_V23
    tags: dict[str, _Frame] = {}
    sizes_ambiguous = False  # a v2.4 size that reads differently as a plain integer
    at = 0
    total = len(data)
    while total - at >= 10:
        raw_name, raw_size, flags = _FRAME_HEADER.unpack_from(data, at)
        if not raw_name.strip(b"\x00"):
            break  # padding
        size = raw_size
        if v24 and raw_size >= 0x80:
            size = _unsyncsafe(raw_size)
            sizes_ambiguous = sizes_ambiguous or size != raw_size
        start = at + 10
        end = start + size
        if end > total:
            raise _Decline("frame runs past the tag")
        at = end
        if size == 0:
            continue
        if raw_name[3] == 0:
            raise _Decline("v2.2 frame name in a v2.3/2.4 tag")
        try:
            name = raw_name.decode("ascii")
        except UnicodeDecodeError:
            continue
        if name not in _KNOWN_IDS:
            continue
        if flags & ~plain_flags:
            raise _Decline("frame flags")
        if name not in _SAFE_IDS:
            raise _Decline("frame not checked")
        _decode_frame(tags, name, data, start, end, v24)
    # with no ambiguous size both readings walk the same frames; otherwise follow mutagen
    if sizes_ambiguous and not _syncsafe_sizes_win(data):
        raise _Decline("v2.4 frame sizes read as plain integers")
    return tags


def _syncsafe_sizes_win(data: bytes) -> bool:
    """Whether mutagen reads this v2.4 tag's frame sizes as syncsafe (it counts known frame
    names along both readings, and prefers syncsafe unless plain integers do better)."""
    sync_count, sync_over = _walk(data, syncsafe=True)
    int_count, int_over = _walk(data, syncsafe=False)
    plain_wins = int_count > sync_count or (
        int_count == sync_count and sync_over >= 1 and int_over <= 1
    )
    return not plain_wins


def _walk(data: bytes, *, syncsafe: bool) -> tuple[int, int]:
    """(known frame names met, how far past the end the walk lands) for one size reading."""
    at = 0
    known = 0
    total = len(data)
    while at < total - 10:
        if data[at : at + 10] == _EMPTY_FRAME_HEADER:
            return known, -((total - at) % 10)
        raw_name, raw_size, _flags = _FRAME_HEADER.unpack_from(data, at)
        at += 10 + (_unsyncsafe(raw_size) if syncsafe else raw_size)
        try:
            name = raw_name.decode("ascii")
        except UnicodeDecodeError:
            continue
        if name in _KNOWN_IDS:
            known += 1
    return known, at - total


def _add_text(tags: dict[str, _Frame], key: str, frame: _TextFrame | _Txxx) -> None:
    """Add as mutagen does: a text frame repeating a key merges its new values in."""
    old = tags.get(key)
    if isinstance(old, _TextFrame | _Txxx):
        for value in frame.text:
            if value not in old.text:
                old.text.append(value)
    else:
        tags[key] = frame


def _decode_frame(
    tags: dict[str, _Frame], name: str, data: bytes, start: int, end: int, v24: bool
) -> None:
    """Add the frame at ``start:end`` to ``tags`` if the family functions look at it; other
    frames repeating a key replace the earlier one (which keeps its place), as in mutagen."""
    if name in _TEXT_IDS:
        encoding = _encoding(data, start, end)
        _add_text(tags, name, _TextFrame(name, _texts(data, start + 1, end, encoding, v24)))
    elif name == "TXXX":
        encoding = _encoding(data, start, end)
        desc, at = _text(data, start + 1, end, encoding, v24)
        _add_text(tags, f"TXXX:{desc}", _Txxx(desc, _texts(data, at, end, encoding, v24)))
    elif name == "POPM":
        nul = data.find(b"\x00", start, end)
        if nul < 0 or nul + 1 >= end:
            raise _Decline("POPM without a rating")
        email = data[start:nul].decode("latin-1")
        tags[f"POPM:{email}"] = _Popm(email, data[nul + 1])
    elif name == "UFID":
        nul = data.find(b"\x00", start, end)
        owner_end, data_start = (end, end) if nul < 0 else (nul, nul + 1)
        owner = data[start:owner_end].decode("latin-1")
        tags[f"UFID:{owner}"] = _Ufid(owner, data[data_start:end])


def _encoding(data: bytes, start: int, end: int) -> int:
    encoding = data[start]
    if encoding > 3 or start + 1 >= end:
        raise _Decline("bad encoding byte or no text")  # mutagen drops such frames
    return encoding


def _texts(data: bytes, at: int, end: int, encoding: int, v24: bool) -> list[str]:
    """The NUL-separated values from ``at`` to ``end``; at least one byte is required."""
    if at >= end:
        raise _Decline("no text")  # mutagen drops such frames
    values = []
    while at < end:
        value, at = _text(data, at, end, encoding, v24)
        values.append(value)
    return values


def _text(data: bytes, at: int, end: int, encoding: int, v24: bool) -> tuple[str, int]:
    """One NUL-terminated value from ``at`` and where the next starts; in v2.3 only NULs left
    count as nothing left (mutagen's guard against zero padding)."""
    if encoding in (0, 3):
        nul = data.find(b"\x00", at, end)
        stop, after = (end, end) if nul < 0 else (nul, nul + 1)
        try:
            value = data[at:stop].decode("latin-1" if encoding == 0 else "utf-8")
        except UnicodeDecodeError as exc:
            raise _Decline("undecodable UTF-8") from exc
    else:
        codec = "utf-16-be"
        begin = at
        if encoding == 1:
            bom = data[at : at + 2]
            if bom == _BOM_LE:
                codec, begin = "utf-16-le", at + 2
            elif bom == _BOM_BE:
                begin = at + 2
            elif bom != b"\x00\x00":
                raise _Decline("UTF-16 without a byte order mark")
        stop = _utf16_terminator(data, begin, end)
        if stop < 0:
            if (end - begin) % 2:
                raise _Decline("odd UTF-16 length")
            stop, after = end, end
        else:
            after = stop + 2
        try:
            value = data[begin:stop].decode(codec)
        except UnicodeDecodeError as exc:
            raise _Decline("undecodable UTF-16") from exc
    if not v24 and not data[after:end].strip(b"\x00"):
        after = end
    return value, after


def _utf16_terminator(data: bytes, begin: int, end: int) -> int:
    """Where the first two-byte-aligned NUL code unit from ``begin`` is, or -1."""
    at = begin
    while True:
        nul = data.find(b"\x00\x00", at, end)
        if nul < 0 or (nul - begin) % 2 == 0:
            return nul
        at = nul + 1


# --- MPEG ------------------------------------------------------------------------------------


class _MpegHeader:
    __slots__ = ("bitrate_bps", "frame_bytes", "mode", "sample_rate", "samples", "version_bits")

    def __init__(self, data: bytes, at: int) -> None:
        if at + 4 > len(data):
            raise _Decline("no room for a frame header")
        b1, b2, b3 = data[at + 1], data[at + 2], data[at + 3]
        if data[at] != 0xFF or b1 & 0xE0 != 0xE0:
            raise _Decline("no frame sync")
        version_bits = (b1 >> 3) & 3
        layer_bits = (b1 >> 1) & 3
        bitrate_index = b2 >> 4
        rate_index = (b2 >> 2) & 3
        if version_bits == 1 or layer_bits != 1 or rate_index == 3 or bitrate_index in (0, 15):
            raise _Decline("not a valid layer III frame header")
        mpeg1 = version_bits == 3
        self.version_bits = version_bits
        self.bitrate_bps = (_L3_KBPS_V1 if mpeg1 else _L3_KBPS_V2)[bitrate_index] * 1000
        self.sample_rate = _SAMPLE_RATES[version_bits][rate_index]
        self.samples = 1152 if mpeg1 else 576
        self.mode = b3 >> 6
        padding = (b2 >> 1) & 1
        self.frame_bytes = (self.samples // 8 * self.bitrate_bps) // self.sample_rate + padding

    @property
    def xing_offset(self) -> int:
        if self.version_bits == 3:
            return 21 if self.mode == _MONO else 36
        return 13 if self.mode == _MONO else 21


def _mpeg_length(data: bytes, at: int, size_bytes: int) -> float:
    """mutagen's ``MPEGInfo.length`` for a stream whose first frame starts at ``at``."""
    if data[at : at + 3] == b"ID3":
        raise _Decline("stacked ID3v2 tags")
    first = _MpegHeader(data, at)
    xing_at = at + first.xing_offset
    if data[xing_at : xing_at + 4] in (b"Xing", b"Info"):
        return _xing_length(data, xing_at, first, at, size_bytes)
    frame_at = at
    header = first
    for index in range(4):
        if index:
            header = _MpegHeader(data, frame_at)
            xing_at = frame_at + header.xing_offset
            if data[xing_at : xing_at + 4] in (b"Xing", b"Info"):
                raise _Decline("Xing header in a later frame")
        if data[frame_at + 36 : frame_at + 40] == b"VBRI":
            raise _Decline("VBRI header")
        frame_at += header.frame_bytes
    return 8 * (size_bytes - at) / float(first.bitrate_bps)


def _xing_length(data: bytes, xing_at: int, first: _MpegHeader, at: int, size: int) -> float:
    (flags,) = _U32.unpack_from(data, xing_at + 4)
    field_at = xing_at + 8
    frames = -1
    if flags & _XING_FRAMES:
        frames = _U32.unpack_from(data, field_at)[0]
        field_at += 4
    field_at += 4 * bool(flags & _XING_BYTES) + 100 * bool(flags & _XING_TOC)
    field_at += 4 * bool(flags & _XING_SCALE)
    if field_at + 9 + _LAME_PAYLOAD_BYTES > len(data):
        raise _Decline("Xing/LAME header runs past what was read")
    if frames == -1:
        return 8 * (size - at) / float(first.bitrate_bps)
    samples = first.samples * frames
    delays = _lame_delays(data, field_at)
    if delays is not None:
        samples -= delays[0] + delays[1]
    samples = max(samples, 0)
    return float(samples) / first.sample_rate


def _lame_delays(data: bytes, at: int) -> tuple[int, int] | None:
    """(encoder delay, padding) from the LAME extension after the Xing fields, or None when
    mutagen finds no LAME header there."""
    version = data[at : at + 20]
    if not version.startswith((b"LAME", b"L3.99")):
        return None
    rest = version.lstrip(b"EMAL")
    major, rest = rest[:1], rest[1:].lstrip(b".")
    digits = 0
    while digits < len(rest) and 0x30 <= rest[digits] <= 0x39:
        digits += 1
    minor, rest = rest[:digits], rest[digits:]
    if not major.isdigit() or not minor:
        return None
    numbers = (int(major), int(minor))
    if numbers < (3, 90) or (numbers == (3, 90) and rest[-11:-10] == b"("):
        return None
    if len(rest) < 11:
        return None
    payload = data[at + 9 : at + 9 + _LAME_PAYLOAD_BYTES]
    if payload[0] >> 4:
        return None  # unsupported LAME header revision
    delay = (payload[12] << 4) | (payload[13] >> 4)
    padding = ((payload[13] & 0x0F) << 8) | payload[14]
    return delay, padding
