"""The crash-safe save: the in-memory probe, and what happens when a write does not verify."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.flac import FLAC

from app.adapters.tags import WriteOptions, write_rating
from app.adapters.tags.overlay import DoesNotFit, Overlay, _first_difference, _last_difference
from app.adapters.tags.safe_write import Commit, commit, is_crossfade_temp
from app.domain.errors import MediaFileError, WriteNotVerified
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import copy_fixture


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 64)  # 16 KiB
    return path


def overlay_of(path: Path) -> tuple[Overlay, int]:
    fd = os.open(path, os.O_RDONLY)
    return Overlay(fd, path.stat().st_size, str(path)), fd


def test_overlay_without_changes(data_file: Path) -> None:
    overlay, fd = overlay_of(data_file)
    try:
        overlay.seek(100)
        overlay.write(bytes(range(100, 110)))  # the same bytes again
        assert overlay.changed_span() is None
    finally:
        os.close(fd)


def test_overlay_span_covers_every_change_and_reads_its_writes(data_file: Path) -> None:
    overlay, fd = overlay_of(data_file)
    try:
        overlay.seek(10)
        overlay.write(b"\xff\xff")
        overlay.seek(5000)
        overlay.write(b"\x00")
        overlay.seek(8)
        assert overlay.read(5) == bytes([8, 9, 255, 255, 12])
        span = overlay.changed_span()
        assert span is not None
        offset, old, new = span
        assert offset == 10
        assert len(old) == len(new) == 5000 - 10 + 1
        assert new[:2] == b"\xff\xff" and new[-1:] == b"\x00"
        assert data_file.read_bytes()[10:12] == bytes([10, 11])  # nothing touched the disk
    finally:
        os.close(fd)


def test_overlay_truncate_and_regrow_to_the_same_size(data_file: Path) -> None:
    size = data_file.stat().st_size
    overlay, fd = overlay_of(data_file)
    try:
        overlay.seek(size - 100)
        overlay.truncate()
        overlay.seek(0, os.SEEK_END)
        overlay.write(data_file.read_bytes()[-100:-1] + b"!")
        span = overlay.changed_span()
        assert span is not None
        assert (span[0], span[2]) == (size - 1, b"!")
    finally:
        os.close(fd)


def test_overlay_size_change_does_not_fit(data_file: Path) -> None:
    overlay, fd = overlay_of(data_file)
    try:
        overlay.seek(0, os.SEEK_END)
        overlay.write(b"more")
        with pytest.raises(DoesNotFit):
            overlay.changed_span()
        overlay.truncate(10)
        with pytest.raises(DoesNotFit):
            overlay.changed_span()
    finally:
        os.close(fd)


def _reject(fileobj: BinaryIO) -> None:
    raise WriteNotVerified("rejected by the test", path="x")


@pytest.mark.parametrize("padding", ["fits", "rewrite"])
def test_a_write_that_does_not_verify_leaves_the_file_as_it_was(
    padding: str, tmp_path: Path
) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    if padding == "rewrite":
        FLAC(path).save(padding=lambda _: 0)
    before = path.read_bytes()
    audio = FLAC(path)
    audio.tags["RATING"] = "80"

    def save(fileobj: Any, pad: Any) -> None:
        audio.save(fileobj, padding=pad)

    fd = os.open(path, os.O_RDWR)
    try:
        job = Commit(
            fd=fd,
            path=str(path),
            before=os.fstat(fd),
            tail=b"",
            save=save,
            verify=_reject,
            options=WriteOptions(),
        )
        with pytest.raises(WriteNotVerified):
            commit(job)
    finally:
        os.close(fd)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["flac.flac"]


def test_a_failing_save_becomes_a_typed_error(tmp_path: Path) -> None:
    path = copy_fixture("flac.flac", tmp_path)

    def broken_save(fileobj: Any, pad: Any) -> None:
        raise ValueError("mutagen choked")

    fd = os.open(path, os.O_RDWR)
    try:
        job = Commit(fd, str(path), os.fstat(fd), b"", broken_save, _reject, WriteOptions())
        with pytest.raises(MediaFileError) as caught:
            commit(job)
    finally:
        os.close(fd)
    assert caught.value.path == str(path)
    assert "mutagen choked" in caught.value.reason


def test_changed_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    audio = FLAC(path)
    audio.tags["RATING"] = "80"
    fd = os.open(path, os.O_RDWR)
    try:
        before = os.fstat(fd)
        os.utime(path, ns=(1, 1))  # someone else touched it after we read it
        job = Commit(
            fd, str(path), before, b"", lambda f, p: audio.save(f, padding=p), _reject,
            WriteOptions(),
        )  # fmt: skip
        with pytest.raises(WriteNotVerified, match="changed by someone else"):
            commit(job)
    finally:
        os.close(fd)
    assert "RATING" not in FLAC(path).tags


@pytest.mark.parametrize(
    ("name", "temp"),
    [
        (".song.mp3.crossfade-1a2b3c4d.tmp", True),
        (".song.mp3.crossfade-1a2b3c4d.bak", True),
        ("song.mp3", False),
        (".hidden.mp3", False),
    ],
)
def test_our_temporary_files_are_recognised(name: str, temp: bool) -> None:
    assert is_crossfade_temp(name) is temp


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.binary(min_size=1, max_size=600), st.lists(st.integers(0, 599), max_size=4))
def test_difference_search_matches_a_plain_scan(old: bytes, positions: list[int]) -> None:
    new = bytearray(old)
    for position in positions:
        new[position % len(old)] ^= 0xFF
    differing = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert _first_difference(old, bytes(new)) == (differing[0] if differing else None)
    if differing:
        assert _last_difference(old, bytes(new)) == differing[-1]


def test_a_rewrite_removes_stale_temporary_copies_of_its_file(tmp_path: Path) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    FLAC(path).save(padding=lambda _: 0)
    stale = tmp_path / ".flac.flac.crossfade-0badc0de.tmp"
    fresh = tmp_path / ".flac.flac.crossfade-12345678.tmp"
    backup = tmp_path / ".flac.flac.crossfade-87654321.bak"
    other = tmp_path / ".other.flac.crossfade-0badc0de.tmp"
    for leftover in (stale, fresh, backup, other):
        leftover.write_bytes(b"half a copy")
    for old in (stale, backup, other):
        os.utime(old, (1_000_000, 1_000_000))
    outcome = write_rating(path, Rating(6), preset("musicbee"), options=WriteOptions())
    assert outcome.method == "rewrite"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, fresh.name, backup.name, other.name]
    )
