"""The data directory 0700, its files 0600; looser ones are tightened with a log line."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from app.adapters.private_files import private_dir, private_file


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_is_0700(tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "data"
    private_dir(data_dir)
    assert mode_of(data_dir) == 0o700


def test_a_loose_data_directory_is_tightened_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="app.adapters.private_files"):
        private_dir(data_dir)
    assert mode_of(data_dir) == 0o700
    assert f"data directory {data_dir} was mode 755" in caplog.text


def test_a_private_directory_is_left_alone_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    data_dir.chmod(0o500)
    with caplog.at_level(logging.DEBUG, logger="app.adapters.private_files"):
        private_dir(data_dir)
    assert mode_of(data_dir) == 0o500
    assert caplog.records == []
    data_dir.chmod(0o700)


def test_a_created_file_is_0600_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "crossfade.db"
    private_file(path, create=True)
    assert path.read_bytes() == b""
    assert mode_of(path) == 0o600


@pytest.mark.parametrize(("before", "after"), [(0o644, 0o600), (0o666, 0o600), (0o640, 0o600)])
def test_a_loose_file_is_tightened(tmp_path: Path, before: int, after: int) -> None:
    path = tmp_path / "secret_key"
    path.write_text("k")
    path.chmod(before)
    private_file(path)
    assert mode_of(path) == after
    assert path.read_text() == "k"


def test_a_missing_file_is_not_created_without_create(tmp_path: Path) -> None:
    private_file(tmp_path / "crossfade.db-wal")
    assert not (tmp_path / "crossfade.db-wal").exists()
