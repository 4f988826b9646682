"""Opening media files: regular non-empty files only, never blocking, read-only kept so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.adapters.tags import WriteOptions, write_rating
from app.adapters.tags.files import open_media
from app.domain.errors import EmptyFile, FileAccessDenied, MediaFileError, UnsupportedFormat
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import copy_fixture


def test_a_regular_file_opens_for_reading_and_writing(tmp_path: Path) -> None:
    path = copy_fixture("mp3.mp3", tmp_path)
    for writable in (False, True):
        with open_media(str(path), writable=writable) as (handle, info):
            assert handle.read(3) == b"ID3"
            assert info.st_size == path.stat().st_size


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_file_without_write_bits_is_never_opened_for_writing(tmp_path: Path, mode: int) -> None:
    """Even as root, whom the kernel lets write anything: the mode is checked on the open file."""
    path = copy_fixture("flac.flac", tmp_path)
    path.chmod(mode)
    before = path.read_bytes()
    with open_media(str(path), writable=False) as (handle, _):
        assert handle.read() == before
    refused = f"read-only file \\(mode 0{mode:o}\\)"
    with pytest.raises(FileAccessDenied, match=refused), open_media(str(path), writable=True):
        pass
    with pytest.raises(FileAccessDenied):
        write_rating(path, Rating(4), preset("musicbee"), options=WriteOptions())
    assert path.read_bytes() == before
    assert path.stat().st_mode & 0o7777 == mode


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda p: os.mkfifo(p), UnsupportedFormat),  # would block a plain open()
        (lambda p: p.symlink_to("/dev/zero"), UnsupportedFormat),
        (lambda p: p.mkdir(), MediaFileError),
        (lambda p: p.touch(), EmptyFile),
    ],
    ids=["fifo", "device", "folder", "empty"],
)
def test_what_is_not_a_regular_audio_file_is_refused(
    tmp_path: Path, make: object, error: type[MediaFileError]
) -> None:
    path = tmp_path / "x.mp3"
    make(path)  # type: ignore[operator]
    for writable in (False, True):
        with pytest.raises(error) as caught, open_media(str(path), writable=writable):
            pass
        assert caught.value.path == str(path)
