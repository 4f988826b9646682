"""The lean Vorbis-comment readers against mutagen, through the real family functions: on the
fixtures, on files derived from them with mutagen (every Vorbis rating dialect, odd text, long
values, no tag), on the benchmark library, on damaged files, and on files they must decline."""

from __future__ import annotations

import io
import random
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen._vorbis import VComment
from mutagen.flac import FLAC, Picture
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from app.adapters.tags import vorbis
from app.adapters.tags.formats import KINDS, format_of
from app.adapters.tags.lean_vorbis import (
    MAX_COMMENT_BYTES,
    LeanAudio,
    read_lean_flac,
    read_lean_ogg_vorbis,
    read_lean_opus,
)
from app.domain.ratings.scales import TextScale
from tests.adapters.tags_support import BY_NAME

Reader = Callable[[BinaryIO, int], LeanAudio | None]
READERS: dict[str, Reader] = {
    "flac": read_lean_flac,
    "ogg_vorbis": read_lean_ogg_vorbis,
    "opus": read_lean_opus,
}
MUTAGEN_TYPES: dict[str, Any] = {"flac": FLAC, "ogg_vorbis": OggVorbis, "opus": OggOpus}
FIXTURE_OF = {"flac": "flac.flac", "ogg_vorbis": "ogg_vorbis.ogg", "opus": "opus.opus"}
FORMATS = tuple(READERS)
KIND_OF = {kind.format: kind for kind in KINDS}
SCALES: tuple[TextScale | None, ...] = (None, *TextScale)
BENCH_MUSIC = Path("/dev/shm/crossfade-bench/ratings-v2-n20000/music")
BENCH_FORMAT_OF = {".flac": "flac", ".ogg": "ogg_vorbis", ".opus": "opus"}


def _mutagen(data: bytes, fmt: str) -> Any | None:
    try:
        return MUTAGEN_TYPES[fmt](io.BytesIO(data))
    except Exception:  # whatever mutagen raises on a bad file, the reader falls back to it
        return None


def _lean(data: bytes, fmt: str) -> LeanAudio | None:
    return READERS[fmt](io.BytesIO(data), len(data))


def _agree(data: bytes, fmt: str) -> LeanAudio | None:
    """The lean result, after checking it gives what mutagen's object gives (or is None, which
    it must be whenever mutagen cannot read the file)."""
    reference = _mutagen(data, fmt)
    lean = _lean(data, fmt)
    if lean is None:
        return None
    assert reference is not None, "lean read a file mutagen cannot read"
    assert lean.info.length == reference.info.length
    assert (None if lean.tags is None else list(lean.tags)) == (
        None if reference.tags is None else list(reference.tags)
    )
    assert vorbis.meta(lean) == vorbis.meta(reference)
    for scale in SCALES:
        assert vorbis.readings(lean, scale) == vorbis.readings(reference, scale)
    kind = KIND_OF[fmt]
    handle = io.BytesIO(data)
    assert format_of(kind, lean, handle, "x") == format_of(kind, reference, handle, "x")
    return lean


def _accepted(data: bytes, fmt: str) -> LeanAudio:
    lean = _agree(data, fmt)
    assert lean is not None, "lean declined a plain file"
    return lean


# --- files derived with mutagen ------------------------------------------------------------------

Pairs = list[tuple[str, str]]

