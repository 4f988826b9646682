"""Finding audio files under a folder."""

from __future__ import annotations

from pathlib import Path

from app.adapters.tags import is_audio_name, iter_audio_files
from app.adapters.tags.listing import iter_audio_stats
from app.domain.errors import MediaFileError


def test_listing_finds_audio_by_extension_and_skips_temp_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.FLAC").write_bytes(b"x")
    (tmp_path / "b" / "c.mp3").write_bytes(b"x")
    (tmp_path / "b" / ".c.mp3.crossfade-00ff00ff.tmp").write_bytes(b"x")
    (tmp_path / "b" / "cover.jpg").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "b")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in iter_audio_files(tmp_path)]
    assert found == ["a.FLAC", "b/c.mp3"]
    assert is_audio_name("x.Opus")
    assert not is_audio_name("x.txt")


def test_listing_reports_unreadable_folders(tmp_path: Path) -> None:
    errors: list[MediaFileError] = []
    assert list(iter_audio_files(tmp_path / "missing", on_error=errors.append)) == []
    assert [type(e).__name__ for e in errors] == ["FileVanished"]


def test_audio_stats_give_size_and_mtime(tmp_path: Path) -> None:
    (tmp_path / "a.mp3").write_bytes(b"12345")
    (tmp_path / "b.txt").write_bytes(b"x")
    ((path, size_bytes, mtime_ns),) = list(iter_audio_stats(tmp_path))
    assert (Path(path).name, size_bytes, mtime_ns) == (
        "a.mp3",
        5,
        (tmp_path / "a.mp3").stat().st_mtime_ns,
    )
