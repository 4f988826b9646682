"""Lean readers for Vorbis comments in FLAC, Ogg Vorbis and Ogg Opus: a fast path before mutagen.

Each reader parses the few header bytes :func:`vorbis.readings`, :func:`vorbis.meta` and
``format_of`` need and returns a :class:`LeanAudio` that gives them exactly what mutagen's
object would (the comments as ``(name, value)`` pairs in file order, ``info.length``), or
None, declining, whenever the file is anything but plain; ``read_file`` then parses with
mutagen. They only read, and never raise for malformed input (an ``OSError`` while reading is a
decline too: mutagen's own read then meets it and reports it).

What mutagen (1.47/1.48) does, and how the readers follow it:

- The comment list (``mutagen._vorbis.VComment.load`` with ``errors="replace"``): each entry is
  UTF-8 decoded with replacement; it splits at the first ``=``; an entry without one becomes
  ``("unknown<i>", entry)``; the name is ASCII-encoded with replacement (``?``) and kept only if
  it is a valid key (non-empty, ``0x20..0x7D``). Replicated exactly. An entry, count or vendor
  running past the data makes mutagen raise (FLAC, whose reads are strict), or read a shortened
  string (Ogg); either way these readers decline.
- FLAC: ``fLaC`` at 0 (an ID3v2 tag in front declines); metadata blocks until the one flagged
  last. mutagen parses VORBIS_COMMENT and PICTURE blocks without trusting their size field: we
  accept only blocks whose parsed size equals it. Declined: no or several STREAMINFO, several
  VORBIS_COMMENT (mutagen keeps the first), a CUESHEET, several SEEKTABLEs (mutagen raises),
  block type 127, a block running past the end. ``length = total_samples / sample_rate``.
- Ogg: the first page holds exactly the identification packet (and is the stream's first page);
  the next page starts the comment packet, reassembled across pages of the same serial with
  consecutive sequence numbers; any page of another serial (multiplexed) or a second BOS page
  declines, as does a comment packet not ending within :data:`MAX_COMMENT_BYTES`. The length
  is ``granule / sample_rate`` (Vorbis) or ``(granule - pre_skip) / 48000`` (Opus) of the last
  page found the way ``OggPage.find_last`` finds it on its fast path: the last ``OggS`` in the
  file's final 64 KiB, parsed as a page, of our serial, granule not -1, end-of-stream flag set.
  Anything else sends mutagen to its slow whole-file scan: we decline instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

FLAC_HEAD_BYTES = 4096  # the first read; STREAMINFO and the comments are usually in it
MAX_FLAC_BLOCKS = 128  # more metadata blocks than that: decline
OGG_HEAD_BYTES = 8192  # the first read; the identification and comment pages usually fit
OGG_TAIL_BYTES = 4096  # the first read of the end, for the last page
FIND_LAST_WINDOW = 256 * 256  # how much of the end mutagen's OggPage.find_last searches
MAX_COMMENT_BYTES = 256 * 1024  # a longer Ogg comment packet declines
MAX_OGG_HEAD_BYTES = MAX_COMMENT_BYTES + 2 * 65536  # header pages read past that: decline
OPUS_RATE = 48000

_FLAC_STREAMINFO, _FLAC_SEEKTABLE, _FLAC_COMMENT, _FLAC_CUESHEET, _FLAC_PICTURE = 0, 3, 4, 5, 6
_FLAC_INVALID = 127
_STREAMINFO_BYTES = 34

_OGG_PAGE = struct.Struct("<4sBBqIIiB")
_OGG_CONTINUED, _OGG_FIRST, _OGG_LAST = 0x01, 0x02, 0x04
_OGG_HEADER_BYTES = _OGG_PAGE.size  # 27, then one lacing byte per segment

_U32_LE = struct.Struct("<I")
_U32_BE = struct.Struct(">I")
_PICTURE_COUNTS = struct.Struct(">5I")
_KEY_BYTES = bytes(range(0x20, 0x7E))  # a name's bytes ('=' cannot occur: it ends at the first)


@dataclass(frozen=True, slots=True)
class LeanInfo:
    """The stream facts the family functions read: the length in seconds, as mutagen has it."""

    length: float


@dataclass(frozen=True, slots=True)
class LeanAudio:
    """Stands in for mutagen's FLAC/OggVorbis/OggOpus object: ``tags`` iterates the comments as
    ``(name, value)`` pairs in file order (None: a FLAC file without a comment block)."""

    info: LeanInfo
    tags: tuple[tuple[str, str], ...] | None


# --- the comment list ---------------------------------------------------------------------------


def _valid_key(key: str) -> bool:
    return bool(key) and all(" " <= c <= "}" and c != "=" for c in key)


def _comments(
    data: bytes, start: int, end: int, *, framing: bool
) -> tuple[tuple[tuple[str, str], ...], int] | None:
    """The comment pairs in ``data[start:end]`` and the offset just past them (and past the
    framing bit, when there is one), as mutagen's ``VComment.load(errors="replace")`` reads
    them; None when anything runs past ``end`` or the framing bit is missing or unset."""
    if start + 4 > end:
        return None
    (vendor_bytes,) = _U32_LE.unpack_from(data, start)
    at = start + 4 + vendor_bytes
    if at + 4 > end:
        return None
    (count,) = _U32_LE.unpack_from(data, at)
    at += 4
    if count * 4 > end - at:
        return None
    pairs: list[tuple[str, str]] = []
    unpack_from = _U32_LE.unpack_from
    for index in range(count):
        if at + 4 > end:
            return None
        stop = at + 4 + unpack_from(data, at)[0]
        if stop > end:
            return None
        raw_key, equals, raw_value = data[at + 4 : stop].partition(b"=")
        at = stop
        if not equals:
            pairs.append((f"unknown{index}", raw_key.decode("utf-8", "replace")))
            continue
        if raw_key and not raw_key.translate(None, _KEY_BYTES):
            key = raw_key.decode("ascii")
        else:  # mutagen's own steps: decoded, then ASCII with '?' for the rest, then checked
            key = raw_key.decode("utf-8", "replace").encode("ascii", "replace").decode("ascii")
            if not _valid_key(key):
                continue
        # '=' is ASCII, so no invalid sequence swallows it: decoding the parts apart is the same
        pairs.append((key, raw_value.decode("utf-8", "replace")))
    if framing:
        if at >= end or not data[at] & 0x01:
            return None
        at += 1
    return tuple(pairs), at


# --- reading the file ---------------------------------------------------------------------------


class _Head:
    """The file's bytes from offset 0, read in one read and grown only when needed."""

    __slots__ = ("_fileobj", "_whole", "data")

    def __init__(self, fileobj: BinaryIO, first_bytes: int) -> None:
        self._fileobj = fileobj
        fileobj.seek(0)
        self.data = fileobj.read(first_bytes)
        self._whole = len(self.data) < first_bytes

    @property
    def whole(self) -> bool:
        """Whether ``data`` is the whole file."""
        return self._whole

    def covers(self, end: int, limit: int) -> bool:
        """Whether ``data`` holds the bytes up to ``end`` (reading more, up to ``limit``)."""
        have = len(self.data)
        if end <= have:
            return True
        if self._whole or end > limit:
            return False
        want = min(max(end, 2 * have), limit)
        self._fileobj.seek(have)
        more = self._fileobj.read(want - have)
        self.data += more
        self._whole = len(more) < want - have
        return end <= len(self.data)

    def at(self, offset: int, size: int) -> bytes | None:
        """``size`` bytes at ``offset`` (a separate read past ``data``); None if the file ends."""
        if offset + size <= len(self.data):
            return self.data[offset : offset + size]
        if self._whole:
            return None
        self._fileobj.seek(offset)
        chunk = self._fileobj.read(size)
        return chunk if len(chunk) == size else None


