"""The lean readers behind ``read_file``: a lean reader that fails unexpectedly is a problem
logged at warning (mutagen then reads the file); a file it declines is not."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

import pytest

from app.adapters.tags import reader
from app.adapters.tags.parsed import ParsedAudio
from app.adapters.tags.reader import read_file
from tests.adapters.tags_support import BY_NAME, copy_fixture

LEAN_FIXTURES = ("mp3.mp3", "flac.flac", "ogg_vorbis.ogg", "opus.opus", "m4a.m4a")
READER_LOG = "app.adapters.tags.reader"


def broken_reader(handle: BinaryIO, size_bytes: int) -> ParsedAudio | None:
    raise RuntimeError("a bug in a lean reader")


def declining_reader(handle: BinaryIO, size_bytes: int) -> ParsedAudio | None:
    return None


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == READER_LOG and r.levelno >= logging.WARNING]


@pytest.mark.parametrize("name", LEAN_FIXTURES)
def test_every_lean_format_has_a_lean_reader(name: str) -> None:
    assert BY_NAME[name].format in reader.LEAN_READERS


@pytest.mark.parametrize("name", LEAN_FIXTURES)
def test_a_failing_lean_reader_is_logged_at_warning_and_mutagen_reads_the_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_fixture(name, tmp_path)
    read_lean = read_file(path)
    monkeypatch.setitem(reader.LEAN_READERS, BY_NAME[name].format, broken_reader)

    with caplog.at_level(logging.DEBUG, logger=READER_LOG):
        read_by_mutagen = read_file(path)

    assert read_by_mutagen == read_lean
    [warning] = warnings_in(caplog)
    assert warning.levelno == logging.WARNING
    assert str(path) in warning.getMessage()
    assert warning.exc_info is not None
    assert isinstance(warning.exc_info[1], RuntimeError)


@pytest.mark.parametrize("name", LEAN_FIXTURES)
def test_a_declined_file_is_read_by_mutagen_without_a_warning(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_fixture(name, tmp_path)
    read_lean = read_file(path)
    monkeypatch.setitem(reader.LEAN_READERS, BY_NAME[name].format, declining_reader)

    with caplog.at_level(logging.DEBUG, logger=READER_LOG):
        read_by_mutagen = read_file(path)

    assert read_by_mutagen == read_lean
    assert warnings_in(caplog) == []
