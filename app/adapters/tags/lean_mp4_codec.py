"""The codec of an MP4 audio track as mutagen's ``MP4Info.codec`` gives it, for the lean reader.

:func:`cached_codec` reads the first sample entry of an ``stsd`` payload: ``mp4a`` with an
``esds`` (``mp4a.40.2``: the object type and, for MPEG-4 audio, the audio object type, read the
way mutagen's descriptor parser reads them, including where it would run out of data) or
``alac`` with its cookie. Anything else raises :class:`Decline`: the caller lets mutagen parse
the file.
"""

from __future__ import annotations

import struct

_HEADER = struct.Struct(">I4s")
_U32 = struct.Struct(">I")


class Decline(Exception):
    """Not a file the lean MP4 reader models exactly: let mutagen parse it."""


_CODECS: dict[bytes, str | None] = {}  # stsd payload -> codec, or None to decline
MAX_CACHED_CODECS = 256


def cached_codec(stsd: bytes) -> str:
    """:func:`_codec`, remembered: a library's files mostly share a few sample descriptions."""
    if stsd in _CODECS:
        codec = _CODECS[stsd]
    else:
        try:
            codec = _codec(stsd)
        except Decline:
            codec = None
        if len(_CODECS) >= MAX_CACHED_CODECS:
            _CODECS.clear()
        _CODECS[stsd] = codec
    if codec is None:
        raise Decline
    return codec


def _codec(stsd: bytes) -> str:
    """``MP4Info.codec`` from the first sample entry: ``mp4a.40.2``-style or ``alac``."""
    if len(stsd) < 8 or stsd[0] != 0:
        raise Decline
    (entries,) = _U32.unpack_from(stsd, 4)
    if entries == 0:
        return ""
    entry = stsd[8:]
    if len(entry) < 8:
        raise Decline
    entry_length, entry_name = _HEADER.unpack_from(entry)
    if entry_length < 8 or entry_length > len(entry):
        raise Decline
    # the AudioSampleEntry: 28 bytes of fields, then its first child atom
    sample_entry = entry[8:entry_length]
    if len(sample_entry) < 36:
        raise Decline
    extra_length, extra_name = _HEADER.unpack_from(sample_entry, 28)
    if extra_length < 8 or 28 + extra_length > len(sample_entry):
        raise Decline
    extra = sample_entry[36 : 28 + extra_length]
    if entry_name == b"mp4a" and extra_name == b"esds":
        return "mp4a" + _esds_codec_param(extra)
    if entry_name == b"alac" and extra_name == b"alac":
        _check_alac_cookie(extra)
        return "alac"
    raise Decline


def _check_alac_cookie(cookie: bytes) -> None:
    """Decline where mutagen's ALAC cookie parse would run out of data."""
    if len(cookie) < 4 or cookie[0] != 0:
        raise Decline
    needed = 4 + (24 if len(cookie) >= 9 and cookie[8] == 0 else 5)
    if len(cookie) < needed:
        raise Decline


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
            raise Decline
        self.pos = end
        return (self.value >> (self.total - end)) & ((1 << count) - 1)

    def skip(self, count: int) -> None:
        buffered = -self.pos % 8
        self.pos += count
        if count > buffered and (count - buffered) % 8 and -(-self.pos // 8) * 8 > self.total:
            raise Decline

    def byte(self) -> int:
        return self.bits(8)

    def skip_bytes(self, count: int) -> None:
        if self.pos // 8 + count > len(self.data):
            raise Decline
        self.pos += count * 8

    def descriptor_length(self) -> int:
        value = 0
        for _ in range(4):
            byte = self.byte()
            value = (value << 7) | (byte & 0x7F)
            if not byte >> 7:
                return value
        raise Decline


def _esds_codec_param(esds: bytes) -> str:
    """``.40.2``: the object type and, for MPEG-4 audio, the audio object type, as mutagen's
    ``ES_Descriptor``/``DecoderConfigDescriptor``/``DecoderSpecificInfo`` read them."""
    if len(esds) < 4 or esds[0] != 0:
        raise Decline
    r = _Bits(esds[4:])
    if r.byte() != 0x03:  # ES_Descriptor
        raise Decline
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
        raise Decline
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
        raise Decline  # a program config element: not modelled
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