# --- FLAC ---------------------------------------------------------------------------------------


def read_lean_flac(fileobj: BinaryIO, size_bytes: int) -> LeanAudio | None:
    """A FLAC file's comments and length as mutagen's ``FLAC`` reads them, or None to decline."""
    try:
        return _flac(_Head(fileobj, FLAC_HEAD_BYTES), size_bytes)
    except OSError:
        return None


class _FlacMetadata:
    """What a FLAC file's metadata blocks hold, taken block by block; :meth:`take` is False for
    a block that makes the file one to decline (mutagen would read it differently)."""

    __slots__ = ("head", "length", "seektables", "tags")

    def __init__(self, head: _Head) -> None:
        self.head = head
        self.length: float | None = None
        self.tags: tuple[tuple[str, str], ...] | None = None
        self.seektables = 0

    def take(self, code: int, body: int, block_bytes: int) -> bool:
        if code == _FLAC_STREAMINFO:
            return self._streaminfo(body, block_bytes)
        if code == _FLAC_COMMENT:
            return self._comment(body, block_bytes)
        if code == _FLAC_PICTURE:
            return _flac_picture_fits(self.head, body, block_bytes)
        if code == _FLAC_SEEKTABLE:
            self.seektables += 1
            return self.seektables <= 1
        return True

    def _streaminfo(self, body: int, block_bytes: int) -> bool:
        if self.length is not None or block_bytes < _STREAMINFO_BYTES:
            return False
        self.length = _flac_length(self.head.at(body, _STREAMINFO_BYTES))
        return self.length is not None

    def _comment(self, body: int, block_bytes: int) -> bool:
        if self.tags is not None:
            return False
        self.tags = _flac_comments(self.head, body, block_bytes)
        return self.tags is not None


