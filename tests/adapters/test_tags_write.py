"""Writing: every dialect x every value on real files, profiles, preservation, hardlinks, errors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import mutagen
import pytest
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, COMM, ID3, POPM, TXXX
from mutagen.mp4 import MP4, MP4Cover

from app.adapters.tags import FileTags, WriteOptions, read_file, write_rating
from app.domain.errors import (
    EmptyFile,
    FileVanished,
    HardlinkSkipped,
    UnsupportedFormat,
)
from app.domain.ratings.dialects import TagReading
from app.domain.ratings.profiles import WriteProfile, custom_profile, preset
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import (
    ALL_FIXTURES,
    Fixture,
    audio_fingerprint,
    by_family,
    copy_fixture,
    run_as_other_user,
)

R = Rating
WRITE = WriteOptions()

DIALECTS_BY_FAMILY: dict[str, list[str]] = {
    "id3": [
        "popm:musicbee", "popm:mediamonkey", "popm:plex", "popm:windows", "popm:winamp",
        "popm:picard", "popm:quodlibet", "popm:someone@example.org",
        "txxx:fmps_rating", "txxx:rating",
    ],
    "vorbis": [
        "vorbis:rating", "vorbis:fmps_rating", "vorbis:rating:quodlibet@lists.sacredchao.net",
        "vorbis:rating:users@musicbrainz.org",
    ],
    "mp4": ["mp4:itunes_rate", "mp4:itunes_rating", "mp4:rate"],
    "asf": ["asf:shareduserrating"],
    "ape": ["ape:rating"],
}  # fmt: skip
WHOLE_STAR_DIALECTS = {"popm:picard", "asf:shareduserrating"}
DETECTED_DIALECTS = {"txxx:rating", "vorbis:rating", "ape:rating"} | set(DIALECTS_BY_FAMILY["mp4"])

CASES = [
    (fixture, dialect_id)
    for fixture in ALL_FIXTURES
    for dialect_id in DIALECTS_BY_FAMILY[fixture.family]
]


def expected_readback(dialect_id: str, half_stars: int, pinned: TextScale | None) -> Rating:
    if dialect_id in WHOLE_STAR_DIALECTS:
        return R(half_stars + half_stars % 2)  # whole stars: halves round up
    if dialect_id in DETECTED_DIALECTS and pinned is None:
        return R(max(half_stars, 2))  # unpinned ½★ "10" would read as tenths: stored as 1★
    return R(half_stars)


def ratings_in(tags: FileTags, dialect_id: str) -> list[Rating | None]:
    return [r.rating for r in tags.tags if r.dialect == dialect_id]


@pytest.mark.parametrize(("fixture", "dialect_id"), CASES, ids=lambda c: getattr(c, "name", c))
def test_every_dialect_every_value_reads_back(
    fixture: Fixture, dialect_id: str, tmp_path: Path
) -> None:
    path = copy_fixture(fixture, tmp_path)
    profile = custom_profile("one", [dialect_id], mode="replace_all")
    pins: list[TextScale | None] = [None]
    if dialect_id in DETECTED_DIALECTS:
        pins.append(TextScale.PERCENT)
    audio_before = audio_fingerprint(path)
    for pinned in pins:
        for half_stars in range(1, 11):
            expected = expected_readback(dialect_id, half_stars, pinned)
            outcome = write_rating(path, R(half_stars), profile, options=WRITE, pinned_scale=pinned)
            assert [r.rating for r in outcome.tags if r.dialect == dialect_id] == [expected]
            assert outcome.lossy == (expected != R(half_stars))
            assert ratings_in(read_file(path, pinned_scale=pinned), dialect_id) == [expected]
    assert audio_fingerprint(path) == audio_before
    assert read_file(path).meta.title == "Fixture Tone"


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_clear_removes_the_managed_tags(fixture: Fixture, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path)
    write_rating(path, R(8), preset("everything"), options=WRITE)
    assert {r.rating for r in read_file(path).tags} == {R(8)}
    outcome = write_rating(path, None, preset("everything"), options=WRITE)
    assert outcome.changed
    assert read_file(path).tags == ()
    assert write_rating(path, None, preset("everything"), options=WRITE).method == "unchanged"


# --- preservation -----------------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfab0000000049454e44ae426082"
)


def _frames_without_ratings(path: Path) -> dict[str, bytes]:
    tags = ID3(path, translate=False)
    return {
        key: repr(frame).encode()
        for key, frame in tags.items()
        if not key.startswith("POPM") and key.upper() not in {"TXXX:RATING", "TXXX:FMPS_RATING"}
    }


@pytest.mark.parametrize("fixture", ["mp3.mp3", "mp3_v23.mp3"])
@pytest.mark.parametrize("padding", [None, 0])
def test_id3_version_frames_cover_and_counter_are_kept(
    fixture: str, padding: int | None, tmp_path: Path
) -> None:
    path = copy_fixture(fixture, tmp_path)
    tags = ID3(path, translate=False)
    version = tags.version
    tags.add(APIC(encoding=0, mime="image/png", type=3, desc="cover", data=PNG))
    tags.add(COMM(encoding=1, lang="eng", desc="", text=["keep me"]))
    tags.add(POPM(email="Windows Media Player 9 Series", rating=64, count=42))
    tags.add(TXXX(encoding=1, desc="RATING", text=["2"]))
    tags.save(path, v2_version=version[1], padding=None if padding is None else (lambda _: 0))
    before = _frames_without_ratings(path)
    audio_before = audio_fingerprint(path)

    outcome = write_rating(path, R(9), preset("everything", "default_only"), options=WRITE)

    assert outcome.method == ("in_place" if padding is None else "rewrite")
    after = ID3(path, translate=False)
    assert after.version == version
    assert _frames_without_ratings(path) == before
    wmp = after["POPM:Windows Media Player 9 Series"]
    assert (wmp.rating, wmp.count) == (242, 42)
    assert after["POPM:MusicBee"].count == 0
    assert {(r.dialect, r.raw) for r in read_file(path).tags} == {
        ("popm:windows", "242"),
        ("popm:musicbee", "242"),
        ("txxx:fmps_rating", "0.9"),
        ("txxx:rating", "2"),  # not a default tag of the profile: left alone
    }
    assert audio_fingerprint(path) == audio_before


def test_clearing_popm_keeps_a_frame_with_a_play_counter(tmp_path: Path) -> None:
    path = copy_fixture("mp3.mp3", tmp_path)
    tags = ID3(path)
    tags.add(POPM(email="Windows Media Player 9 Series", rating=196, count=17))
    tags.add(POPM(email="MusicBee", rating=196, count=0))
    tags.save(path)
    write_rating(path, None, preset("windows"), options=WRITE)
    after = ID3(path)
    assert (
        after["POPM:Windows Media Player 9 Series"].rating,
        after["POPM:Windows Media Player 9 Series"].count,
    ) == (0, 17)
    assert "POPM:MusicBee" not in after
    assert read_file(path).tags == (TagReading("popm:windows", "0", None),)


def test_id3v1_tag_is_kept_byte_for_byte(tmp_path: Path) -> None:
    path = copy_fixture("mp3.mp3", tmp_path)
    v1 = b"TAG" + b"Old v1 title".ljust(30, b"\x00") + b"v1 artist".ljust(30, b" ")
    v1 = v1.ljust(127, b"\x00") + b"\x0c"
    path.write_bytes(path.read_bytes() + v1)
    for rating, padding in ((R(6), "fits"), (R(7), "fits")):
        write_rating(path, rating, preset("everything"), options=WRITE)
        assert path.read_bytes()[-128:] == v1, padding
    tags = ID3(path)
    tags.save(path, padding=lambda _: 0)  # mutagen's own save rewrites v1 from v2...
    path.write_bytes(path.read_bytes()[:-128] + v1)  # ...so put the original back
    adding = preset("foobar2000", "default_only")  # a new TXXX:RATING frame: no room for it
    assert write_rating(path, R(2), adding, options=WRITE).method == "rewrite"
    assert path.read_bytes()[-128:] == v1
    assert read_file(path).meta.title == "Fixture Tone"


@pytest.mark.parametrize("fixture", ["flac.flac", "ogg_vorbis.ogg", "opus.opus", "speex.spx"])
def test_vorbis_other_fields_and_their_order_are_kept(fixture: str, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path)
    audio = mutagen.File(path)
    audio.tags.append(("Rating", "2"))
    audio.tags.append(("COMMENT", "after the rating"))
    audio.tags.append(("rating", "3"))
    audio.save()
    before = [pair for pair in mutagen.File(path).tags if pair[0].lower() != "rating"]
    audio_before = audio_fingerprint(path)
    write_rating(path, R(7), preset("musicbee"), options=WRITE)
    after = list(mutagen.File(path).tags)
    assert [pair for pair in after if pair[0].lower() != "rating"] == before
    assert [pair for pair in after if pair[0].lower() == "rating"] == [("Rating", "70")]
    assert after.index(("Rating", "70")) < after.index(("COMMENT", "after the rating"))
    assert audio_fingerprint(path) == audio_before


def test_flac_picture_is_kept(tmp_path: Path) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    audio = FLAC(path)
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", PNG
    audio.add_picture(picture)
    audio.save(padding=lambda _: 0)
    assert write_rating(path, R(4), preset("everything"), options=WRITE).method == "rewrite"
    assert [p.data for p in FLAC(path).pictures] == [PNG]


@pytest.mark.parametrize("fixture", ["m4a.m4a", "m4b.m4b", "alac.m4a"])
def test_mp4_other_atoms_and_cover_are_kept(fixture: str, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path)
    audio = MP4(path)
    audio.tags["covr"] = [MP4Cover(PNG, imageformat=MP4Cover.FORMAT_PNG)]
    audio.tags["rtng"] = [1]
    audio.tags["rate"] = ["40"]
    audio.save()
    before = {k: v for k, v in MP4(path).tags.items() if k != "rate"}
    write_rating(path, R(9), preset("musicbee"), options=WRITE)
    after = MP4(path).tags
    assert {k: v for k, v in after.items() if k != "rate"} == before
    assert after["rate"] == ["90"]
    assert after["rtng"] == [1]


def test_other_wma_and_ape_fields_are_kept(tmp_path: Path) -> None:
    wma = copy_fixture("wma.wma", tmp_path)
    before = dict(ASF(wma).tags.items())
    write_rating(wma, R(6), preset("musicbee"), options=WRITE)
    after = dict(ASF(wma).tags.items())
    assert after.pop("WM/SharedUserRating") == [50]
    assert after == before
    ape = copy_fixture("wavpack.wv", tmp_path)
    before_ape = dict(APEv2(ape).items())
    write_rating(ape, R(6), preset("musicbee"), options=WRITE)
    after_ape = dict(APEv2(ape).items())
    assert str(after_ape.pop("Rating")) == "60"
    assert {k: str(v) for k, v in after_ape.items()} == {k: str(v) for k, v in before_ape.items()}


@pytest.mark.parametrize("padding", ["fits", "rewrite"])
def test_mode_owner_and_mtime(padding: str, tmp_path: Path) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    if padding == "rewrite":
        audio = FLAC(path)
        audio.save(padding=lambda _: 0)
    path.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 2345)
    old = 1_500_000_000_000_000_000
    os.utime(path, ns=(old, old))
    kept = WriteOptions(preserve_mtime=True)
    outcome = write_rating(path, R(5), preset("musicbee"), options=kept)
    assert outcome.method == ("in_place" if padding == "fits" else "rewrite")
    info = path.stat()
    assert info.st_mode & 0o7777 == 0o640
    assert info.st_mtime_ns == old == outcome.mtime_ns
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (1234, 2345)
    write_rating(path, R(6), preset("musicbee"), options=WRITE)
    assert path.stat().st_mtime_ns > old


# --- how a write lands ------------------------------------------------------------------------


def test_in_place_when_it_fits_rewrite_when_not(tmp_path: Path) -> None:
    path = copy_fixture("mp3.mp3", tmp_path)
    ID3(path).save(path, padding=lambda _: 0)
    inode = path.stat().st_ino
    outcome = write_rating(path, R(8), preset("windows"), options=WRITE)
    assert outcome.method == "rewrite"
    assert path.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mp3.mp3"]  # no temp file left
    inode = path.stat().st_ino
    assert write_rating(path, R(4), preset("windows"), options=WRITE).method == "in_place"
    assert path.stat().st_ino == inode
    assert write_rating(path, R(4), preset("windows"), options=WRITE).method == "unchanged"
    assert outcome.size_bytes == path.stat().st_size


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_dry_run_writes_nothing(fixture: Fixture, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    outcome = write_rating(path, R(7), preset("everything"), options=WriteOptions(dry_run=True))
    assert outcome.method == "dry_run"
    assert outcome.changes
    assert {r.rating for r in outcome.tags} <= {R(7), R(8)}
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_dry_run_needs_no_write_permission(tmp_path: Path) -> None:
    path = copy_fixture("ogg_vorbis.ogg", tmp_path)
    path.chmod(0o444)
    outcome = write_rating(path, R(3), preset("fmps"), options=WriteOptions(dry_run=True))
    assert [(c.dialect, c.after) for c in outcome.changes] == [("vorbis:fmps_rating", "0.3")]


# --- profiles on real files -------------------------------------------------------------------


def _file_with_wmp_and_txxx(tmp_path: Path) -> Path:
    path = copy_fixture("mp3.mp3", tmp_path)
    tags = ID3(path)
    tags.add(POPM(email="Windows Media Player 9 Series", rating=196, count=5))
    tags.add(TXXX(encoding=3, desc="RATING", text=["4"]))
    tags.save(path)
    return path


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("update_existing", {("popm:windows", "128"), ("txxx:rating", "60")}),
        ("default_only", {("popm:windows", "196"), ("txxx:rating", "4"), ("popm:musicbee", "128")}),
        ("replace_all", {("popm:windows", "0"), ("popm:musicbee", "128")}),
    ],
)
def test_write_modes(mode: str, expected: set[tuple[str, str]], tmp_path: Path) -> None:
    path = _file_with_wmp_and_txxx(tmp_path)
    write_rating(path, R(6), preset("musicbee", mode), options=WRITE)  # type: ignore[arg-type]
    assert {(r.dialect, r.raw) for r in read_file(path).tags} == expected
    assert ID3(path)["POPM:Windows Media Player 9 Series"].count == 5


# --- hardlinks -------------------------------------------------------------------------------


def _linked_pair(tmp_path: Path, *, fits: bool) -> tuple[Path, Path]:
    path = copy_fixture("ogg_vorbis.ogg", tmp_path, "seed.ogg")
    if not fits:
        audio = mutagen.File(path)
        audio.save(padding=lambda _: 0)
    other = tmp_path / "library.ogg"
    os.link(path, other)
    return path, other


def test_hardlinked_file_written_in_place_when_it_fits(tmp_path: Path) -> None:
    path, other = _linked_pair(tmp_path, fits=True)
    outcome = write_rating(path, R(8), preset("musicbee"), options=WRITE)
    assert outcome.method == "in_place"
    assert path.stat().st_nlink == 2
    assert ratings_in(read_file(other), "vorbis:rating") == [R(8)]


def test_hardlinked_file_skipped_when_a_rewrite_is_needed(tmp_path: Path) -> None:
    path, other = _linked_pair(tmp_path, fits=False)
    before = path.read_bytes()
    with pytest.raises(HardlinkSkipped) as caught:
        write_rating(path, R(8), preset("musicbee"), options=WRITE)
    assert caught.value.path == str(path)
    assert path.read_bytes() == before == other.read_bytes()
    assert path.stat().st_nlink == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.ogg", "seed.ogg"]


def test_hardlinked_file_skip_policy_skips_even_when_it_fits(tmp_path: Path) -> None:
    path, _other = _linked_pair(tmp_path, fits=True)
    with pytest.raises(HardlinkSkipped):
        write_rating(path, R(8), preset("musicbee"), options=WriteOptions(hardlinks="skip"))


def test_hardlinked_file_always_policy_keeps_the_link(tmp_path: Path) -> None:
    path, other = _linked_pair(tmp_path, fits=False)
    audio_before = audio_fingerprint(path)
    outcome = write_rating(path, R(8), preset("musicbee"), options=WriteOptions(hardlinks="always"))
    assert outcome.method == "rewrite_in_place"
    assert path.stat().st_nlink == 2
    assert path.stat().st_ino == other.stat().st_ino
    assert ratings_in(read_file(other), "vorbis:rating") == [R(8)]
    assert audio_fingerprint(other) == audio_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.ogg", "seed.ogg"]


# --- errors -----------------------------------------------------------------------------------


def test_write_errors_carry_the_path(tmp_path: Path) -> None:
    empty = tmp_path / "empty.flac"
    empty.touch()
    with pytest.raises(EmptyFile):
        write_rating(empty, R(2), preset("musicbee"), options=WRITE)
    with pytest.raises(FileVanished):
        write_rating(tmp_path / "gone.mp3", R(2), preset("musicbee"), options=WRITE)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(UnsupportedFormat) as caught:
        write_rating(text, R(2), preset("musicbee"), options=WRITE)
    assert caught.value.path == str(text)


def test_read_only_file_and_folder() -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        folder.chmod(0o755)
        read_only = copy_fixture("mp3.mp3", folder, "read_only.mp3")
        read_only.chmod(0o444)
        before = read_only.read_bytes()

        def write_read_only() -> None:
            write_rating(read_only, R(2), preset("musicbee"), options=WRITE)

        assert run_as_other_user(write_read_only) == "FileAccessDenied"
        assert read_only.read_bytes() == before

        # writable file in a folder we may not create files in: a rewrite cannot happen
        needs_rewrite = copy_fixture("mp3.mp3", folder, "rewrite.mp3")
        ID3(needs_rewrite).save(needs_rewrite, padding=lambda _: 0)
        needs_rewrite.chmod(0o666)

        def write_needing_a_temp_file() -> None:
            write_rating(needs_rewrite, R(2), preset("musicbee"), options=WRITE)

        expected = "FileAccessDenied" if os.geteuid() == 0 else "ok"
        assert run_as_other_user(write_needing_a_temp_file) == expected


def test_profiles_can_be_custom(tmp_path: Path) -> None:
    path = copy_fixture("mp3.mp3", tmp_path)
    profile = WriteProfile(
        "mine", id3=("popm:me@example.org", "txxx:rating"), text_scale=TextScale.STARS5
    )
    write_rating(path, R(7), profile, options=WRITE)
    assert {(r.dialect, r.raw) for r in read_file(path).tags} == {
        ("popm:me@example.org", "186"),
        ("txxx:rating", "3.5"),
    }
    assert "POPM:me@example.org" in ID3(path)


@pytest.mark.parametrize("fixture", by_family("id3"), ids=lambda f: f.name)
def test_id3_containers_without_a_tag_get_one(fixture: Fixture, tmp_path: Path) -> None:
    path = copy_fixture(fixture, tmp_path)
    audio = mutagen.File(path)
    audio.delete()
    assert mutagen.File(path).tags is None
    write_rating(path, R(10), preset("windows"), options=WRITE)
    tags = mutagen.File(path).tags
    assert tags.version == (2, 3, 0)
    assert tags["POPM:Windows Media Player 9 Series"].rating == 255