DERIVED: dict[str, Pairs] = {
    "rating_percent": [("RATING", "80")],
    "rating_stars": [("RATING", "4")],
    "rating_half_star_lower": [("rating", "4.5")],
    "fmps_rating": [("FMPS_RATING", "0.8")],
    "email_rating": [("RATING:user@example.com", "0.6")],
    "ratings_repeated_and_mixed": [
        ("Rating", "100"),
        ("RATING", "20"),
        ("FMPS_Rating", "1.0"),
        ("rating:other@example.org", "0.2"),
    ],
    "rating_not_a_number": [("RATING", "five")],
    "non_ascii_text": [
        ("TITLE", "Björk – Jóga 日本語 🎵"),
        ("ARTIST", "Sigur Rós"),
        ("ALBUM", "Ágætis byrjun"),
    ],
    "several_values": [("ARTIST", "A"), ("ARTIST", "B"), ("artist", "C"), ("TITLE", " ")],
    "track_and_disc_of": [("TRACKNUMBER", "3/12"), ("DISCNUMBER", "2/3"), ("TITLE", "t")],
    "album_artist_spellings": [("ALBUM ARTIST", "AA"), ("album_artist", "BB")],
    "musicbrainz": [("MUSICBRAINZ_TRACKID", "6d3b2a1c-0000-4000-8000-000064b9022b")],
    "empty_value_and_odd_key": [("TITLE", ""), ("MY KEY}{|", "v"), ("X", "a=b=c")],
    "long_value": [("TITLE", "x" * 100_000), ("RATING", "60")],
    "empty_tag": [],
}


def _derived(fmt: str, pairs: Pairs, *, picture: bool = False) -> bytes:
    """The fixture of ``fmt`` with its comments replaced by ``pairs``, saved by mutagen."""
    handle = io.BytesIO(BY_NAME[FIXTURE_OF[fmt]].path.read_bytes())
    audio = MUTAGEN_TYPES[fmt](handle)
    audio.tags.clear()
    audio.tags.extend(pairs)
    if picture:
        cover = Picture()
        cover.mime, cover.desc, cover.data = "image/png", "front ✓", b"\x89PNG" + bytes(3000)
        audio.add_picture(cover)
    handle.seek(0)
    audio.save(handle)
    return handle.getvalue()


def _patched(data: bytes, old: bytes, new: bytes) -> bytes:
    assert len(old) == len(new) and data.count(old) == 1
    return data.replace(old, new)


@pytest.mark.parametrize("fmt", FORMATS)
def test_fixtures_read_the_same(fmt: str) -> None:
    lean = _accepted(BY_NAME[FIXTURE_OF[fmt]].path.read_bytes(), fmt)
    assert lean.tags
    assert vorbis.meta(lean).title == "Fixture Tone"


@pytest.mark.parametrize("case", DERIVED, ids=str)
@pytest.mark.parametrize("fmt", FORMATS)
def test_files_tagged_by_mutagen_read_the_same(fmt: str, case: str, tmp_path: Path) -> None:
    lean = _accepted(_derived(fmt, DERIVED[case]), fmt)
    assert lean.tags is not None
    assert len(lean.tags) == len(DERIVED[case])


@pytest.mark.parametrize("fmt", FORMATS)
def test_ratings_come_through(fmt: str, tmp_path: Path) -> None:
    lean = _accepted(_derived(fmt, DERIVED["ratings_repeated_and_mixed"]), fmt)
    dialects = [reading.dialect for reading in vorbis.readings(lean, None)]
    assert dialects == [
        "vorbis:rating",
        "vorbis:rating",
        "vorbis:fmps_rating",
        vorbis.dialect_of_field("RATING:other@example.org"),
    ]


def test_flac_with_a_picture_and_a_very_long_value(tmp_path: Path) -> None:
    data = _derived("flac", [("TITLE", "y" * 300_000), ("RATING", "40")], picture=True)
    assert _accepted(data, "flac").tags is not None


def test_flac_without_a_comment_block(tmp_path: Path) -> None:
    path = tmp_path / "bare.flac"
    path.write_bytes(BY_NAME["flac.flac"].path.read_bytes())
    FLAC(path).delete()
    lean = _accepted(path.read_bytes(), "flac")
    assert lean.tags is None
    assert vorbis.meta(lean).title is None