def _flac(head: _Head, size_bytes: int) -> LeanAudio | None:
    if head.data[:4] != b"fLaC":
        return None
    found = _FlacMetadata(head)
    blocks = 0
    at = 4
    last = False
    while not last:
        blocks += 1
        if blocks > MAX_FLAC_BLOCKS:
            return None
        block_header = head.at(at, 4)
        if block_header is None:
            return None
        (word,) = _U32_BE.unpack(block_header)
        code = (word >> 24) & 0x7F
        last = bool(word & 0x80000000)
        body = at + 4
        block_bytes = word & 0xFFFFFF
        at = body + block_bytes
        if at > size_bytes or code in (_FLAC_CUESHEET, _FLAC_INVALID):
            return None
        if not found.take(code, body, block_bytes):
            return None
    if found.length is None:
        return None
    return LeanAudio(LeanInfo(found.length), found.tags)


def _flac_length(streaminfo: bytes | None) -> float | None:
    if streaminfo is None:
        return None
    # bytes 10..17: 20 bits sample rate, 3 channels, 5 bits per sample, 36 total samples
    packed: int = struct.unpack_from(">Q", streaminfo, 10)[0]
    sample_rate = packed >> 44
    total_samples = packed & 0xFFFFFFFFF
    if sample_rate == 0:
        return None
    return total_samples / float(sample_rate)


def _flac_comments(head: _Head, body: int, block_bytes: int) -> tuple[tuple[str, str], ...] | None:
    end = body + block_bytes
    if end <= len(head.data):
        data, start = head.data, body
    else:
        chunk = head.at(body, block_bytes)
        if chunk is None:
            return None
        data, start, end = chunk, 0, block_bytes
    parsed = _comments(data, start, end, framing=False)
    if parsed is None:
        return None
    pairs, stop = parsed
    return pairs if stop == end else None  # mutagen goes by the parsed size, not the field


def _flac_picture_fits(head: _Head, body: int, block_bytes: int) -> bool:
    """Whether the PICTURE block's own lengths add up to its size field (mutagen uses them)."""
    if block_bytes < 32:
        return False
    mime = head.at(body + 4, 4)
    if mime is None:
        return False
    mime_bytes: int = _U32_BE.unpack(mime)[0]
    if 32 + mime_bytes > block_bytes:
        return False
    description = head.at(body + 8 + mime_bytes, 4)
    if description is None:
        return False
    description_bytes: int = _U32_BE.unpack(description)[0]
    counts_at = body + 12 + mime_bytes + description_bytes
    if 32 + mime_bytes + description_bytes > block_bytes:
        return False
    counts = head.at(counts_at, _PICTURE_COUNTS.size)
    if counts is None:
        return False
    picture_bytes: int = _PICTURE_COUNTS.unpack(counts)[4]
    return 32 + mime_bytes + description_bytes + picture_bytes == block_bytes


# --- Ogg ----------------------------------------------------------------------------------------


class _Page(NamedTuple):
    """One Ogg page's header facts, and where its first packet's bytes on this page lie."""

    flags: int
    granule: int
    serial: int
    sequence: int
    first_start: int  # offset of the page's first (or continued) packet data
    first_bytes: int  # how many of its bytes are on this page
    first_ends: bool  # whether that packet ends on this page
    packets: int  # 0, 1 or 2 (= "more than one")
    end: int  # offset just past the page


def _ogg_page(head: _Head, at: int) -> _Page | None:
    """The page at ``at``, read whole (as mutagen's ``OggPage`` reads it), or None."""
    lacing_at = at + _OGG_HEADER_BYTES
    if not head.covers(lacing_at, MAX_OGG_HEAD_BYTES):
        return None
    data_at = lacing_at + head.data[lacing_at - 1]
    if not head.covers(data_at, MAX_OGG_HEAD_BYTES):
        return None
    if not head.covers(data_at + sum(head.data[lacing_at:data_at]), MAX_OGG_HEAD_BYTES):
        return None
    return _page_in(head.data, at)


def _page_in(data: bytes, at: int) -> _Page | None:
    """The page at ``at`` of ``data``, or None when it is no version-0 page or ends past it."""
    lacing_at = at + _OGG_HEADER_BYTES
    if lacing_at > len(data):
        return None
    magic, version, flags, granule, serial, sequence, _crc, segments = _OGG_PAGE.unpack_from(
        data, at
    )
    if magic != b"OggS" or version != 0:
        return None
    data_at = lacing_at + segments
    lacing = data[lacing_at:data_at]
    end = data_at + sum(lacing)
    if end > len(data):
        return None
    # the first packet: its 255-valued segments, then the one below 255 that ends it (if any)
    full = segments - len(lacing.lstrip(b"\xff"))
    if full < segments:
        first_bytes, first_ends = 255 * full + lacing[full], True
        packets = 1 if full + 1 == segments else 2
    else:
        first_bytes, first_ends, packets = 255 * full, False, min(segments, 1)
    return _Page(flags, granule, serial, sequence, data_at, first_bytes, first_ends, packets, end)


