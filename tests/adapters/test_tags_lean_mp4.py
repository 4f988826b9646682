"""The lean MP4 reader against mutagen, through the real family functions: equal or declined.

Every comparison parses the same bytes with mutagen's ``MP4`` and with :func:`read_lean`, then
asks ``mp4.readings`` (no pinned scale and a pinned one), ``mp4.meta`` and ``format_of`` of both;
the lean stand-in must give exactly what mutagen's object gives, or decline (None). When mutagen
raises, the lean reader must decline.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.mp4 import MP4, AtomDataType, MP4Cover, MP4FreeForm

from app.adapters.tags import mp4
from app.adapters.tags.formats import KINDS, format_of
from app.adapters.tags.lean_mp4 import LeanAudio, read_lean
from app.domain.ratings.scales import TextScale
from tests.adapters.tags_support import by_family

FIXTURES = by_family("mp4")
FIXTURE_BYTES = {f.name: f.path.read_bytes() for f in FIXTURES}
MP4_KIND = next(kind for kind in KINDS if kind.file_type is MP4)
BENCH_MUSIC = Path("/dev/shm/crossfade-bench/ratings-v2-n20000/music")
FREEFORM: Any = MP4FreeForm
COVER: Any = MP4Cover
CONTAINERS = {b"moov", b"udta", b"trak", b"mdia", b"meta", b"ilst", b"stbl", b"minf"}


def mutagen_of(data: bytes) -> MP4 | None:
    try:
        return MP4(io.BytesIO(data))
    except Exception:
        return None


def assert_same(data: bytes, name: str = "x.m4a") -> LeanAudio | None:
    """Lean and mutagen agree on ``data`` (or lean declines); returns the lean result."""
    reference = mutagen_of(data)
    lean = read_lean(io.BytesIO(data), len(data))
    if reference is None:
        assert lean is None, "lean read a file mutagen cannot read"
        return None
    if lean is None:
        return None
    for scale in (None, TextScale.PERCENT):
        assert mp4.readings(lean, scale) == mp4.readings(reference, scale)
    assert mp4.meta(lean) == mp4.meta(reference)
    assert lean.info.length == reference.info.length
    assert lean.info.codec == reference.info.codec
    assert format_of(MP4_KIND, lean, io.BytesIO(data), name) == format_of(
        MP4_KIND, reference, io.BytesIO(data), name
    )
    if reference.tags is None:
        assert lean.tags is None
    else:
        assert lean.tags is not None
        wanted = [key for key in reference.tags if key in lean.tags]
        assert list(lean.tags) == wanted  # a subset, in mutagen's order
        for key in ("©nam", "©ART", "©alb", "aART", "trkn", "disk", "rate"):
            assert (key in lean.tags) == (key in reference.tags)
        for key, values in lean.tags.items():
            assert values == reference.tags[key]
            for lean_value, value in zip(values, reference.tags[key], strict=True):
                assert type(lean_value) is type(value)
        for key in reference.tags:
            if key.startswith("----:"):
                assert key in lean.tags
    return lean


def derived(tmp_path: Path, fixture_name: str, change: Callable[[MP4], None]) -> bytes:
    path = tmp_path / fixture_name
    path.write_bytes(FIXTURE_BYTES[fixture_name])
    audio = MP4(path)
    change(audio)
    audio.save()
    return path.read_bytes()


# --- 1. fixtures and files derived from them with mutagen -----------------------------------


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_fixtures_read_like_mutagen(fixture: Any) -> None:
    data = FIXTURE_BYTES[fixture.name]
    lean = assert_same(data, fixture.name)
    assert lean is not None
    with fixture.path.open("rb") as handle:  # a real file, left at some other position
        handle.seek(123)
        assert read_lean(handle, len(data)) == lean


def text_rating(key: str, *values: str) -> Callable[[MP4], None]:
    def change(audio: MP4) -> None:
        assert audio.tags is not None
        if key == "rate":
            audio.tags[key] = list(values)
        else:
            audio.tags[key] = [FREEFORM(v.encode(), dataformat=AtomDataType.UTF8) for v in values]

    return change


def set_tags(**items: Any) -> Callable[[MP4], None]:
    def change(audio: MP4) -> None:
        assert audio.tags is not None
        for key, value in items.items():
            audio.tags[key.replace("_", " ")] = value

    return change


def set_items(items: dict[str, Any]) -> Callable[[MP4], None]:
    def change(audio: MP4) -> None:
        assert audio.tags is not None
        for key, value in items.items():
            audio.tags[key] = value

    return change


def clear_tags(audio: MP4) -> None:
    assert audio.tags is not None
    audio.tags.clear()


RATE = "----:com.apple.iTunes:RATE"
RATING = "----:com.apple.iTunes:RATING"
MBID = "----:com.apple.iTunes:MusicBrainz Track Id"

CHANGES: dict[str, Callable[[MP4], None]] = {
    "itunes_rate_percent": text_rating(RATE, "80"),
    "itunes_rate_stars": text_rating(RATE, "4.5"),
    "itunes_rate_unit": text_rating(RATE, "0.6"),
    "itunes_rate_zero": text_rating(RATE, "0"),
    "itunes_rate_junk": text_rating(RATE, "great"),
    "itunes_rate_several": text_rating(RATE, "20", " 100 "),
    "itunes_rating": text_rating(RATING, "60"),
    "itunes_rating_comma": text_rating(RATING, "4,5"),
    "lower_case_mean_and_name": text_rating("----:com.apple.itunes:rating", "40"),
    "mixed_case_name": text_rating("----:com.apple.iTunes:Rate", "100"),
    "other_mean_is_not_a_rating": text_rating("----:org.example:RATE", "80"),
    "plain_rate_atom": text_rating("rate", "60"),
    "plain_rate_several": text_rating("rate", "60", "80"),
    "every_dialect": set_items(
        {
            RATE: [FREEFORM(b"80")],
            RATING: [FREEFORM(b"4")],
            "rate": ["100"],
            "rtng": [1],
        }
    ),
    "rate_as_integer_data": set_items({RATE: [FREEFORM(b"\x50", dataformat=AtomDataType.INTEGER)]}),
    "rate_as_empty_integer": set_items({RATE: [FREEFORM(b"", dataformat=AtomDataType.INTEGER)]}),
    "rate_as_negative_integer": set_items(
        {RATING: [FREEFORM(b"\xff\xb0", dataformat=AtomDataType.INTEGER)]}
    ),
    "rate_as_utf16_data": set_items(
        {RATE: [FREEFORM("80".encode("utf-16-be"), dataformat=AtomDataType.UTF16)]}
    ),
    "rate_latin1_bytes": set_items({RATE: [FREEFORM("8°".encode("latin-1"))]}),
    "content_advisory_only": set_items({"rtng": [4]}),
    "non_ascii_text": set_tags(
        **{"©nam": ["Ça va — 日本語 🎵"], "©ART": ["Björk"], "aART": ["Sigur Rós"]}
    ),
    "several_text_values": set_items({"©ART": ["A", "B", " "], "©alb": ["", "X"]}),
    "empty_text": set_items({"©nam": [""], "©alb": []}),
    "very_long_values": set_items({"©nam": ["x" * 20_000], RATE: [FREEFORM(b"8" + b"0" * 5000)]}),
    "track_and_disc_zero": set_items({"trkn": [(0, 0)], "disk": [(0, 5)]}),
    "several_track_values": set_items({"trkn": [(7, 9), (3, 12)]}),
    "big_track_numbers": set_items({"trkn": [(65535, 65535)], "disk": [(300, 0)]}),
    "musicbrainz_id_several": set_items({MBID: [FREEFORM(b"a"), FREEFORM(b"b")]}),
    "musicbrainz_id_lower_case": set_items(
        {"----:com.apple.itunes:musicbrainz track id": [FREEFORM(b"c0ffee")]}
    ),
    "freeform_without_values": set_items({RATE: []}),
    "cover_art": set_items({"covr": [COVER(b"\xff\xd8\xff" + b"\x00" * 3000)]}),
    "integers_and_bools": set_items({"tmpo": [120], "cpil": True, "plID": [2**40]}),
    "other_text_atoms": set_items({"©gen": ["Rock"], "©day": ["2001"], "desc": ["d"]}),
    "no_items": clear_tags,
}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
@pytest.mark.parametrize("change", list(CHANGES), ids=str)
def test_derived_files_read_like_mutagen(fixture: Any, change: str, tmp_path: Path) -> None:
    data = derived(tmp_path, fixture.name, CHANGES[change])
    assert assert_same(data, fixture.name) is not None


def test_ratings_are_read_in_file_order(tmp_path: Path) -> None:
    data = derived(tmp_path, "m4a.m4a", CHANGES["every_dialect"])
    lean = assert_same(data)
    assert lean is not None
    dialects = [reading.dialect for reading in mp4.readings(lean, None)]
    assert sorted(dialects) == ["mp4:itunes_rate", "mp4:itunes_rating", "mp4:rate"]


# --- raw atom surgery: files mutagen cannot write -----------------------------------------


def find_atom(data: bytes, path: tuple[bytes, ...]) -> tuple[int, int, list[int]]:
    """(offset, size, offsets of its ancestors) of the first atom along ``path``."""
    start, end, ancestors = 0, len(data), []
    offset = size = -1
    for depth, name in enumerate(path):
        pos = start
        while pos + 8 <= end:
            size, kind = struct.unpack_from(">I4s", data, pos)
            if kind == name:
                break
            pos += size
        else:
            raise KeyError(name)
        offset = pos
        if depth < len(path) - 1:
            ancestors.append(pos)
            start, end = pos + 8 + (4 if name == b"meta" else 0), pos + size
    return offset, size, ancestors


def replace_atom(data: bytes, path: tuple[bytes, ...], new: bytes, *, after: bool = False) -> bytes:
    """``data`` with the atom at ``path`` replaced by ``new`` (or ``new`` inserted after it),
    every ancestor's size fixed. The fixtures keep moov after mdat, so no offsets move."""
    offset, size, ancestors = find_atom(data, path)
    old = data[offset : offset + size]
    out = bytearray(data[:offset] + (old + new if after else new) + data[offset + size :])
    delta = len(new) if after else len(new) - size
    for pos in ancestors:
        (ancestor_size,) = struct.unpack_from(">I", out, pos)
        struct.pack_into(">I", out, pos, ancestor_size + delta)
    return bytes(out)


