"""Finding audio files under a folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

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


def test_audio_names_that_are_not_regular_files_are_one_error_each(tmp_path: Path) -> None:
    root = tmp_path / "music"
    album = root / "Album"
    album.mkdir(parents=True)
    (album / "01 good.mp3").write_bytes(b"x")
    (album / "02 inner.mp3").symlink_to(album / "01 good.mp3")  # inside: listed
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(b"x")
    (album / "03 outside.mp3").symlink_to(outside)
    (album / "04 zero.mp3").symlink_to("/dev/zero")
    (album / "05 loop.mp3").symlink_to("05 loop.mp3")
    (album / "06 gone.mp3").symlink_to(tmp_path / "gone")
    os.mkfifo(album / "07 pipe.mp3")
    (album / "08 folder.flac").mkdir()  # a folder named like audio is walked as a folder
    (album / "08 folder.flac" / "09 deep.mp3").write_bytes(b"x")
    (album / "10 link.flac").symlink_to(album / "08 folder.flac")
    (album / "notes.txt").symlink_to("/dev/zero")  # not audio: not even looked at

    errors: list[MediaFileError] = []
    found = [
        Path(p).relative_to(root).as_posix() for p in iter_audio_files(root, on_error=errors.append)
    ]
    assert found == ["Album/01 good.mp3", "Album/02 inner.mp3", "Album/08 folder.flac/09 deep.mp3"]
    assert {Path(e.path).name: (type(e).__name__, e.reason) for e in errors} == {
        "03 outside.mp3": (
            "UnsupportedFormat",
            "symlink that leads outside the library root, not followed",
        ),
        "04 zero.mp3": (
            "UnsupportedFormat",
            "symlink that leads outside the library root, not followed",
        ),
        "05 loop.mp3": ("UnsupportedFormat", "symlink loop, not followed"),
        "06 gone.mp3": ("FileVanished", "dangling symlink"),
        "07 pipe.mp3": ("UnsupportedFormat", "named pipe (FIFO), not opened"),
        "10 link.flac": ("UnsupportedFormat", "a symlink to a folder, not followed"),
    }
    assert len(errors) == 6
    stats = [Path(p).name for p, _, _ in iter_audio_stats(root)]
    assert stats == ["01 good.mp3", "02 inner.mp3", "09 deep.mp3"]


def test_a_device_named_like_audio_inside_the_root_is_not_opened(tmp_path: Path) -> None:
    """Through a symlink to a device node made inside the root (``mknod`` needs root)."""
    try:
        os.mknod(tmp_path / "zero.mp3", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("mknod needs CAP_MKNOD")
    (tmp_path / "alias.mp3").symlink_to(tmp_path / "zero.mp3")
    errors: list[MediaFileError] = []
    assert list(iter_audio_files(tmp_path, on_error=errors.append)) == []
    assert sorted(e.reason for e in errors) == ["device file, not opened"] * 2