def _ogg_headers(
    head: _Head, id_magic: bytes, comment_magic: bytes
) -> tuple[_Page, bytes, bytes, int] | None:
    """The identification page and packet, the comment packet and where it starts its data."""
    first = _ogg_page(head, 0)
    if first is None or first.flags != _OGG_FIRST or first.packets != 1 or not first.first_ends:
        return None
    id_packet = head.data[first.first_start : first.end]
    if not id_packet.startswith(id_magic):
        return None
    page = _ogg_page(head, first.end)
    if page is None or page.flags != 0 or page.serial != first.serial or page.packets == 0:
        return None
    parts = [head.data[page.first_start : page.first_start + page.first_bytes]]
    total = page.first_bytes
    while not page.first_ends:
        following = _ogg_page(head, page.end)
        if (
            following is None
            or following.flags != _OGG_CONTINUED
            or following.serial != first.serial
            or following.sequence != page.sequence + 1
            or following.packets == 0
        ):
            return None
        page = following
        total += page.first_bytes
        if total > MAX_COMMENT_BYTES:
            return None
        parts.append(head.data[page.first_start : page.first_start + page.first_bytes])
    packet = parts[0] if len(parts) == 1 else b"".join(parts)
    if not packet.startswith(comment_magic):
        return None
    return first, id_packet, packet, len(comment_magic)


def _last_granule(fileobj: BinaryIO, head: _Head, serial: int) -> int | None:
    """The granule position ``OggPage.find_last(finishing=True)`` answers on its fast path."""
    data = head.data
    if head.whole:
        found = data.rfind(b"OggS", max(0, len(data) - FIND_LAST_WINDOW))
    else:
        # the last "OggS" of a suffix of mutagen's window is the last of the whole window
        file_end = fileobj.seek(0, 2)
        found = -1
        for window in (OGG_TAIL_BYTES, FIND_LAST_WINDOW):
            fileobj.seek(max(0, file_end - window))
            data = fileobj.read()
            found = data.rfind(b"OggS")
            if found >= 0 or window >= file_end:
                break
    if found < 0:
        return None
    page = _page_in(data, found)
    if page is None or page.serial != serial or page.granule == -1:
        return None
    return page.granule if page.flags & _OGG_LAST else None


def read_lean_ogg_vorbis(fileobj: BinaryIO, size_bytes: int) -> LeanAudio | None:
    """An Ogg Vorbis file's comments and length as mutagen's ``OggVorbis`` reads them, or None
    to decline. (``size_bytes`` is unused: the tail is found from the file's end, as mutagen
    does.)"""
    try:
        return _ogg_vorbis(fileobj)
    except OSError:
        return None


def _ogg_vorbis(fileobj: BinaryIO) -> LeanAudio | None:
    head = _Head(fileobj, OGG_HEAD_BYTES)
    headers = _ogg_headers(head, b"\x01vorbis", b"\x03vorbis")
    if headers is None:
        return None
    first, id_packet, packet, skip = headers
    if len(id_packet) < 28:
        return None
    (sample_rate,) = _U32_LE.unpack_from(id_packet, 12)
    if sample_rate == 0:
        return None
    parsed = _comments(packet, skip, len(packet), framing=True)
    if parsed is None:
        return None
    granule = _last_granule(fileobj, head, first.serial)
    if granule is None:
        return None
    return LeanAudio(LeanInfo(granule / float(sample_rate)), parsed[0])


def read_lean_opus(fileobj: BinaryIO, size_bytes: int) -> LeanAudio | None:
    """An Ogg Opus file's comments and length as mutagen's ``OggOpus`` reads them, or None to
    decline. (``size_bytes`` is unused, as for Ogg Vorbis.)"""
    try:
        return _opus(fileobj)
    except OSError:
        return None


def _opus(fileobj: BinaryIO) -> LeanAudio | None:
    head = _Head(fileobj, OGG_HEAD_BYTES)
    headers = _ogg_headers(head, b"OpusHead", b"OpusTags")
    if headers is None:
        return None
    first, id_packet, packet, skip = headers
    if len(id_packet) < 19 or id_packet[8] >> 4 != 0:  # mutagen reads 8..19; major version 0
        return None
    (pre_skip,) = struct.unpack_from("<H", id_packet, 10)
    parsed = _comments(packet, skip, len(packet), framing=False)
    if parsed is None:
        return None
    granule = _last_granule(fileobj, head, first.serial)
    if granule is None:
        return None
    return LeanAudio(LeanInfo((granule - pre_skip) / float(OPUS_RATE)), parsed[0])
