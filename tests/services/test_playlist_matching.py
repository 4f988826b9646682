"""Finding an entry of one side on the other: paths under music roots, tags, weak matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds
from app.domain.playlists.m3u import PathStyle, PlaylistEntry
from app.services.playlists.matching import (
    FolderFolderResolver,
    entry_track,
    match_confident,
    relative_under,
)
from app.services.ports import SideEntry
from tests.services.ratings_support import RecordingReporter


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("/music/a/b.flac", "/music", "a/b.flac"),
        ("/music/a/b.flac", "/music/", "a/b.flac"),
        ("/musicals/b.flac", "/music", None),
        ("/music", "/music", None),
        ("/x/b.flac", "/", "x/b.flac"),
    ],
)
def test_relative_under(path: str, root: str, expected: str | None) -> None:
    assert relative_under(path, root) == expected


def file_entry(location: str, extinf: str | None = None) -> SideEntry:
    if "://" in location:
        entry = PlaylistEntry(location=location, path_style=None)
    else:
        entry = PlaylistEntry.for_path(location, PathStyle.POSIX)
    if extinf is not None:
        artist, _, title = extinf.partition(" - ")
        entry = PlaylistEntry.for_path(location, PathStyle.POSIX, artist=artist, title=title)
    return SideEntry(ident=entry.location, label=location, entry=entry)


def test_folder_to_folder_translates_paths_under_the_roots(tmp_path: Path) -> None:
    root_a, root_b = tmp_path / "a", tmp_path / "b"
    (root_b / "x").mkdir(parents=True)
    (root_b / "x" / "there.mp3").write_bytes(b"")
    resolver = FolderFolderResolver(str(root_a), str(root_b), None, None, MatchThresholds())
    entries = [
        file_entry(str(root_a / "x" / "there.mp3")),
        file_entry(str(root_a / "x" / "missing.mp3")),
        file_entry("/elsewhere/song.mp3"),
        file_entry("http://radio/live"),
    ]

    result = resolver.a_to_b(entries, RecordingReporter())

    assert {ident: entry.ident for ident, entry in result.found.items()} == {
        str(root_a / "x" / "there.mp3"): str(root_b / "x" / "there.mp3"),
        "/elsewhere/song.mp3": "/elsewhere/song.mp3",
        "http://radio/live": "http://radio/live",
    }
    assert result.missing == {str(root_a / "x" / "missing.mp3"): f"no such file under {root_b}"}
    moved = result.found[str(root_a / "x" / "there.mp3")].entry
    assert moved is not None and moved.raw == "" and moved.path == str(root_b / "x" / "there.mp3")


def test_the_same_root_on_both_sides_keeps_every_path(tmp_path: Path) -> None:
    resolver = FolderFolderResolver(str(tmp_path), str(tmp_path), None, None, MatchThresholds())
    gone = str(tmp_path / "gone.mp3")
    result = resolver.b_to_a([file_entry(gone)], RecordingReporter())
    assert result.found[gone].ident == gone and result.missing == {}


def test_an_entry_without_a_file_is_known_by_its_extinf() -> None:
    info = entry_track(file_entry("/nowhere/x.mp3", extinf="Artist - Title"))
    assert (info.id, info.path, info.artist, info.title) == (
        "/nowhere/x.mp3",
        "/nowhere/x.mp3",
        "Artist",
        "Title",
    )


def test_only_confident_matches_count() -> None:
    catalog = [
        TrackInfo(id="1", title="First", artist="Artist", album="Album"),
        TrackInfo(id="2", title="Second Song", artist="Band"),
        TrackInfo(id="3", title="Second Song", artist="Band"),
    ]
    sources = [
        TrackInfo(id="a", title="First", artist="Artist"),
        TrackInfo(id="b", title="Second Song", artist="Band"),
        TrackInfo(id="c", title="Nothing Like It", artist="Nobody"),
    ]
    found, why = match_confident(sources, catalog, MatchThresholds())
    assert found == {"a": "1"}
    assert why["b"].startswith("only a weak match") and "ambiguous" in why["b"]
    assert why["c"] == "no track matches it by path or tags"
