"""Playlist files on a real file system: listing, reading with a snapshot, atomic writes that
never overwrite a file changed since it was read, deletes, and OS errors as typed errors."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from app.adapters.playlist_files import (
    TEMP_PREFIX,
    delete_playlist_file,
    list_playlist_files,
    read_playlist_file,
    write_playlist_file,
)
from app.domain.errors import (
    FileAccessDenied,
    FileChangedSinceRead,
    FileVanished,
    MediaFileError,
    ReadOnlyLocation,
    SetupError,
)

needs_unprivileged = pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")


def test_lists_playlist_files_only(tmp_path: Path) -> None:
    for name in ("b.m3u8", "A.M3U", "notes.txt", ".hidden.m3u8", "song.flac"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder.m3u8").mkdir()
    (tmp_path / f"{TEMP_PREFIX}0123456789abcdef.tmp").write_bytes(b"")

    assert list_playlist_files(str(tmp_path)) == ["A.M3U", "b.m3u8"]


def test_a_missing_folder_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="cannot be listed"):
        list_playlist_files(str(tmp_path / "missing"))


def test_read_gives_bytes_and_stat(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u"
    path.write_bytes(b"#EXTM3U\r\nCaf\xe9.mp3\r\n")

    snapshot = read_playlist_file(str(path))

    assert snapshot.data == b"#EXTM3U\r\nCaf\xe9.mp3\r\n"
    assert snapshot.size_bytes == len(snapshot.data)
    assert snapshot.mtime_ns == path.stat().st_mtime_ns


def test_an_empty_file_is_an_empty_playlist(tmp_path: Path) -> None:
    path = tmp_path / "empty.m3u8"
    path.write_bytes(b"")
    assert read_playlist_file(str(path)).data == b""


def test_a_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "x.m3u8"
    with pytest.raises(FileVanished) as raised:
        read_playlist_file(str(path))
    assert raised.value.path == str(path)


def test_a_folder_is_not_a_playlist(tmp_path: Path) -> None:
    path = tmp_path / "x.m3u8"
    path.mkdir()
    with pytest.raises(MediaFileError) as raised:
        read_playlist_file(str(path))
    assert raised.value.path == str(path)


def test_replace_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u8"
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    snapshot = read_playlist_file(str(path))

    written = write_playlist_file(str(path), b"new\n", replacing=snapshot)

    assert path.read_bytes() == b"new\n"
    assert written.data == b"new\n" and written.size_bytes == 4
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.m3u8"]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u8"
    path.write_bytes(b"old\n")
    snapshot = read_playlist_file(str(path))
    path.write_bytes(b"saved by a player\n")

    with pytest.raises(FileChangedSinceRead, match="changed since it was read"):
        write_playlist_file(str(path), b"new\n", replacing=snapshot)

    assert path.read_bytes() == b"saved by a player\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.m3u8"]


def test_a_file_deleted_since_it_was_read_is_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u8"
    path.write_bytes(b"old\n")
    snapshot = read_playlist_file(str(path))
    path.unlink()

    with pytest.raises(FileChangedSinceRead, match="deleted"):
        write_playlist_file(str(path), b"new\n", replacing=snapshot)
    assert not path.exists()


def test_a_new_file_never_replaces_one_that_appeared(tmp_path: Path) -> None:
    path = tmp_path / "new.m3u8"
    written = write_playlist_file(str(path), b"#EXTM3U\n", replacing=None)
    assert path.read_bytes() == b"#EXTM3U\n" == written.data

    with pytest.raises(FileChangedSinceRead, match="appeared"):
        write_playlist_file(str(path), b"other\n", replacing=None)
    assert path.read_bytes() == b"#EXTM3U\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.m3u8"]


def test_stale_temporary_files_are_cleaned_up(tmp_path: Path) -> None:
    stale = tmp_path / f"{TEMP_PREFIX}00000000000000aa.tmp"
    fresh = tmp_path / f"{TEMP_PREFIX}00000000000000bb.tmp"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (0, 0))

    write_playlist_file(str(tmp_path / "a.m3u8"), b"a\n", replacing=None)

    assert not stale.exists() and fresh.exists()


def test_delete_checks_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u8"
    path.write_bytes(b"old\n")
    snapshot = read_playlist_file(str(path))
    path.write_bytes(b"changed\n")

    with pytest.raises(FileChangedSinceRead):
        delete_playlist_file(str(path), expected=snapshot)
    assert path.exists()

    delete_playlist_file(str(path), expected=read_playlist_file(str(path)))
    assert not path.exists()


@needs_unprivileged
def test_a_read_only_folder_is_a_typed_error(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    path = folder / "mix.m3u8"
    path.write_bytes(b"old\n")
    snapshot = read_playlist_file(str(path))
    folder.chmod(0o555)
    try:
        with pytest.raises((FileAccessDenied, ReadOnlyLocation)):
            write_playlist_file(str(path), b"new\n", replacing=snapshot)
    finally:
        folder.chmod(0o755)
    assert path.read_bytes() == b"old\n"


def test_a_read_only_mount_is_a_typed_error_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mix.m3u8"
    path.write_bytes(b"old\n")
    snapshot = read_playlist_file(str(path))

    def refuse(source: str, target: str) -> None:
        raise OSError(errno.EROFS, "Read-only file system", target)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ReadOnlyLocation) as raised:
        write_playlist_file(str(path), b"new\n", replacing=snapshot)

    assert raised.value.path == str(path)
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.m3u8"]
