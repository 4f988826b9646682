"""The lean MP3 reader against mutagen, through the real ID3 family functions."""

from __future__ import annotations

import dataclasses
import io
import os
import random
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3, POPM, TALB, TIT2, TPE1, TPOS, TRCK, TXXX, UFID
from mutagen.mp3 import MP3

from app.adapters.tags import id3
from app.adapters.tags.formats import KINDS, format_of
from app.adapters.tags.lean_id3 import read_lean
from app.domain.ratings.dialects import POPM_EMAILS
from app.domain.ratings.scales import TextScale
from tests.adapters.tags_support import FIXTURES

MP3_KIND = next(kind for kind in KINDS if kind.format == "mp3")
BASES = ("mp3.mp3", "mp3_v23.mp3")
BENCH_MUSIC = Path("/dev/shm/crossfade-bench/ratings-v2-n20000/music")
DURATION_TOLERANCE_S = 0.001


def lean_of_bytes(data: bytes) -> Any:
    return read_lean(io.BytesIO(data), len(data))


def lean_of(path: Path) -> Any:
    with path.open("rb") as handle:
        return read_lean(handle, os.fstat(handle.fileno()).st_size)


def assert_same(lean: Any, audio: Any, name: str = "x.mp3") -> None:
    for scale in (None, TextScale.STARS5, TextScale.PERCENT):
        assert id3.readings(lean, scale) == id3.readings(audio, scale)
    lean_meta, mutagen_meta = id3.meta(lean), id3.meta(audio)
    assert dataclasses.replace(lean_meta, duration_s=0.0) == dataclasses.replace(
        mutagen_meta, duration_s=0.0
    )
    assert lean_meta.duration_s is not None and mutagen_meta.duration_s is not None
    assert abs(lean_meta.duration_s - mutagen_meta.duration_s) <= DURATION_TOLERANCE_S
    empty = io.BytesIO()
    assert format_of(MP3_KIND, lean, empty, name) == format_of(MP3_KIND, audio, empty, name)


def assert_read_same(path: Path) -> None:
    lean = lean_of(path)
    assert lean is not None, f"declined {path}"
    assert_same(lean, MP3(path), path.name)


# --- files derived with mutagen --------------------------------------------------------------

Edit = Callable[[ID3], None]


def _popm_all(tags: ID3) -> None:
    for index, email in enumerate(POPM_EMAILS.values()):
        tags.add(POPM(email=email, rating=(index * 37) % 256, count=index))
    tags.add(POPM(email="Someone@Example.org", rating=255))
    tags.add(POPM(email="", rating=1))


def _txxx(desc: str, values: list[str], encoding: int = 3) -> Edit:
    return lambda tags: tags.add(TXXX(encoding=encoding, desc=desc, text=values))


def _text(frame: Any) -> Edit:
    return lambda tags: tags.add(frame)


def _clear(tags: ID3) -> None:
    tags.clear()


