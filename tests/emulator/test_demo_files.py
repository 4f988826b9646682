"""Demo files: real tagged audio, written without following what held their names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plex_emulator.demo_files import DEFAULT_TRACKS, make_library
from plex_emulator.model import Location
from plex_emulator.scan import read_track
from tests.emulator.support import template_cache


def test_the_library_is_real_tagged_audio(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path / "music"
    written = make_library(root, cache_dir=template_cache(tmp_path_factory))
    assert [p.relative_to(root).as_posix() for p in written] == [
        t.relative_path for t in DEFAULT_TRACKS
    ]
    location = Location(str(root), str(root))
    titles = [read_track(location, str(path)) for path in written]
    assert [t.title if t else None for t in titles] == [t.title for t in DEFAULT_TRACKS]
    assert not list(root.rglob(".partial-*"))


def test_what_held_a_name_is_replaced_not_written_through(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path / "music"
    first, second = DEFAULT_TRACKS[:2]
    (root / first.relative_path).parent.mkdir(parents=True)
    elsewhere = tmp_path / "precious.flac"
    elsewhere.write_bytes(b"not yours")
    (root / first.relative_path).symlink_to(elsewhere)
    os.mkfifo(root / second.relative_path)  # a plain open for writing would block
    make_library(root, (first, second), cache_dir=template_cache(tmp_path_factory))
    assert elsewhere.read_bytes() == b"not yours"
    for track in (first, second):
        path = root / track.relative_path
        assert path.is_file() and not path.is_symlink()
