"""Reading: every format by content, every dialect of docs/RATINGS.md from real files, typed
errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import mutagen
import pytest
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.id3 import ID3, POPM, TXXX
from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm

from app.adapters.tags import read_file
from app.domain.errors import (
    CorruptFile,
    EmptyFile,
    FileVanished,
    MediaFileError,
    UnsupportedFormat,
)
from app.domain.ratings.dialects import TagReading
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import ALL_FIXTURES, Fixture, copy_fixture, run_as_other_user

R = Rating


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_every_fixture_reads_with_metadata(fixture: Fixture) -> None:
    tags = read_file(fixture.path)
    assert tags.format == fixture.format
    assert tags.tags == ()
    meta = tags.meta
    assert (meta.title, meta.artist, meta.album, meta.album_artist) == (
        "Fixture Tone",
        "Crossfade Test",
        "Fixtures",
        "Crossfade",
    )
    assert (meta.track_number, meta.disc_number) == (3, 1)
    assert meta.duration_s is not None and meta.duration_s > 0
    assert meta.musicbrainz_recording_id is not None
    assert meta.musicbrainz_recording_id.startswith("6d3b2a1c-0000-4000-8000-")
    assert tags.size_bytes == fixture.path.stat().st_size
    assert tags.mtime_ns == fixture.path.stat().st_mtime_ns


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
@pytest.mark.parametrize("name", ["no_extension", "wrong.bin", "WRONG.FLAC", "wrong.mp3"])
def test_format_is_detected_by_content(fixture: Fixture, name: str, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path, name)
    assert read_file(path).format == fixture.format


@pytest.mark.parametrize("name", ["song.MP3", "song.Mp3", "opus_named.ogg", "x.OPUS"])
def test_extensions_are_case_insensitive_hints(name: str, tmp_path: Path) -> None:
    source = "opus.opus" if "opus" in name.lower() else "mp3.mp3"
    assert read_file(copy_fixture(source, tmp_path, name)).format in {"mp3", "opus"}


# --- ID3 -------------------------------------------------------------------------------------

WRITER_BYTES = [
    ("MusicBee", "popm:musicbee", [13, 1, 54, 64, 118, 128, 186, 196, 242, 255], range(1, 11)),
    ("no@email", "popm:mediamonkey", [13, 1, 54, 64, 118, 128, 186, 196, 242, 255], range(1, 11)),
    ("Plex", "popm:plex", [13, 1, 54, 64, 118, 128, 186, 196, 242, 255], range(1, 11)),
    ("Windows Media Player 9 Series", "popm:windows", [1, 64, 128, 196, 255], range(2, 11, 2)),
    ("rating@winamp.com", "popm:winamp", [1, 64, 128, 196, 255], range(2, 11, 2)),
    ("users@musicbrainz.org", "popm:picard", [51, 102, 153, 204, 255], range(2, 11, 2)),
    (
        "quodlibet@lists.sacredchao.net",
        "popm:quodlibet",
        [25, 51, 76, 102, 127, 153, 178, 204, 229, 255],
        range(1, 11),
    ),
]


def _with_id3(path: Path, *frames: object) -> Path:
    audio = mutagen.File(path)
    tags: ID3 = audio.tags
    for frame in frames:
        tags.add(frame)
    audio.save(v2_version=tags.version[1])
    return path


@pytest.mark.parametrize(("email", "dialect_id", "bytes_", "half_stars"), WRITER_BYTES)
def test_popm_writer_conventions_read_as_intended(
    email: str, dialect_id: str, bytes_: list[int], half_stars: range, tmp_path: Path
) -> None:
    for byte, expected in zip(bytes_, half_stars, strict=True):
        path = _with_id3(copy_fixture("mp3.mp3", tmp_path), POPM(email=email, rating=byte, count=7))
        assert read_file(path).tags == (TagReading(dialect_id, str(byte), R(expected)),)


def test_every_popm_frame_is_read_not_just_the_first(tmp_path: Path) -> None:
    path = _with_id3(
        copy_fixture("mp3_v23.mp3", tmp_path),
        POPM(email="Windows Media Player 9 Series", rating=196, count=3),
        POPM(email="MusicBee", rating=186, count=0),
        POPM(email="ME@Example.org", rating=0, count=12),
        POPM(email="MUSICBEE", rating=242, count=0),
    )
    readings = sorted((r.dialect, r.raw, r.rating) for r in read_file(path).tags)
    assert readings == [
        ("popm:me@example.org", "0", None),
        ("popm:musicbee", "186", R(7)),
        ("popm:musicbee", "242", R(9)),
        ("popm:windows", "196", R(8)),
    ]


@pytest.mark.parametrize(
    ("description", "value", "expected"),
    [
        ("FMPS_Rating", "0.7", TagReading("txxx:fmps_rating", "0.7", R(7), TextScale.UNIT)),
        ("fmps_rating", "1.0", TagReading("txxx:fmps_rating", "1.0", R(10), TextScale.UNIT)),
        ("RATING", "4", TagReading("txxx:rating", "4", R(8), TextScale.STARS5)),
        ("Rating", "80", TagReading("txxx:rating", "80", R(8), TextScale.PERCENT)),
        ("RATING", "great", TagReading("txxx:rating", "great", None, None, valid=False)),
    ],
)
def test_txxx_rating_frames(
    description: str, value: str, expected: TagReading, tmp_path: Path
) -> None:
    path = _with_id3(copy_fixture("mp3.mp3", tmp_path), TXXX(3, description, [value]))
    assert read_file(path).tags == (expected,)


def test_txxx_fmps_rating_user_and_others_are_not_ratings(tmp_path: Path) -> None:
    path = _with_id3(
        copy_fixture("mp3.mp3", tmp_path),
        TXXX(3, "FMPS_Rating_User", ["Alice:0.8"]),
        TXXX(3, "FMPS_Playcount", ["3"]),
    )
    assert read_file(path).tags == ()


def test_pinned_scale_applies_to_txxx_rating_only(tmp_path: Path) -> None:
    path = _with_id3(
        copy_fixture("wav.wav", tmp_path),
        TXXX(3, "RATING", ["4"]),
        TXXX(3, "FMPS_Rating", ["0.4"]),
    )
    readings = {r.dialect: r.rating for r in read_file(path, pinned_scale=TextScale.PERCENT).tags}
    assert readings == {"txxx:rating": R(1), "txxx:fmps_rating": R(4)}


# --- Vorbis comments ------------------------------------------------------------------------


def _with_comments(path: Path, *pairs: tuple[str, str]) -> Path:
    audio = mutagen.File(path)
    for key, value in pairs:
        audio.tags.append((key, value))
    audio.save()
    return path


@pytest.mark.parametrize("fixture", ["flac.flac", "ogg_vorbis.ogg", "opus.opus", "speex.spx"])
def test_vorbis_rating_without_a_pinned_scale(fixture: str, tmp_path: Path) -> None:
    """docs/RATINGS.md: 1..5 is stars ("4" = 4★), 10..100 percent ("80" = 4★)."""
    path = _with_comments(copy_fixture(fixture, tmp_path), ("RATING", "4"))
    assert read_file(path).tags == (TagReading("vorbis:rating", "4", R(8), TextScale.STARS5),)
    path = _with_comments(copy_fixture(fixture, tmp_path), ("RATING", "80"))
    assert read_file(path).tags == (TagReading("vorbis:rating", "80", R(8), TextScale.PERCENT),)


def test_vorbis_fields_are_case_insensitive_and_may_repeat(tmp_path: Path) -> None:
    path = _with_comments(
        copy_fixture("flac.flac", tmp_path),
        ("rating", "60"),
        ("Rating", " 4,5 "),
        ("fmps_rating", "0.35"),
        ("RATING:quodlibet@lists.sacredchao.net", "0.8"),
        ("Rating:Users@MusicBrainz.org", "1.0"),
        ("RATINGS", "5"),
    )
    assert read_file(path).tags == (
        TagReading("vorbis:rating", "60", R(6), TextScale.PERCENT),
        TagReading("vorbis:rating", " 4,5 ", R(9), TextScale.STARS5),
        TagReading("vorbis:fmps_rating", "0.35", R(4), TextScale.UNIT),
        TagReading("vorbis:rating:quodlibet@lists.sacredchao.net", "0.8", R(8), TextScale.UNIT),
        TagReading("vorbis:rating:users@musicbrainz.org", "1.0", R(10), TextScale.UNIT),
    )


def test_vorbis_pinned_scale(tmp_path: Path) -> None:
    path = _with_comments(copy_fixture("opus.opus", tmp_path), ("RATING", "4"))
    (reading,) = read_file(path, pinned_scale=TextScale.TENTHS).tags
    assert (reading.rating, reading.scale) == (R(4), TextScale.TENTHS)


# --- MP4 ------------------------------------------------------------------------------------


def _with_atoms(path: Path, atoms: dict[str, list[object]]) -> Path:
    audio = MP4(path)
    for key, value in atoms.items():
        audio.tags[key] = value
    audio.save()
    return path


@pytest.mark.parametrize("fixture", ["m4a.m4a", "m4b.m4b", "alac.m4a"])
def test_mp4_all_three_rating_atoms_and_never_rtng(fixture: str, tmp_path: Path) -> None:
    path = _with_atoms(
        copy_fixture(fixture, tmp_path),
        {
            "rate": ["80"],
            "----:com.apple.iTunes:RATE": [MP4FreeForm(b"60")],
            "----:com.apple.iTunes:RATING": [MP4FreeForm(b"100")],
            "rtng": [4],  # content advisory: never a rating
            "----:com.apple.iTunes:FMPS_Rating_Amarok_Score": [MP4FreeForm(b"0.5")],
        },
    )
    readings = sorted((r.dialect, r.raw, r.rating) for r in read_file(path).tags)
    assert readings == [
        ("mp4:itunes_rate", "60", R(6)),
        ("mp4:itunes_rating", "100", R(10)),
        ("mp4:rate", "80", R(8)),
    ]


def test_mp4_freeform_names_case_insensitive_and_integer_atoms(tmp_path: Path) -> None:
    path = _with_atoms(
        copy_fixture("m4a.m4a", tmp_path),
        {"----:com.apple.itunes:rate": [MP4FreeForm(b"\x00\x3c", AtomDataType.INTEGER)]},
    )
    assert read_file(path).tags == (TagReading("mp4:itunes_rate", "60", R(6), TextScale.PERCENT),)


# --- ASF and APEv2 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "half_stars"), [(1, 2), (25, 4), (50, 6), (75, 8), (99, 10)])
def test_wma_shared_user_rating(value: int, half_stars: int, tmp_path: Path) -> None:
    path = copy_fixture("wma.wma", tmp_path)
    audio = ASF(path)
    audio.tags["WM/SharedUserRating"] = [value]
    audio.save()
    assert read_file(path).tags == (TagReading("asf:shareduserrating", str(value), R(half_stars)),)


@pytest.mark.parametrize("fixture", ["ape.ape", "wavpack.wv", "musepack.mpc"])
def test_apev2_rating(fixture: str, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path)
    tags = APEv2(path)
    tags["Rating"] = "60"
    tags.save(path)
    assert read_file(path).tags == (TagReading("ape:rating", "60", R(6), TextScale.PERCENT),)


# --- errors -----------------------------------------------------------------------------------


def _raises(error: type[MediaFileError], path: Path) -> None:
    with pytest.raises(error) as caught:
        read_file(path)
    assert caught.value.path == str(path)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp3"
    path.touch()
    _raises(EmptyFile, path)


def test_vanished_file(tmp_path: Path) -> None:
    _raises(FileVanished, tmp_path / "gone.flac")
    _raises(FileVanished, tmp_path / "no_folder" / "gone.flac")


def test_not_audio(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not audio at all\n")
    _raises(UnsupportedFormat, tmp_path / "notes.txt")
    (tmp_path / "folder.mp3").mkdir()
    _raises(UnsupportedFormat, tmp_path / "folder.mp3")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp3"
    os.mkfifo(fifo)
    _raises(UnsupportedFormat, fifo)


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("random.mp3", lambda data: os.urandom(64)),
        ("flac.flac", lambda data: data[:60]),
        ("m4a.m4a", lambda data: data[:40]),
        ("ogg_vorbis.ogg", lambda data: data[:100]),
        ("wma.wma", lambda data: data[:50]),
        ("ape.ape", lambda data: data[:30]),
        ("dsf.dsf", lambda data: data[:70]),
    ],
)
def test_corrupt_files(name: str, damage: Callable[[bytes], bytes], tmp_path: Path) -> None:
    source = "mp3.mp3" if name == "random.mp3" else name
    path = tmp_path / name
    path.write_bytes(damage((tmp_path / copy_fixture(source, tmp_path).name).read_bytes()))
    with pytest.raises((CorruptFile, UnsupportedFormat)) as caught:
        read_file(path)
    assert caught.value.path == str(path)


def test_permission_denied(tmp_path: Path) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    path.chmod(0o000)
    assert run_as_other_user(lambda: read_file(path)) == "FileAccessDenied"


def test_non_utf8_file_name(tmp_path: Path) -> None:
    raw_name = os.fsencode(tmp_path) + b"/caf\xe9 \xff.mp3"
    name = os.fsdecode(raw_name)
    Path(name).write_bytes((copy_fixture("mp3.mp3", tmp_path)).read_bytes())
    tags = read_file(name)
    assert tags.path == name
    assert tags.format == "mp3"
    assert read_file(raw_name.decode("utf-8", "surrogateescape")).meta.title == "Fixture Tone"