def atom(name: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", len(payload) + 8, name) + payload


def data_atom(payload: bytes, flags: int = 1) -> bytes:
    return atom(b"data", struct.pack(">II", flags, 0) + payload)


M4A = FIXTURE_BYTES["m4a.m4a"]
ALAC = FIXTURE_BYTES["alac.m4a"]
ILST = (b"moov", b"udta", b"meta", b"ilst")
NAM = (*ILST, b"\xa9nam")
TRAK = (b"moov", b"trak")
MDHD = (b"moov", b"trak", b"mdia", b"mdhd")
STSD = (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd")


def patched(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1 and len(old) == len(new)
    return data.replace(old, new)


def trak_copy(data: bytes) -> bytes:
    offset, size, _ancestors = find_atom(data, TRAK)
    return data[offset : offset + size]


def alac_cookie_version(data: bytes, version: int) -> bytes:
    at = data.rindex(b"alac\x00\x00\x00\x00") + 4  # the cookie: a full atom inside the entry
    return data[:at] + bytes([version]) + data[at + 1 :]


def free_as_64_bit(data: bytes) -> bytes:
    offset, size, _ancestors = find_atom(data, (*ILST[:3], b"free"))
    wide = struct.pack(">I4sQ", 1, b"free", size) + b"\x00" * (size - 16)
    return data[:offset] + wide + data[offset + size :]


def mdhd_version(data: bytes, version: int) -> bytes:
    offset, _size, _ancestors = find_atom(data, MDHD)
    return data[: offset + 8] + bytes([version]) + data[offset + 9 :]


def esds_channels_zero(data: bytes) -> bytes:
    offset, size, _ancestors = find_atom(data, STSD)
    stsd = data[offset : offset + size]
    at = stsd.index(b"\x05\x80\x80\x80") + 5  # the DecoderSpecificInfo: AAC LC, 8 kHz, mono
    config = int.from_bytes(stsd[at : at + 2], "big") & ~(0xF << 3)
    stsd = stsd[:at] + config.to_bytes(2, "big") + stsd[at + 2 :]
    return data[:offset] + stsd + data[offset + size :]


MUST_DECLINE: dict[str, bytes] = {
    "fragmented_moof": M4A + atom(b"moof", atom(b"mfhd", b"\x00" * 8)),
    "second_top_level_moov": M4A + atom(b"moov", b""),
    "two_audio_tracks": replace_atom(M4A, TRAK, trak_copy(M4A), after=True),
    "unknown_sample_entry": patched(M4A, b"mp4a", b"ac-3"),
    "mdhd_version_2": mdhd_version(M4A, 2),
    "alac_cookie_version_1": alac_cookie_version(ALAC, 1),
    "program_config_element": esds_channels_zero(M4A),
    "64_bit_child_atom": free_as_64_bit(M4A),
    "nero_chapters": replace_atom(
        M4A, (b"moov", b"udta", b"meta"), atom(b"chpl", b"\x01" + b"\x00" * 8), after=True
    ),
    "meta_without_version": replace_atom(
        M4A, (b"moov", b"udta"), atom(b"udta", atom(b"meta", atom(b"ilst", b"")))
    ),
    "freeform_name_overruns": replace_atom(
        M4A,
        (*ILST, b"----"),
        atom(
            b"----",
            atom(b"mean", b"\x00" * 4 + b"com.apple.iTunes")
            + struct.pack(">I4s", 100, b"name")
            + b"\x00" * 8,
        ),
    ),
    "freeform_data_named_wrong": replace_atom(
        M4A,
        (*ILST, b"----"),
        atom(
            b"----",
            atom(b"mean", b"\x00" * 4 + b"com.apple.iTunes")
            + atom(b"name", b"\x00" * 4 + b"RATE")
            + atom(b"dat_", b"\x00\x00\x00\x01\x00\x00\x00\x0080"),
        ),
    ),
    "short_track_number": replace_atom(
        M4A, (*ILST, b"trkn"), atom(b"trkn", data_atom(b"\x00\x03", 0))
    ),
    "truncated_cover": replace_atom(
        M4A, NAM, atom(b"covr", data_atom(b"\xff\xd8", 13) + b"\x00" * 6), after=True
    ),
    "child_overruns_parent": replace_atom(M4A, NAM, atom(b"\xa9nam", b"") + b"\x00\x00\x00"),
    "truncated_moov": M4A[:-100],
    "no_moov": M4A[: find_atom(M4A, (b"moov",))[0]],
    "empty_file": b"",
}


@pytest.mark.parametrize("case", list(MUST_DECLINE), ids=str)
def test_must_decline(case: str) -> None:
    data = MUST_DECLINE[case]
    assert read_lean(io.BytesIO(data), len(data)) is None
    assert_same(data)  # and mutagen, where it reads the file, is not contradicted


SKIPPED_LIKE_MUTAGEN: dict[str, bytes] = {
    # mutagen keeps these items aside: they are not in its tags, nor in ours
    "title_not_utf8": patched(M4A, b"Fixture Tone", b"Fixture \xffone"),
    "title_with_integer_type": replace_atom(M4A, NAM, atom(b"\xa9nam", data_atom(b"\x00\x01", 21))),
    "rate_atom_as_integer": replace_atom(
        M4A, NAM, atom(b"rate", data_atom(b"\x50", 21)), after=True
    ),
    "rate_atom_implicit_type": replace_atom(
        M4A, NAM, atom(b"rate", data_atom(b"80", 0)), after=True
    ),
    "title_with_a_stray_child": replace_atom(
        M4A, NAM, atom(b"\xa9nam", data_atom(b"T") + atom(b"junk", b"")), after=False
    ),
    "track_with_a_stray_child": replace_atom(
        M4A, (*ILST, b"trkn"), atom(b"trkn", data_atom(b"\x00" * 8, 0) + atom(b"junk", b""))
    ),
    "cover_with_odd_child": replace_atom(
        M4A, NAM, atom(b"covr", atom(b"junk", b"\x00" * 8)), after=True
    ),
    "cover_with_name": replace_atom(
        M4A, NAM, atom(b"covr", atom(b"name", b"\x00" * 8) + data_atom(b"\x89PNG", 14)), after=True
    ),
    "freeform_name_only": replace_atom(
        M4A,
        (*ILST, b"----"),
        atom(b"----", atom(b"mean", b"\x00" * 4 + b"com.apple.iTunes") + atom(b"name", b"\0" * 8)),
    ),
    "implicit_title": replace_atom(M4A, NAM, atom(b"\xa9nam", data_atom(b"Implicit", 0))),
    "no_udta": replace_atom(M4A, (b"moov", b"udta"), b""),
    "meta_without_ilst": replace_atom(M4A, ILST, b""),
}


@pytest.mark.parametrize("case", list(SKIPPED_LIKE_MUTAGEN), ids=str)
def test_unusual_items_read_like_mutagen(case: str) -> None:
    data = SKIPPED_LIKE_MUTAGEN[case]
    assert mutagen_of(data) is not None
    assert assert_same(data) is not None


def test_no_udta_means_no_tags() -> None:
    lean = assert_same(SKIPPED_LIKE_MUTAGEN["no_udta"])
    assert lean is not None and lean.tags is None


def test_moov_before_mdat_is_read_too() -> None:
    """The faststart layout (iTunes): ftyp, moov, mdat; chunk offsets move with moov."""
    moov_at, moov_size, _ancestors = find_atom(M4A, (b"moov",))
    mdat_at, mdat_size, _ancestors = find_atom(M4A, (b"mdat",))
    moov = bytearray(M4A[moov_at : moov_at + moov_size])
    stco = moov.index(b"stco")
    (count,) = struct.unpack_from(">I", moov, stco + 8)
    for index in range(count):
        at = stco + 12 + 4 * index
        (chunk_offset,) = struct.unpack_from(">I", moov, at)
        struct.pack_into(">I", moov, at, chunk_offset + moov_size)
    data = M4A[:mdat_at] + bytes(moov) + M4A[mdat_at : mdat_at + mdat_size]
    assert assert_same(data) is not None


def test_large_files_are_read_in_few_reads(tmp_path: Path) -> None:
    """A long mdat: the reader jumps over it instead of reading it."""
    padding = b"\x00" * 1_000_000
    moov_at, _moov_size, _ancestors = find_atom(M4A, (b"moov",))
    data = bytearray(M4A[:moov_at] + atom(b"free", padding) + M4A[moov_at:])
    path = tmp_path / "big.m4a"
    path.write_bytes(bytes(data))
    reads: list[int] = []

    class Counting(io.FileIO):
        def read(self, size: int | None = -1, /) -> bytes:
            chunk = super().read(size)
            reads.append(len(chunk))
            return chunk

    with Counting(os.fspath(path), "r") as handle:
        lean = read_lean(handle, len(data))
    assert lean is not None and lean == assert_same(bytes(data))
    assert len(reads) <= 3 and sum(reads) < 200_000


# --- 2. the benchmark library -----------------------------------------------------------------


def bench_sample(count: int) -> list[Path]:
    if not BENCH_MUSIC.is_dir():
        return []
    paths = sorted(p for p in BENCH_MUSIC.rglob("*") if p.suffix.lower() in {".m4a", ".m4b"})
    step = max(1, len(paths) // count)
    return paths[::step][:count]


@pytest.mark.skipif(not BENCH_MUSIC.is_dir(), reason="no benchmark library on this machine")
def test_bench_library_sample_reads_like_mutagen() -> None:
    sample = bench_sample(500)
    assert sample
    declined = [path for path in sample if assert_same(path.read_bytes(), path.name) is None]
    assert declined == []


# --- 3. damaged files ---------------------------------------------------------------------------

RATED = replace_atom(
    M4A,
    NAM,
    atom(b"rate", data_atom(b"60"))
    + atom(
        b"----",
        atom(b"mean", b"\x00" * 4 + b"com.apple.iTunes")
        + atom(b"name", b"\x00" * 4 + b"RATE")
        + data_atom(b"80")
        + data_atom(b"\x50", 21),
    ),
    after=True,
)
SOURCES = [*FIXTURE_BYTES.values(), RATED]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    original = draw(st.sampled_from(SOURCES))
    if draw(st.booleans()):
        return original[: draw(st.integers(0, len(original) - 1))]
    data = bytearray(original)
    moov_at = find_atom(original, (b"moov",))[0]
    for _ in range(draw(st.integers(1, 6))):
        # mostly inside moov, where the reader looks; sometimes anywhere
        low = draw(st.sampled_from([0, moov_at, moov_at]))
        position = draw(st.integers(low, len(data) - 1))
        data[position] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=damaged())
def test_damaged_files_decline_or_read_like_mutagen(data: bytes) -> None:
    assert_same(data)


def test_rated_source_is_read() -> None:
    lean = assert_same(RATED)
    assert lean is not None
    assert [r.dialect for r in mp4.readings(lean, None)] == [
        "mp4:rate",
        "mp4:itunes_rate",
        "mp4:itunes_rate",
    ]


# --- the codec: sample descriptions mutagen's descriptor parser reads ---------------------------


def pack_bits(*fields: tuple[int, int]) -> bytes:
    """(value, bit count) fields, most significant first, zero-padded to whole bytes."""
    value = bits = 0
    for field, count in fields:
        value, bits = (value << count) | field, bits + count
    pad = -bits % 8
    return (value << pad).to_bytes((bits + pad) // 8, "big")


def descriptor(tag: int, body: bytes) -> bytes:
    return bytes([tag, 0x80, 0x80, 0x80, len(body)]) + body


def with_esds(
    dsi: bytes | None,
    *,
    object_type: int = 0x40,
    es_flags: int = 0,
    es_extra: bytes = b"",
    entry: bytes = b"mp4a",
) -> bytes:
    config = bytes([object_type, 0x15, 0, 0, 0]) + b"\x00\x00\x2f\x89" * 2
    if dsi is not None:
        config += descriptor(0x05, dsi)
    es = descriptor(0x03, b"\x00\x01" + bytes([es_flags]) + es_extra + descriptor(0x04, config))
    esds = atom(b"esds", b"\x00\x00\x00\x00" + es + descriptor(0x06, b"\x02"))
    fields = b"\x00" * 6 + b"\x00\x01" + b"\x00" * 8 + b"\x00\x01\x00\x10" + b"\x00" * 4
    sample_entry = atom(entry, fields + b"\x1f\x40\x00\x00" + esds)
    stsd = atom(b"stsd", b"\x00\x00\x00\x00\x00\x00\x00\x01" + sample_entry)
    return replace_atom(M4A, STSD, stsd)


AAC_LC = pack_bits((2, 5), (11, 4), (1, 4), (0, 3))
CODECS: dict[str, tuple[bytes, str | None]] = {
    "aac_lc": (with_esds(AAC_LC), "mp4a.40.2"),
    "aac_lc_sbr_signalled": (
        with_esds(pack_bits((2, 5), (8, 4), (1, 4), (0, 3), (0x2B7, 11), (5, 5), (1, 1), (5, 4))),
        "mp4a.40.2",
    ),
    "he_aac_explicit": (
        with_esds(pack_bits((5, 5), (8, 4), (2, 4), (5, 4), (2, 5), (0, 3))),
        "mp4a.40.2",
    ),
    "he_aac_v2": (
        with_esds(pack_bits((29, 5), (8, 4), (1, 4), (5, 4), (2, 5), (0, 3))),
        "mp4a.40.2",
    ),
    "escaped_object_type": (with_esds(pack_bits((31, 5), (10, 6), (3, 4), (2, 4))), "mp4a.40.42"),
    "er_aac_ld": (
        with_esds(pack_bits((23, 5), (3, 4), (2, 4), (0, 1), (0, 1), (1, 1), (0, 1))),
        "mp4a.40.23",
    ),
    "aac_main_frequency_escape": (
        with_esds(pack_bits((1, 5), (15, 4), (8000, 24), (1, 4))),
        "mp4a.40.1",
    ),
    "mp3_in_mp4": (with_esds(None, object_type=0x6B), "mp4a.6B"),
    "no_decoder_specific_info": (with_esds(None), "mp4a.40"),
    "es_flags_all_set": (
        with_esds(AAC_LC, es_flags=0xE0, es_extra=b"\x00\x02\x03abc\x00\x04"),
        "mp4a.40.2",
    ),
    "one_byte_specific_info": (with_esds(b"\x12"), None),
    "empty_specific_info": (with_esds(b""), "mp4a.40.0"),  # reads on into the next descriptor
    "ac3_entry": (with_esds(AAC_LC, entry=b"ac-3"), None),
}


@pytest.mark.parametrize("case", list(CODECS), ids=str)
def test_codecs_read_like_mutagen(case: str) -> None:
    data, codec = CODECS[case]
    lean = assert_same(data)
    if codec is not None:
        assert lean is not None and lean.info.codec == codec


@st.composite
def damaged_sample_description(draw: st.DrawFn) -> bytes:
    original = draw(st.sampled_from([*FIXTURE_BYTES.values(), *(d for d, _c in CODECS.values())]))
    offset, size, _ancestors = find_atom(original, STSD)
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(offset + 8, offset + size - 1))
        data[position] = draw(st.integers(0, 255))
    return bytes(data)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=damaged_sample_description())
def test_damaged_sample_descriptions_decline_or_read_like_mutagen(data: bytes) -> None:
    assert_same(data)