DERIVED: dict[str, list[Edit]] = {
    "popm_every_dialect": [_popm_all],
    "popm_zero": [_text(POPM(email="MusicBee", rating=0))],
    "fmps_unit": [_txxx("FMPS_Rating", ["0.8"])],
    "fmps_latin1": [_txxx("FMPS_Rating", ["0.4"], encoding=0)],
    "fmps_utf16": [_txxx("FMPS_Rating", ["1.0"], encoding=1)],
    "fmps_utf16be": [_txxx("FMPS_Rating", ["0.2"], encoding=2)],
    "rating_percent": [_txxx("RATING", ["80"])],
    "rating_stars": [_txxx("rating", ["4.5"])],
    "rating_multi": [_txxx("RATING", ["1", "3", "5"])],
    "rating_bad": [_txxx("RATING", ["loved"])],
    "all_dialects": [_popm_all, _txxx("FMPS_Rating", ["0.6"]), _txxx("RATING", ["3"])],
    "other_txxx": [_txxx("MusicBrainz Album Id", ["abc"]), _txxx("", ["x"])],
    "latin1": [_text(TIT2(encoding=0, text=["Ça été Übermäßig"]))],
    "utf16": [_text(TIT2(encoding=1, text=["Снег ☃ 雪 😀"]))],
    "utf16be": [_text(TPE1(encoding=2, text=["Björk 😀"]))],
    "utf8": [_text(TALB(encoding=3, text=["Ünïcödé ☃ 雪"]))],
    "multi_values": [_text(TPE1(encoding=3, text=["A", "B", "C"]))],
    "multi_utf16": [_text(TPE1(encoding=1, text=["Ä", "", "Ö"]))],
    "track_disc": [_text(TRCK(encoding=0, text=["7/12"])), _text(TPOS(encoding=0, text=["2"]))],
    "track_junk": [_text(TRCK(encoding=3, text=["x"])), _text(TPOS(encoding=3, text=[" 04 "]))],
    "musicbrainz": [
        _text(UFID(owner="http://musicbrainz.org", data=b"  0ecc9eac-19e2-5ea7-8032  ")),
        _text(UFID(owner="http://other.org", data=b"zzz")),
    ],
    "ufid_empty": [_text(UFID(owner="http://musicbrainz.org", data=b""))],
    "long_values": [
        _text(TIT2(encoding=3, text=["é" * 5000])),
        _text(TPE1(encoding=1, text=["ü" * 3000])),
        _txxx("RATING", ["5" * 300]),
    ],
    "empty_tag": [_clear],
}


def _derive(base: str, name: str, edits: list[Edit], v2_version: int, folder: Path) -> Path:
    target = folder / f"{Path(base).stem}-{name}-v2{v2_version}.mp3"
    shutil.copyfile(FIXTURES / base, target)
    tags = ID3(target)
    for edit in edits:
        edit(tags)
    tags.save(target, v2_version=v2_version)
    return target


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lean_id3")
    return {
        path.name: path
        for base in BASES
        for name, edits in DERIVED.items()
        for version in (3, 4)
        for path in [_derive(base, name, edits, version, folder)]
    }


@pytest.mark.parametrize("name", BASES)
def test_fixture_matches_mutagen(name: str) -> None:
    assert_read_same(FIXTURES / name)


def test_derived_files_match_mutagen(derived: dict[str, Path]) -> None:
    for path in derived.values():
        assert_read_same(path)


def test_every_dialect_is_read(derived: dict[str, Path]) -> None:
    lean = lean_of(derived["mp3-all_dialects-v24.mp3"])
    dialects = {reading.dialect for reading in id3.readings(lean, None)}
    assert {"popm:musicbee", "popm:plex", "txxx:fmps_rating", "txxx:rating"} <= dialects


def test_file_without_any_tag(tmp_path: Path) -> None:
    path = tmp_path / "bare.mp3"
    shutil.copyfile(FIXTURES / "mp3.mp3", path)
    ID3(path).delete(path)
    assert path.read_bytes()[:1] == b"\xff"
    lean = lean_of(path)
    assert lean is not None and lean.tags is None
    assert_same(lean, MP3(path))


# --- MPEG streams with and without a Xing/LAME header, made by ffmpeg --------------------------


def _encode(folder: Path, name: str, args: list[str]) -> Path:
    target = folder / name
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1.3",
         *args, "-c:a", "libmp3lame", str(target)],
        check=True,
    )  # fmt: skip
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Encoded"]))
    tags.add(POPM(email="Plex", rating=196))
    tags.save(target)
    return target


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    folder = tmp_path_factory.mktemp("lean_id3_encoded")
    cases = {
        "vbr_lame.mp3": ["-ar", "44100", "-ac", "2", "-q:a", "4"],
        "cbr_info.mp3": ["-ar", "48000", "-ac", "1", "-b:a", "128k"],
        "cbr_plain.mp3": ["-ar", "32000", "-ac", "2", "-b:a", "96k", "-write_xing", "0"],
        "mpeg2_vbr.mp3": ["-ar", "22050", "-ac", "1", "-q:a", "6"],
        "mpeg2_plain.mp3": ["-ar", "16000", "-ac", "2", "-b:a", "32k", "-write_xing", "0"],
    }
    paths = {name: _encode(folder, name, args) for name, args in cases.items()}
    vbr = paths["vbr_lame.mp3"].read_bytes()
    paths["vbr_lavc.mp3"] = folder / "vbr_lavc.mp3"
    paths["vbr_lavc.mp3"].write_bytes(vbr)
    for name, version, revision in LAME_VARIANTS:
        paths[name] = folder / name
        paths[name].write_bytes(_as_lame(vbr, version, revision))
    return paths


