"""Format detection: the magic-byte fast path answers exactly what the mutagen scoring answers.

Every case runs ``detect`` (fast path first) and ``_detect_by_score`` (the scoring alone) over
the same bytes and name, and compares the kind (or the error type) and where the file is left.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.adapters.tags.formats import (
    ASF_HEADER_GUID,
    HEADER_BYTES,
    Kind,
    _by_magic,
    _detect_by_score,
    detect,
)
from tests.adapters.tags_support import ALL_FIXTURES, Fixture

EXAMPLES = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# names whose extension would break a tie towards one kind or another
NAMES = ["", "x.bin", "x.mp3", "x.flac", "X.FLAC", "x.ape", "x.mpc", "x.wav", "x.aif", "x.dsf"]

# strings some mutagen score looks for anywhere in the header: planting them makes ties
RIVAL_WORDS = [b"ftyp", b"mp4", b"WAVE", b"FLAC", b"fLaC", b"\x01vorbis", b"OpusHead", b"Speex   "]

Detector = Callable[[BinaryIO, str], Kind]
Outcome = tuple[str, int | None]


def outcome(detector: Detector, data: bytes, name: str) -> Outcome:
    """The format id and the file position afterwards, or the error type's name."""
    fileobj = io.BytesIO(data)
    try:
        kind = detector(fileobj, name)
    except Exception as exc:
        return type(exc).__name__, None
    return kind.format, fileobj.tell()


def assert_same(data: bytes, name: str) -> Outcome:
    fast = outcome(detect, data, name)
    assert fast == outcome(_detect_by_score, data, name), (data[:HEADER_BYTES], name)
    return fast


def ogg_page(packet: bytes, *, segments: int = 1, granule: bytes = bytes(8)) -> bytes:
    """A first Ogg page's header (CRC left zero: no score checks it) and its first packet."""
    lacing = bytes([255] * (segments - 1) + [len(packet) % 255])
    head = b"OggS\x00\x02" + granule + struct.pack("<III", 0x1234, 0, 0)
    return head + bytes([segments]) + lacing + packet


VORBIS_ID = b"\x01vorbis" + bytes(4) + b"\x01" + struct.pack("<I", 44100) + bytes(13) + b"\xb8\x01"
OPUS_ID = b"OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
SPEEX_ID = b"Speex   1.2.0" + bytes(20)
OGG_FLAC_ID = b"\x7fFLAC\x01\x00\x00\x01fLaC\x00\x00\x00\x22" + bytes(34)
FTYP = b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A isomiso2"


def fixture_bytes(fixture: Fixture) -> bytes:
    return fixture.path.read_bytes()


# --- the fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
@pytest.mark.parametrize("name", [*NAMES, "WRONG.M4A"])
def test_fixtures_detect_the_same_both_ways(fixture: Fixture, name: str) -> None:
    assert_same(fixture_bytes(fixture), name or fixture.name)


@pytest.mark.parametrize(
    "fixture", [f for f in ALL_FIXTURES if f.format != "mp3"], ids=lambda f: f.name
)
def test_the_fast_path_answers_for_every_container_fixture(fixture: Fixture) -> None:
    """Not a vacuous agreement: every fixture but the ID3-led MP3s is told by its magic bytes."""
    data = fixture_bytes(fixture)
    kind = _by_magic(data[:HEADER_BYTES])
    assert kind is not None
    assert kind == _detect_by_score(io.BytesIO(data), "")


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_every_truncated_fixture_header_detects_the_same(fixture: Fixture) -> None:
    data = fixture_bytes(fixture)
    for size in range(0, min(len(data), HEADER_BYTES + 40)):
        for name in ("", fixture.name, "x.mp3"):
            assert_same(data[:size], name)


# --- magic bytes -> format -------------------------------------------------------------------

MAGIC_TABLE = [
    (b"fLaC\x00\x00\x00\x22" + bytes(34), "flac"),
    (ogg_page(VORBIS_ID), "ogg_vorbis"),
    (ogg_page(OPUS_ID), "opus"),
    (ogg_page(SPEEX_ID), "speex"),
    (ogg_page(OGG_FLAC_ID), "ogg_flac"),
    (ogg_page(OPUS_ID, segments=3), "opus"),  # the packet starts after a longer segment table
    (FTYP, "m4a"),
    (b"\x00\x00\x00\x20ftypM4B \x00\x00\x00\x00M4B mp42isom", "m4a"),  # m4b comes from format_of
    (b"\x00\x00\x00\x01ftypqt  ", "m4a"),  # a 64-bit box size
    (ASF_HEADER_GUID + bytes(14), "wma"),
    (b"FORM\x00\x00\x14\xa0AIFFCOMM", "aiff"),
    (b"FORM\x00\x00\x14\xa0AIFCFVER", "aiff"),
    (b"RIFF\xda\x14\x00\x00WAVEfmt ", "wav"),
    (b"DSD \x1c" + bytes(7), "dsf"),
    (b"MAC \x96\x0f\x00\x00", "ape"),
    (b"wvpkJ\x06\x00\x00\x10\x04", "wavpack"),
    (b"MPCKSH\r\xfd", "musepack"),
    (b"MP+\x17" + bytes(20), "musepack"),  # SV7
    # a rival scores, but lower
    (ogg_page(OGG_FLAC_ID + b"ftyp"), "ogg_flac"),  # 2 against 1
    (b"\x00\x00\x00\x1cftypWAVE\x00\x00\x00\x00mp42", "m4a"),  # 2 against WAVE's 1
    (b"FORM\x00\x00\x14\xa0AIFFftyp", "aiff"),
    (b"RIFF\xda\x14\x00\x00WAVEmp4 ", "wav"),
    (b"wvpkJ\x06\x00\x00WAVEftyp", "wavpack"),
    (ASF_HEADER_GUID + b"mp4", "wma"),
]