# undecodable bytes, odd names and an entry without '=', patched in at the byte level
BYTE_PATCHES: dict[str, tuple[Pairs, bytes, bytes]] = {
    "non_utf8_value": ([("TITLE", "QQQQQQQQ")], b"QQQQQQQQ", b"\xff\xfe\xe9ab\xc3(\xe2"),
    "non_utf8_rating": ([("RATING", "QQQQ")], b"QQQQ", b"\xff8\xc30"),
    "non_ascii_key": ([("KQQK", "v")], b"KQQK", b"K\xc3\xa9K"),
    "broken_utf8_key": ([("KQQK", "v")], b"KQQK", b"K\xc3QK"),
    "control_in_key": ([("KQQK", "v"), ("TITLE", "t")], b"KQQK", b"K\x01QK"),
    "tilde_in_key": ([("KQQK", "v"), ("TITLE", "t")], b"KQQK", b"K~QK"),
    "del_in_key": ([("KQQK", "v"), ("TITLE", "t")], b"KQQK", b"K\x7fQK"),
    "no_equals_sign": ([("TITLE", "t"), ("ZQZQ", "val")], b"ZQZQ=", b"ZQZQZ"),
    "empty_key": ([("TITLE", "t"), ("Z", "val")], b"\x00Z=val", b"\x00==val"),
}


@pytest.mark.parametrize("case", BYTE_PATCHES, ids=str)
@pytest.mark.parametrize("fmt", FORMATS)
def test_odd_bytes_read_the_same(fmt: str, case: str, tmp_path: Path) -> None:
    pairs, old, new = BYTE_PATCHES[case]
    _accepted(_patched(_derived(fmt, pairs), old, new), fmt)


def test_ogg_last_page_longer_than_the_first_tail_read(tmp_path: Path) -> None:
    pages = _ogg_pages(_derived("ogg_vorbis", DERIVED["long_value"]))
    pages[-1].packets.append(bytes(6000))
    data = _ogg_bytes(pages)
    assert _accepted(data, "ogg_vorbis").info.length == 0.25


# --- the benchmark library -----------------------------------------------------------------------


@pytest.mark.skipif(not BENCH_MUSIC.is_dir(), reason="benchmark library not generated")
def test_benchmark_library_sample_reads_the_same() -> None:
    files = sorted(p for p in BENCH_MUSIC.rglob("*") if p.suffix in BENCH_FORMAT_OF)
    for path in random.Random(0).sample(files, min(500, len(files))):
        _accepted(path.read_bytes(), BENCH_FORMAT_OF[path.suffix])


# --- damaged files -------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    if draw(st.booleans()):
        return original[: draw(st.integers(0, len(original) - 1))]
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


FUZZ_CASES = (
    [(fmt, "fixture") for fmt in FORMATS]
    + [(fmt, "multi_page_comment") for fmt in FORMATS]
    + [("flac", "picture")]
)


def _fuzz_original(fmt: str, variant: str) -> bytes:
    if variant == "fixture":
        return BY_NAME[FIXTURE_OF[fmt]].path.read_bytes()
    pairs = [("TITLE", "z" * 9_000), ("RATING", "80"), ("TRACKNUMBER", "3/12")]
    return _derived(fmt, pairs, picture=variant == "picture")


@pytest.mark.parametrize(("fmt", "variant"), FUZZ_CASES)
def test_damaged_files_decline_or_read_the_same(fmt: str, variant: str) -> None:
    original = _fuzz_original(fmt, variant)

    @FUZZ
    @given(data=damaged(original))
    def check(data: bytes) -> None:
        _agree(data, fmt)

    check()


# --- must decline --------------------------------------------------------------------------------