# ffmpeg writes its own name where LAME writes its version; these put LAME's there
LAME_VARIANTS = (
    ("vbr_lame.mp3", b"LAME3.100", 0),
    ("vbr_lame399.mp3", b"L3.99r\x00\x00\x00", 0),
    ("vbr_lame_rev1.mp3", b"LAME3.100", 1),
    ("vbr_lame_old.mp3", b"LAME3.89 ", 0),
)


def _as_lame(data: bytes, version: bytes, revision: int) -> bytes:
    at = data.index(b"Lavc")
    patched = bytearray(data)
    patched[at : at + 9] = version
    patched[at + 9] = (revision << 4) | (patched[at + 9] & 0x0F)
    return bytes(patched)


def test_encoded_streams_match_mutagen(encoded: dict[str, Path]) -> None:
    for path in encoded.values():
        assert_read_same(path)


def test_lame_delay_and_padding_are_taken_off(encoded: dict[str, Path]) -> None:
    audio = MP3(encoded["vbr_lame.mp3"])
    assert audio.info.encoder_info.startswith("LAME")
    assert lean_of(encoded["vbr_lame.mp3"]).info.length == audio.info.length


# --- raw tags, for what mutagen's writer never produces --------------------------------------


def _audio_of(base: str = "mp3.mp3") -> bytes:
    data = (FIXTURES / base).read_bytes()
    return data[MP3(FIXTURES / base).tags.size :]


def _syncsafe(size: int) -> bytes:
    return bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))


def _frame(name: bytes, payload: bytes, *, flags: int = 0, v24: bool = True) -> bytes:
    size = _syncsafe(len(payload)) if v24 else struct.pack(">L", len(payload))
    return name + size + struct.pack(">H", flags) + payload


def _tag(frames: list[bytes], *, major: int = 4, flags: int = 0, padding: int = 16) -> bytes:
    body = b"".join(frames) + bytes(padding)
    return b"ID3" + bytes((major, 0, flags)) + _syncsafe(len(body)) + body


def _file(frames: list[bytes], **kwargs: Any) -> bytes:
    return _tag(frames, **kwargs) + _audio_of()


TIT2_A = _frame(b"TIT2", b"\x03A\x00")
TIT2_B = _frame(b"TIT2", b"\x03B\x00")
POPM_LOW = _frame(b"POPM", b"Plex\x00\x20")
POPM_HIGH = _frame(b"POPM", b"Plex\x00\xff\x00\x00\x00\x07")

MATCHING_RAW: dict[str, bytes] = {
    "repeated_text_frames_merge": _file([TIT2_A, TIT2_B, TIT2_A]),
    "repeated_popm_last_wins": _file([POPM_LOW, TIT2_A, POPM_HIGH]),
    "repeated_txxx_merge": _file(
        [_frame(b"TXXX", b"\x00RATING\x002\x00"), _frame(b"TXXX", b"\x00RATING\x004")]
    ),
    "unterminated_values": _file([_frame(b"TPE1", b"\x00one\x00two"), _frame(b"TALB", b"\x03x")]),
    "trailing_nuls_v24": _file([_frame(b"TPE1", b"\x00one\x00\x00\x00")]),
    "trailing_nuls_v23": _file([_frame(b"TPE1", b"\x00one\x00\x00\x00", v24=False)], major=3),
    "utf16_empty_without_bom": _file([_frame(b"TPE1", b"\x01\x00\x00\xff\xfeA\x00\x00\x00")]),
    "utf16_unterminated": _file([_frame(b"TIT2", b"\x01\xfe\xff\x00A\x00B")]),
    "unknown_and_empty_frames": _file(
        [_frame(b"XYZ1", b"junk"), _frame(b"TIT2", b""), _frame(b"COMM", b"\x00eng\x00c"), TIT2_A]
    ),
    "no_padding": _file([TIT2_A], padding=0),
    "large_frame_syncsafe": _file([_frame(b"APIC", b"\x00image/png\x00\x03\x00" + bytes(3000))]),
}


