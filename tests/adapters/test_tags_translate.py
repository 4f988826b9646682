"""Outside errors become our MediaFileError family once, with the path."""

from __future__ import annotations

import errno

import pytest
from mutagen import MutagenError

from app.adapters.tags.translate import from_os_error, from_parse_error
from app.domain.errors import (
    CorruptFile,
    FileAccessDenied,
    FileVanished,
    MediaFileError,
    ReadOnlyLocation,
    UnsupportedFormat,
)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.ENOENT, FileVanished),
        (errno.ENOTDIR, FileVanished),
        (errno.EACCES, FileAccessDenied),
        (errno.EPERM, FileAccessDenied),
        (errno.EROFS, ReadOnlyLocation),
        (errno.ENOSPC, ReadOnlyLocation),
        (errno.EDQUOT, ReadOnlyLocation),
        (errno.EISDIR, UnsupportedFormat),
        (errno.EIO, CorruptFile),
    ],
)
def test_os_errors(number: int, expected: type[MediaFileError]) -> None:
    error = from_os_error(OSError(number, "boom"), "/music/a.mp3", action="write")
    assert type(error) is expected
    assert error.path == "/music/a.mp3"
    assert str(error).startswith("/music/a.mp3: ")


def test_os_error_subclasses_without_errno() -> None:
    assert isinstance(from_os_error(FileNotFoundError(), "p", action="open"), FileVanished)
    assert isinstance(from_os_error(PermissionError(), "p", action="open"), FileAccessDenied)


def test_parse_errors_are_corrupt_files_unless_the_disk_failed() -> None:
    assert isinstance(from_parse_error(MutagenError("bad header"), "p", action="read"), CorruptFile)
    assert "struct" in from_parse_error(ValueError("struct"), "p", action="read").reason
    try:
        try:
            raise OSError(errno.EIO, "Input/output error")
        except OSError as inner:
            raise MutagenError(inner) from inner
    except MutagenError as outer:
        wrapped = outer
    error = from_parse_error(wrapped, "p", action="read")
    assert isinstance(error, CorruptFile)
    assert "I/O error" in error.reason
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system")
        except OSError as inner:
            raise MutagenError(inner) from inner
    except MutagenError as outer:
        assert isinstance(from_parse_error(outer, "p", action="write"), ReadOnlyLocation)
