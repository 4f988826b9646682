"""Pairing a playlists run's playlists: stored pairs, then titles, then one-sided ones; what waits
because the other side could not read a playlist of the same name."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from app.domain.playlists.records import PlaylistPairRecord
from app.services.playlists.run.pairing import pair_playlists, selector, title_key
from app.services.ports import SideListing, SidePlaylist
from tests.services.ratings_support import RecordingReporter

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def playlist(ref: str, title: str, *names: str) -> SidePlaylist:
    return SidePlaylist(ref, title, (), None, names=(title, *names))


def listing(*playlists: SidePlaylist, unselected: tuple[str, ...] = ()) -> SideListing:
    return SideListing(list(playlists), {p.ref for p in playlists} | set(unselected))


def pair(pair_id: int, a_ref: str | None, b_ref: str | None, title: str) -> PlaylistPairRecord:
    return PlaylistPairRecord(pair_id, 1, a_ref, b_ref, title, None, None, None, None, NOW)


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Road Trip", "road trip", True),
        ("Road Trip", "ROAD TRIP", True),
        ("Café", unicodedata.normalize("NFD", "Café"), True),
        ("Road Trip", "Road Trip 2", False),
        ("Road Trip", "Road  Trip", False),
    ],
)
def test_title_key(one: str, other: str, same: bool) -> None:
    assert (title_key(one) == title_key(other)) is same


def test_selector_takes_any_of_a_playlists_names() -> None:
    everything = selector(None)
    assert everything(["anything"])
    chosen = selector(["Road Trip"])
    assert chosen(["Other", "road trip"])
    assert not chosen(["Other"])


def test_stored_pairs_first_then_titles_then_one_sided() -> None:
    a = listing(
        playlist("1", "Renamed on Plex"), playlist("2", "Road Trip"), playlist("3", "Only A")
    )
    b = listing(
        playlist("kept.m3u8", "Kept", "kept"),
        playlist("Road Trip.m3u8", "Road Trip"),
        playlist("Only B.m3u8", "Only B"),
    )
    reporter = RecordingReporter()
    work, blocked = pair_playlists([pair(7, "1", "kept.m3u8", "Kept")], a, b, reporter)
    assert [(w.pair.id if w.pair else None, w.a and w.a.ref, w.b and w.b.ref) for w in work] == [
        (7, "1", "kept.m3u8"),
        (None, "2", "Road Trip.m3u8"),
        (None, "3", None),
        (None, None, "Only B.m3u8"),
    ]
    assert [w.title for w in work] == ["Renamed on Plex", "Road Trip", "Only A", "Only B"]
    assert blocked == 0
    assert reporter.events == []


def test_a_pair_whose_copy_is_not_selected_is_left_alone() -> None:
    a = listing(playlist("2", "Other"), unselected=("1",))
    b = listing(playlist("kept.m3u8", "Kept"))
    work, _blocked = pair_playlists([pair(7, "1", "kept.m3u8", "Kept")], a, b, RecordingReporter())
    # neither the stored pair (its A copy exists, unselected) nor its B copy is worked on
    assert [(w.a and w.a.ref, w.b and w.b.ref) for w in work] == [("2", None)]


def test_a_pair_gone_on_one_side_keeps_its_other_copy() -> None:
    a = listing()
    b = listing(playlist("kept.m3u8", "Kept"))
    work, _blocked = pair_playlists([pair(7, "1", "kept.m3u8", "Kept")], a, b, RecordingReporter())
    assert [(w.pair and w.pair.id, w.a, w.b and w.b.ref) for w in work] == [(7, None, "kept.m3u8")]


def test_a_playlist_named_like_one_the_other_side_cannot_read_waits() -> None:
    a = listing(playlist("2", "Road Trip"))
    a.unreadable["9"] = "Broken"
    b = SideListing([playlist("Broken.m3u8", "Broken")], {"Broken.m3u8", "Road.m3u8"})
    b.unreadable["Road.m3u8"] = "road trip"
    reporter = RecordingReporter()
    work, blocked = pair_playlists([], a, b, reporter)
    assert work == []
    assert blocked == 2
    assert [(e["action"], e["subject"], e["level"]) for e in reporter.events] == [
        ("playlist_skipped", "Road Trip", "warning"),
        ("playlist_skipped", "Broken", "warning"),
    ]