@pytest.mark.parametrize("name", sorted(MATCHING_RAW))
def test_raw_tags_match_mutagen(name: str) -> None:
    data = MATCHING_RAW[name]
    lean = lean_of_bytes(data)
    assert lean is not None
    assert_same(lean, MP3(io.BytesIO(data)))


def test_repeats_follow_mutagen() -> None:
    merged = lean_of_bytes(MATCHING_RAW["repeated_text_frames_merge"])
    assert merged.tags["TIT2"].text == ["A", "B"]
    popm = lean_of_bytes(MATCHING_RAW["repeated_popm_last_wins"])
    assert [frame.FrameID for frame in popm.tags.values()] == ["POPM", "TIT2"]
    assert popm.tags["POPM:Plex"].rating == 255


def _itunes_sizes() -> bytes:
    payload = b"\x00" + b"x" * 200 + b"\x00"
    frames = [
        b"TIT2" + struct.pack(">LH", len(payload), 0) + payload,
        b"TPE1" + struct.pack(">LH", 2, 0) + b"\x00y",
    ]
    return _file(frames, padding=0)


def _with_id3v1(data: bytes) -> bytes:
    return data + b"TAG" + b"v1 title".ljust(30, b"\x00") + bytes(94) + b"\x0c"


def _vbri_stream() -> bytes:
    audio = bytearray(_audio_of())
    assert audio[13:17] in (b"Xing", b"Info")  # MPEG 2.5 mono: the Xing header is at 13
    audio[13:17] = b"None"
    audio[36:40] = b"VBRI"
    return _tag([TIT2_A]) + bytes(audio)


MUST_DECLINE: dict[str, bytes] = {
    "v2.2": b"ID3\x02\x00\x00" + _syncsafe(20) + b"TT2\x00\x00\x03\x00AB" + bytes(11) + _audio_of(),
    "v2.5": _file([TIT2_A], major=5),
    "tag_unsynchronisation": _file([TIT2_A], flags=0x80),
    "extended_header": _file([TIT2_A], flags=0x40),
    "experimental": _file([TIT2_A], flags=0x20),
    "footer": _file([TIT2_A], flags=0x10),
    "frame_compressed": _file([_frame(b"TIT2", b"\x03A\x00", flags=0x0008)]),
    "frame_encrypted": _file([_frame(b"TIT2", b"\x03A\x00", flags=0x0004)]),
    "frame_unsynchronised": _file([_frame(b"TIT2", b"\x03A\x00", flags=0x0002)]),
    "frame_data_length": _file([_frame(b"TIT2", b"\x00\x00\x00\x03\x03A\x00", flags=0x0001)]),
    "frame_grouping_v23": _file([_frame(b"TIT2", b"\x01\x03A", flags=0x0020, v24=False)], major=3),
    "v22_name_in_v24": _file([_frame(b"TT2\x00", b"\x03A\x00")]),
    "itunes_plain_sizes": _itunes_sizes(),
    "frame_past_tag": _tag([TIT2_A[:-1]], padding=0)[:-2] + _audio_of(),
    "tag_size_not_syncsafe": b"ID3\x04\x00\x00\x00\x00\x00\x80" + bytes(128) + _audio_of(),
    "tag_longer_than_file": _tag([TIT2_A], padding=5000)[:200],
    "id3v1_trailer": _with_id3v1(_file([TIT2_A])),
    "stacked_id3v2": _tag([TIT2_A]) + _tag([TIT2_B]) + _audio_of(),
    "audio_not_at_tag_end": _tag([TIT2_A]) + b"\x00junk" + _audio_of(),
    "vbri_header": _vbri_stream(),
    "utf16_without_bom": _file([_frame(b"TIT2", b"\x01A\x00B\x00\x00\x00")]),
    "utf16_odd_length": _file([_frame(b"TIT2", b"\x01\xff\xfeA\x00B")]),
    "utf16_lone_surrogate": _file([_frame(b"TIT2", b"\x01\xff\xfe\x00\xd8A\x00\x00\x00")]),
    "bad_utf8": _file([_frame(b"TIT2", b"\x03\xff\xfe\x00")]),
    "bad_encoding_byte": _file([_frame(b"TIT2", b"\x07A\x00")]),
    "encoding_byte_only": _file([_frame(b"TIT2", b"\x03")]),
    "popm_without_rating": _file([_frame(b"POPM", b"Plex\x00")]),
    "txxx_without_value": _file([_frame(b"TXXX", b"\x00RATING\x00")]),
    "unchecked_known_frame": _file([_frame(b"RVA2", b"track\x00\x01\x00\x00\x00"), TIT2_A]),
    "tag_only": _tag([TIT2_A]),
    "layer_ii_stream": _tag([TIT2_A]) + b"\xff\xfd\x90\x00" + bytes(2000),
    "empty_file": b"",
    "tiny_id3": b"ID3\x04",
}


