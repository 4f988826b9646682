"""The folder survey: counts per format, dialect and detected text scale; bad files counted."""

from __future__ import annotations

from pathlib import Path

import mutagen
import pytest

from app.adapters.tags import iter_audio_files, read_file
from app.domain.errors import NotFound
from app.services.tags.scan import scan_tags
from tests.adapters.tags_support import copy_fixture


def _vorbis(folder: Path, name: str, *pairs: tuple[str, str]) -> None:
    path = copy_fixture("flac.flac", folder, name)
    audio = mutagen.File(path)
    for pair in pairs:
        audio.tags.append(pair)
    audio.save()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for i in range(3):
        _vorbis(tmp_path / "a", f"{i}.flac", ("RATING", str(20 * (i + 2))))
    _vorbis(tmp_path / "a", "stars.flac", ("RATING", "4"))
    _vorbis(tmp_path / "b", "both.flac", ("RATING", "80"), ("FMPS_RATING", "0.4"))
    _vorbis(tmp_path / "b", "junk.flac", ("RATING", "lots"))
    copy_fixture("mp3.mp3", tmp_path / "b", "plain.MP3")
    (tmp_path / "b" / "empty.mp3").touch()
    (tmp_path / "b" / "unknown.ogg").write_bytes(b"OggS" + bytes(40))
    data = (tmp_path / "a" / "0.flac").read_bytes()
    (tmp_path / "b" / "cut.flac").write_bytes(data[:50])
    (tmp_path / "b" / "cover.jpg").write_bytes(b"\xff\xd8")
    return tmp_path


def test_summary_counts_dialects_scales_and_failures(library: Path) -> None:
    done: list[int] = []
    summary = scan_tags(library, read=read_file, list_files=iter_audio_files, progress=done.append)
    assert (summary.files, summary.read, summary.failed) == (10, 7, 3)
    assert summary.rated == 5
    assert summary.disagreements == 1
    assert dict(summary.formats) == {"flac": 6, "mp3": 1}
    assert dict(summary.errors) == {"corrupt_file": 1, "empty_file": 1, "unsupported_format": 1}
    assert {Path(p).name for p, _reason in summary.failures} == {
        "empty.mp3",
        "unknown.ogg",
        "cut.flac",
    }
    dialects = {d.dialect: d for d in summary.dialects}
    assert dialects["vorbis:rating"].files == 6
    assert dict(dialects["vorbis:rating"].scales) == {"0–100": 4, "1–5": 1, "invalid": 1}
    assert dict(dialects["vorbis:fmps_rating"].scales) == {"0–1": 1}
    assert done == list(range(1, 11))


def test_summary_lines_for_people(library: Path) -> None:
    lines = scan_tags(library, read=read_file, list_files=iter_audio_files).lines()
    assert lines[0].endswith("10 files, 7 read, 3 failed, 5 rated, 1 with disagreeing tags")
    assert (
        "vorbis:rating: 0–100 in 4 files, 1–5 in 1 file, invalid in 1 file; "
        "inferred scale 0–100 (from 4 unambiguous value(s))"
    ) in lines
    assert "vorbis:fmps_rating: 0–1 in 1 file" in lines
    assert "error empty_file: 1 file" in lines


def test_pmrs_half_star_in_a_percent_library_reads_half_a_star(tmp_path: Path) -> None:
    """PMRS writes ½★ as RATING=10; the folder's 20, 60 and 100 say the field is percent."""
    for name, value in (("a", "20"), ("b", "60"), ("c", "100"), ("half", "10")):
        _vorbis(tmp_path, f"{name}.flac", ("RATING", value))
    summary = scan_tags(tmp_path, read=read_file, list_files=iter_audio_files)
    rating = {d.dialect: d for d in summary.dialects}["vorbis:rating"]
    assert dict(rating.scales) == {"0–100": 4}, "the ambiguous 10 counted as percent"
    assert rating.inferred == "0–100 (from 3 unambiguous value(s))"


def test_without_evidence_ten_is_tenths(tmp_path: Path) -> None:
    for name, value in (("a", "4"), ("ten", "10")):
        _vorbis(tmp_path, f"{name}.flac", ("RATING", value))
    summary = scan_tags(tmp_path, read=read_file, list_files=iter_audio_files)
    rating = {d.dialect: d for d in summary.dialects}["vorbis:rating"]
    assert dict(rating.scales) == {"0–10": 1, "1–5": 1}
    assert rating.inferred is None


def test_missing_root(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        scan_tags(tmp_path / "nowhere", read=read_file, list_files=iter_audio_files)


def test_empty_folder(tmp_path: Path) -> None:
    summary = scan_tags(tmp_path, read=read_file, list_files=iter_audio_files)
    assert (summary.files, summary.dialects, summary.failed) == (0, (), 0)