def _flac_blocks(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    blocks: list[tuple[int, bytes]] = []
    at, last = 4, False
    while not last:
        header = data[at]
        size = int.from_bytes(data[at + 1 : at + 4], "big")
        blocks.append((header & 0x7F, data[at + 4 : at + 4 + size]))
        last = bool(header & 0x80)
        at += 4 + size
    return blocks, data[at:]


def _flac_bytes(blocks: list[tuple[int, bytes]], frames: bytes, sizes: dict[int, int]) -> bytes:
    out = bytearray(b"fLaC")
    for index, (code, body) in enumerate(blocks):
        out.append(code | (0x80 if index == len(blocks) - 1 else 0))
        out += sizes.get(index, len(body)).to_bytes(3, "big") + body
    return bytes(out + frames)


def _flac_case(edit: Callable[[list[tuple[int, bytes]]], object], **sizes: int) -> bytes:
    blocks, frames = _flac_blocks(BY_NAME["flac.flac"].path.read_bytes())
    edit(blocks)
    return _flac_bytes(blocks, frames, {int(k[1:]): v for k, v in sizes.items()})


def _streaminfo_rate_zero(blocks: list[tuple[int, bytes]]) -> None:
    body = bytearray(blocks[0][1])
    body[10:13] = bytes([0, 0, body[12] & 0x0F])
    blocks[0] = (0, bytes(body))


def _two_seektables(blocks: list[tuple[int, bytes]]) -> None:
    blocks[2:2] = [(3, bytes(18)), (3, bytes(18))]


def _bad_picture(blocks: list[tuple[int, bytes]]) -> None:
    picture = struct.pack(">2I", 3, 3) + b"png" + struct.pack(">6I", 0, 1, 1, 24, 0, 10)
    blocks.insert(2, (6, picture + bytes(12)))  # says 10 bytes of data, has 12


FLAC_COMMENT_BYTES = len(_flac_blocks(BY_NAME["flac.flac"].path.read_bytes())[0][1][1])
FLAC_DECLINES: dict[str, bytes] = {
    "id3_in_front": b"ID3\x04\x00\x00\x00\x00\x00\x00" + BY_NAME["flac.flac"].path.read_bytes(),
    "two_comment_blocks": _flac_case(lambda b: b.insert(2, b[1])),
    "no_streaminfo": _flac_case(lambda b: b.pop(0)),
    "two_streaminfo": _flac_case(lambda b: b.insert(1, b[0])),
    "cuesheet": _flac_case(lambda b: b.insert(2, (5, bytes(396)))),
    "two_seektables": _flac_case(_two_seektables),
    "block_type_127": _flac_case(lambda b: b.insert(2, (127, bytes(8)))),
    "sample_rate_zero": _flac_case(_streaminfo_rate_zero),
    "comment_size_field_too_big": _flac_case(lambda b: None, s1=FLAC_COMMENT_BYTES + 4),
    "comment_size_field_too_small": _flac_case(lambda b: None, s1=FLAC_COMMENT_BYTES - 4),
    "picture_size_disagrees": _flac_case(_bad_picture),
    "streaminfo_too_short": _flac_case(lambda b: b.__setitem__(0, (0, b[0][1][:30]))),
    "ogg_vorbis_file": BY_NAME["ogg_vorbis.ogg"].path.read_bytes(),
    "truncated_in_metadata": BY_NAME["flac.flac"].path.read_bytes()[:200],
}  # fmt: skip


@pytest.mark.parametrize("case", FLAC_DECLINES, ids=str)
def test_flac_declines(case: str) -> None:
    data = FLAC_DECLINES[case]
    assert _lean(data, "flac") is None
    _agree(data, "flac")


def _ogg_pages(data: bytes) -> list[OggPage]:
    handle = io.BytesIO(data)
    pages: list[OggPage] = []
    while handle.tell() < len(data):
        pages.append(OggPage(handle))
    return pages


def _ogg_bytes(pages: list[OggPage]) -> bytes:
    return b"".join(page.write() for page in pages)


def _ogg_case(fmt: str, edit: Callable[[list[OggPage]], None], pairs: Pairs | None = None) -> bytes:
    data = BY_NAME[FIXTURE_OF[fmt]].path.read_bytes() if pairs is None else _derived(fmt, pairs)
    pages = _ogg_pages(data)
    edit(pages)
    return _ogg_bytes(pages)


def _second_bos(pages: list[OggPage]) -> None:
    other = _ogg_pages(_ogg_bytes(pages[:1]))[0]
    other.serial += 1
    pages.insert(1, other)


def _chained(pages: list[OggPage]) -> None:
    second = _ogg_pages(_ogg_bytes(pages))
    for page in second:
        page.serial += 7
    pages.extend(second)


def _set(attribute: str, value: object, index: int = -1) -> Callable[[list[OggPage]], None]:
    def edit(pages: list[OggPage]) -> None:
        setattr(pages[index], attribute, value)

    return edit


def _vorbis_framing_unset(pages: list[OggPage]) -> None:
    packet = bytearray(pages[1].packets[0])
    framing_at = 6 + VComment(bytes(packet[7:]))._size  # the comment's last byte
    assert packet[framing_at] == 1
    packet[framing_at] = 0
    pages[1].packets[0] = bytes(packet)


def _opus_major_version_one(pages: list[OggPage]) -> None:
    packet = bytearray(pages[0].packets[0])
    packet[8] = 0x10
    pages[0].packets[0] = bytes(packet)


def _sequence_gap(pages: list[OggPage]) -> None:
    for page in pages[2:]:
        page.sequence += 1


LONG = [("TITLE", "z" * 20_000)]
TOO_LONG = [("TITLE", "z" * (MAX_COMMENT_BYTES + 1000))]

OGG_DECLINES: dict[str, tuple[str, bytes]] = {
    "vorbis_second_bos": ("ogg_vorbis", _ogg_case("ogg_vorbis", _second_bos)),
    "opus_second_bos": ("opus", _ogg_case("opus", _second_bos)),
    "vorbis_chained": ("ogg_vorbis", _ogg_case("ogg_vorbis", _chained)),
    "opus_chained": ("opus", _ogg_case("opus", _chained)),
    "vorbis_no_eos": ("ogg_vorbis", _ogg_case("ogg_vorbis", _set("last", False))),
    "opus_no_eos": ("opus", _ogg_case("opus", _set("last", False))),
    "vorbis_granule_unset": ("ogg_vorbis", _ogg_case("ogg_vorbis", _set("position", -1))),
    "opus_granule_unset": ("opus", _ogg_case("opus", _set("position", -1))),
    "vorbis_framing_unset": ("ogg_vorbis", _ogg_case("ogg_vorbis", _vorbis_framing_unset)),
    "opus_major_version_1": ("opus", _ogg_case("opus", _opus_major_version_one)),
    "vorbis_comment_continued": ("ogg_vorbis", _ogg_case("ogg_vorbis", _set("continued", True, 1))),
    "opus_first_page_not_bos": ("opus", _ogg_case("opus", _set("first", False, 0))),
    "vorbis_comment_too_long": ("ogg_vorbis", _derived("ogg_vorbis", TOO_LONG)),
    "opus_comment_too_long": ("opus", _derived("opus", TOO_LONG)),
    "vorbis_sequence_gap": ("ogg_vorbis", _ogg_case("ogg_vorbis", _sequence_gap, LONG)),
    "opus_sequence_gap": ("opus", _ogg_case("opus", _sequence_gap, LONG)),
    "speex_as_vorbis": ("ogg_vorbis", BY_NAME["speex.spx"].path.read_bytes()),
    "speex_as_opus": ("opus", BY_NAME["speex.spx"].path.read_bytes()),
    "ogg_flac_as_vorbis": ("ogg_vorbis", BY_NAME["ogg_flac.oga"].path.read_bytes()),
    "ogg_flac_as_opus": ("opus", BY_NAME["ogg_flac.oga"].path.read_bytes()),
    "opus_as_vorbis": ("ogg_vorbis", BY_NAME["opus.opus"].path.read_bytes()),
    "vorbis_as_opus": ("opus", BY_NAME["ogg_vorbis.ogg"].path.read_bytes()),
    "flac_as_opus": ("opus", BY_NAME["flac.flac"].path.read_bytes()),
    "empty_file": ("opus", b""),
}  # fmt: skip


@pytest.mark.parametrize("case", OGG_DECLINES, ids=str)
def test_ogg_declines(case: str) -> None:
    fmt, data = OGG_DECLINES[case]
    assert _lean(data, fmt) is None
    _agree(data, fmt)


@pytest.mark.parametrize("fmt", ["ogg_vorbis", "opus"])
def test_multi_page_comment_is_read(fmt: str) -> None:
    data = _derived(fmt, LONG)
    assert len(_ogg_pages(data)) > 4  # the comment packet spans pages
    _accepted(data, fmt)


def test_an_io_error_declines() -> None:
    class Failing(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            raise OSError("gone")

    data = BY_NAME["flac.flac"].path.read_bytes()
    for reader in READERS.values():
        assert reader(Failing(data), len(data)) is None