@pytest.mark.parametrize("name", sorted(MUST_DECLINE))
def test_declines(name: str) -> None:
    assert lean_of_bytes(MUST_DECLINE[name]) is None


def test_declines_a_short_read() -> None:
    data = _file([TIT2_A])
    assert read_lean(io.BytesIO(data), len(data) + 100) is None


# --- the benchmark library -------------------------------------------------------------------


def test_bench_library_sample_matches_mutagen() -> None:
    if not BENCH_MUSIC.is_dir():
        pytest.skip("no benchmark library")
    paths = sorted(BENCH_MUSIC.glob("*/*/*.mp3"))
    if not paths:
        pytest.skip("no MP3s in the benchmark library")
    for path in random.Random(7).sample(paths, min(500, len(paths))):
        assert_read_same(path)


# --- damaged files ---------------------------------------------------------------------------


def _seed_files() -> list[bytes]:
    raw = [MATCHING_RAW[name] for name in ("repeated_txxx_merge", "utf16_empty_without_bom")]
    frames = [
        POPM_HIGH,
        _frame(b"TXXX", b"\x01\xff\xfeR\x00A\x00T\x00I\x00N\x00G\x00\x00\x00\xff\xfe4\x00"),
        _frame(b"UFID", b"http://musicbrainz.org\x00abc"),
        _frame(b"TRCK", b"\x003/12\x00"),
    ]
    return [(FIXTURES / base).read_bytes() for base in BASES] + raw + [_file(frames, padding=4)]


SEEDS = _seed_files()


def _damage(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    if draw(st.booleans()):
        return bytes(data[: draw(st.integers(0, len(data)))])
    hot = draw(st.booleans())  # mostly flip bits in the tag and the first frame headers
    for _ in range(draw(st.integers(1, 4))):
        limit = min(len(data), 1600) if hot else len(data)
        data[draw(st.integers(0, limit - 1))] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


damaged = st.composite(_damage)


def _mutagen_or_none(data: bytes) -> Any:
    try:
        return MP3(io.BytesIO(data))
    except Exception:
        return None


@settings(derandomize=True, max_examples=300, deadline=None)
@given(data=damaged())
def test_damaged_files_decline_or_match(data: bytes) -> None:
    lean = lean_of_bytes(data)
    audio = _mutagen_or_none(data)
    if audio is None:
        assert lean is None
    elif lean is not None:
        assert_same(lean, audio)
