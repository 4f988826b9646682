"""Playlist records: what an interrupted Plex playlist write can leave behind."""

from __future__ import annotations

import pytest

from app.domain.playlists.records import PlaylistState, half_written

BEFORE: PlaylistState = {"title": "Mix", "keys": ["1", "2", "3"]}
AFTER: PlaylistState = {"title": "Mix", "keys": ["3", "1", "4"]}


@pytest.mark.parametrize(
    ("before", "after", "current", "expected"),
    [
        (BEFORE, AFTER, {"title": "Mix", "keys": ["1", "3", "2"]}, True),  # moves under way
        (BEFORE, AFTER, {"title": "Mix", "keys": ["1", "3"]}, True),  # removed, not yet added
        (BEFORE, AFTER, {"title": "Mix", "keys": ["1", "2", "3", "4"]}, True),  # added first
        (BEFORE, AFTER, {"title": "Mix", "keys": ["1", "5"]}, False),  # 5: neither held it
        (BEFORE, AFTER, {"title": "Mix", "keys": ["1", "1", "1"]}, False),  # too many of "1"
        (BEFORE, AFTER, {"title": "Other", "keys": ["1"]}, False),  # renamed since
        (None, AFTER, {"title": "Mix", "keys": ["3"]}, True),  # created, items half added
        (BEFORE, None, {"title": "Mix", "keys": ["2"]}, True),  # being emptied for a delete
        (BEFORE, AFTER, None, False),  # deleted: not a half-done edit
        ({"b64": "AA=="}, {"b64": "AQ=="}, {"b64": "Ag=="}, False),  # files are written whole
    ],
)
def test_half_written(
    before: PlaylistState, after: PlaylistState, current: PlaylistState, expected: bool
) -> None:
    assert half_written(before, after, current) is expected