@pytest.mark.parametrize(("header", "format_id"), MAGIC_TABLE, ids=lambda v: repr(v)[:24])
def test_magic_bytes_name_the_format(header: bytes, format_id: str) -> None:
    kind = _by_magic(header)
    assert kind is not None and kind.format == format_id
    for name in NAMES:
        assert assert_same(header, name) == (format_id, 0)


# Headers a magic would claim, where the scoring would tie or pick another kind: the fast path
# must step aside, and detect then answers what the scoring answers.
DOUBT_TABLE = [
    b"fLaC" + bytes(8) + b"ftyp",  # MP4 scores 1 too: a tie, broken by the name
    b"fLaC" + bytes(4) + b"WAVE",  # WAVE scores 1 too
    b"fLaC" + bytes(8) + b"ftyp mp4",  # MP4 scores 2 and wins
    b"MAC " + bytes(8) + b"ftyp",
    b"MPCK" + bytes(4) + b"WAVE",
    b"MP+\x07" + bytes(8) + b"mp4",
    b"wvpk" + bytes(8) + b"ftyp..mp4",  # 2 against 2
    b"DSD " + bytes(8) + b"ftypmp42",
    ASF_HEADER_GUID + b"ftypmp41",
    b"FORM\x00\x00\x00\x00AIFFftypmp4",
    b"FORM\x00\x00\x00\x00XXXX",  # mutagen calls any FORM AIFF; the fast path only knows AIFF/AIFC
    b"RIFF\x00\x00\x00\x00WAVEftypmp4",
    b"RIFF\x00\x00\x00\x00AVI LIST",  # RIFF without WAVE scores 1
    b"\x00\x00\x00\x1cftyp" + b"WAVE",  # MP4 1 against WAVE 1
    b"fLaCftypM4A ",  # an ftyp box behind a magic that is not a box size
    ogg_page(VORBIS_ID + b"FLAC"),  # Ogg FLAC scores 1 too
    ogg_page(OPUS_ID + b"\x01vorbis"),
    ogg_page(SPEEX_ID + b"ftyp"),
    ogg_page(VORBIS_ID, granule=b"\x00\x00WAVE\x00\x00"),
    ogg_page(OGG_FLAC_ID + b"ftypmp4"),  # 2 against 2
    ogg_page(b"\x80theora" + bytes(20)),  # a codec we do not handle
    ogg_page(OPUS_ID, segments=100),  # the packet lies past the 128 bytes the scores see
    b"OggS" + bytes(20),  # shorter than a page header
]


@pytest.mark.parametrize("header", DOUBT_TABLE, ids=lambda v: repr(v)[:32])
def test_in_doubt_the_fast_path_steps_aside(header: bytes) -> None:
    assert _by_magic(header[:HEADER_BYTES]) is None
    for name in NAMES:
        assert_same(header, name)


# --- generated headers -----------------------------------------------------------------------

MAGICS = [
    b"fLaC",
    b"OggS",
    b"\x00\x00\x00\x18ftyp",
    ASF_HEADER_GUID,
    b"FORM\x00\x00\x00\x00AIFF",
    b"FORM\x00\x00\x00\x00AIFC",
    b"RIFF\x00\x00\x00\x00WAVE",
    b"DSD ",
    b"MAC ",
    b"wvpk",
    b"MPCK",
    b"MP+",
    b"ID3\x04\x00\x00\x00\x00\x00\x10",
    b"\xff\xfb",
]


@EXAMPLES
@given(data=st.binary(max_size=HEADER_BYTES + 40), name=st.sampled_from(NAMES))
def test_random_bytes_detect_the_same(data: bytes, name: str) -> None:
    assert_same(data, name)


@EXAMPLES
@given(
    magic=st.sampled_from(MAGICS),
    tail=st.binary(max_size=HEADER_BYTES + 40),
    name=st.sampled_from(NAMES),
)
def test_magic_then_random_bytes_detect_the_same(magic: bytes, tail: bytes, name: str) -> None:
    assert_same(magic + tail, name)


@st.composite
def ogg_headers(draw: st.DrawFn) -> bytes:
    packet = draw(st.sampled_from([VORBIS_ID, OPUS_ID, SPEEX_ID, OGG_FLAC_ID, b"\x80theora"]))
    page = ogg_page(packet, segments=draw(st.integers(1, 120)))
    return page + draw(st.binary(max_size=60))


@st.composite
def planted(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """``base`` with a few rival words written over it at random places (and some bit flips)."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        word = draw(st.sampled_from(RIVAL_WORDS))
        at = draw(st.integers(0, HEADER_BYTES))
        data[at : at + len(word)] = word
    for _ in range(draw(st.integers(0, 2))):
        if data:
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@EXAMPLES
@given(data=planted(ogg_headers()), name=st.sampled_from(NAMES))
def test_ogg_pages_detect_the_same(data: bytes, name: str) -> None:
    assert_same(data, name)


@EXAMPLES
@given(
    data=planted(st.sampled_from([f.path.read_bytes()[: HEADER_BYTES + 40] for f in ALL_FIXTURES])),
    cut=st.integers(0, HEADER_BYTES + 40),
    name=st.sampled_from(NAMES),
)
def test_damaged_fixture_headers_detect_the_same(data: bytes, cut: int, name: str) -> None:
    assert_same(data[:cut], name)


@EXAMPLES
@given(
    data=planted(
        st.tuples(st.sampled_from(MAGICS), st.binary(max_size=HEADER_BYTES)).map(b"".join)
    ),
    name=st.sampled_from(NAMES),
)
def test_magic_with_rival_words_detects_the_same(data: bytes, name: str) -> None:
    assert_same(data, name)
