"""Track matching: scoring tables, realistic libraries, prior decisions, cost, properties."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import InvalidInput
from app.domain.match_keys import TrackInfo
from app.domain.matching import (
    MatchMethod,
    MatchPair,
    MatchResult,
    MatchThresholds,
    match_tracks,
    score_pair,
)


def track(id: str, title: str | None = "Come Together", **fields: Any) -> TrackInfo:
    defaults: dict[str, Any] = {
        "artist": "The Beatles",
        "album": "Abbey Road",
        "track_no": 1,
        "disc_no": 1,
        "duration_s": 259.0,
    }
    return TrackInfo(id=id, title=title, **{**defaults, **fields})


def pairs(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.a_id, p.b_id) for p in result.confident}


def review_pairs(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.a_id, p.b_id) for p in result.review}


def only_pair(result: MatchResult) -> MatchPair:
    assert len(result.confident) == 1, result
    return result.confident[0]


# --- scoring ---------------------------------------------------------------------------------

BASE = track("x")


@pytest.mark.parametrize(
    ("other", "score"),
    [
        (BASE, 100.0),
        (replace(BASE, artist="Beatles"), 100.0),
        (replace(BASE, artist="Beatles, The"), 100.0),
        (replace(BASE, title="Come Together - Remastered 2009"), 100.0),
        (replace(BASE, title="COME TOGETHER (feat. Someone)"), 100.0),
        (replace(BASE, album="Abbey Road (Super Deluxe Edition)"), 100.0),
        (replace(BASE, artist="The Beatles feat. Billy Preston"), 100.0),
        (replace(BASE, artist="The Beatles & Billy Preston"), 100.0),  # token set: a subset
        (replace(BASE, track_no=None, disc_no=None, duration_s=None), 100.0),  # unknown: free
        (replace(BASE, duration_s=262.0), 100.0),  # within 3 s
        (replace(BASE, track_no=7), 92.0),
        (replace(BASE, disc_no=2), 92.0),
        (replace(BASE, track_no=7, disc_no=2), 84.0),
        (replace(BASE, duration_s=264.0), 88.0),  # 5 s off: 10 + 2
        (replace(BASE, duration_s=359.0), 70.0),  # 100 s off: 10 + 20 at most
        (replace(BASE, album=None), 90.0),  # unknown album counts half
        (replace(BASE, artist=None, album=None), 75.0),
        (replace(BASE, artist=None, album_artist="Beatles"), 100.0),  # album artist stands in
        (replace(BASE, title=None), 0.0),
        (replace(BASE, title=""), 0.0),
    ],
)
def test_score_table(other: TrackInfo, score: float) -> None:
    assert score_pair(BASE, other) == score
    assert score_pair(other, BASE) == score


@pytest.mark.parametrize(
    ("other", "low", "high"),
    [
        (replace(BASE, title="Come Togther"), 90.0, 99.9),  # a typo
        (replace(BASE, title="Something"), 50.0, 75.0),  # same album, other song
        (replace(BASE, title="Come Together (Live)"), 80.0, 95.0),
        (replace(BASE, title="Yesterday", artist="Paul McCartney", album="Help!"), 0.0, 40.0),
        (replace(BASE, album="Let It Be"), 80.0, 95.0),
    ],
)
def test_score_ranges(other: TrackInfo, low: float, high: float) -> None:
    assert low <= score_pair(BASE, other) <= high


def test_different_musicbrainz_ids_cost_twenty() -> None:
    a = replace(BASE, mbid="11111111-aaaa")
    assert score_pair(a, replace(BASE, mbid="22222222-bbbb")) == 80.0
    assert score_pair(a, replace(BASE, mbid="11111111-AAAA ")) == 100.0
    assert score_pair(a, BASE) == 100.0  # unknown on one side: free


def test_duration_tolerance_is_a_knob() -> None:
    far = replace(BASE, duration_s=264.0)
    assert score_pair(BASE, far, duration_tolerance_s=5.0) == 100.0
    assert score_pair(BASE, far, duration_tolerance_s=0.0) == 85.0


# --- stages ----------------------------------------------------------------------------------


def test_path_exact_then_case_insensitive() -> None:
    side_a = [
        track("a1", path="/music/Beatles/01 Come Together.flac"),
        track("a2", "Something", path="/music/Beatles/02 Something.flac"),
        track("a3", "Maxwell", path="/music/Beatles/03 Café.flac"),
    ]
    side_b = [
        # tags that would never match by fuzzy: the path decides
        TrackInfo("b1", path="/music/Beatles/01 Come Together.flac", title="Wrong"),
        TrackInfo("b2", path="/MUSIC/beatles/02 something.FLAC", title="Wrong too"),
        TrackInfo("b3", path="/music/Beatles/03 Cafe\u0301.flac"),  # NFD on a Mac share
    ]
    result = match_tracks(side_a, side_b)
    by_a = {p.a_id: p for p in result.confident}
    assert (by_a["a1"].b_id, by_a["a1"].method, by_a["a1"].score) == ("b1", MatchMethod.PATH, 100)
    assert (by_a["a2"].b_id, by_a["a2"].method, by_a["a2"].score) == ("b2", MatchMethod.PATH, 99)
    assert (by_a["a3"].b_id, by_a["a3"].method) == ("b3", MatchMethod.PATH)
    assert not result.review and not result.unmatched_a and not result.unmatched_b


def test_exact_path_wins_over_a_case_variant() -> None:
    side_a = [track("a1", path="/m/Song.mp3"), track("a2", path="/m/song.mp3")]
    side_b = [track("b1", path="/m/song.mp3"), track("b2", path="/m/Song.mp3")]
    assert pairs(match_tracks(side_a, side_b)) == {("a1", "b2"), ("a2", "b1")}


def test_a_path_shared_on_one_side_is_left_to_the_tags() -> None:
    side_a = [track("a1", "Come Together", path="/m/x.mp3")]
    side_b = [
        track("b1", "Something", path="/m/X.mp3"),
        track("b2", "Come Together", path="/m/x.MP3"),
    ]
    pair = only_pair(match_tracks(side_a, side_b))
    assert (pair.b_id, pair.method) == ("b2", MatchMethod.FUZZY)


def test_musicbrainz_id_matches_when_tags_differ() -> None:
    side_a = [track("a1", "Come Together", mbid="rec-1")]
    side_b = [track("b1", "Komm zusammen", artist="Die Beatles", album="?", mbid="REC-1")]
    pair = only_pair(match_tracks(side_a, side_b))
    assert (pair.b_id, pair.method, pair.score) == ("b1", MatchMethod.MBID, 100.0)


def test_one_recording_on_an_album_and_a_compilation() -> None:
    side_a = [
        track("a-album", album="Abbey Road", mbid="rec-1", track_no=1),
        track("a-best", album="1", mbid="rec-1", track_no=26),
    ]
    side_b = [
        track("b-best", album="1", mbid="rec-1", track_no=26),
        track("b-album", album="Abbey Road", mbid="rec-1", track_no=1),
    ]
    result = match_tracks(side_a, side_b)
    assert pairs(result) == {("a-album", "b-album"), ("a-best", "b-best")}
    assert {p.method for p in result.confident} == {MatchMethod.MBID}


def test_different_musicbrainz_ids_with_equal_tags_go_to_review() -> None:
    result = match_tracks([track("a1", mbid="rec-1")], [track("b1", mbid="rec-2")])
    assert not result.confident
    assert review_pairs(result) == {("a1", "b1")}
    assert result.review[0].score == 80.0


# --- realistic libraries ---------------------------------------------------------------------


def test_remasters_feat_and_the() -> None:
    side_a = [
        track("a1", "Come Together", artist="The Beatles", album="Abbey Road", track_no=1),
        track("a2", "Something", artist="The Beatles", album="Abbey Road", track_no=2),
        track("a3", "Crazy in Love", artist="Beyoncé", album="Dangerously in Love", track_no=1),
        track("a4", "Café del Mar", artist="Energy 52", album="Café del Mar", track_no=1),
    ]
    side_b = [
        track(
            "b2",
            "Something - Remastered 2009",
            artist="Beatles",
            album="Abbey Road (Remastered)",
            track_no=2,
        ),
        track(
            "b3",
            "Crazy In Love (feat. JAY-Z)",
            artist="Beyonce feat. Jay-Z",
            album="Dangerously In Love",
            track_no=1,
        ),
        track("b1", "Come Together [2019 Remaster]", artist="Beatles, The", track_no=1),
        track("b4", "Cafe Del Mar", artist="Energy52", album="Cafe del Mar", track_no=1),
    ]
    result = match_tracks(side_a, side_b)
    assert pairs(result) == {("a1", "b1"), ("a2", "b2"), ("a3", "b3"), ("a4", "b4")}
    assert all(p.method is MatchMethod.FUZZY for p in result.confident)


def test_a_different_track_number_still_matches_alone() -> None:
    # a deluxe edition renumbered the album
    pair = only_pair(match_tracks([track("a1", track_no=1)], [track("b1", track_no=3)]))
    assert (pair.b_id, pair.score) == ("b1", 92.0)


def test_track_number_chooses_between_two_takes() -> None:
    side_a = [track("a1", "Intro", track_no=1), track("a9", "Intro", track_no=9)]
    side_b = [track("b9", "Intro", track_no=9), track("b1", "Intro", track_no=1)]
    result = match_tracks(side_a, side_b)
    assert pairs(result) == {("a1", "b1"), ("a9", "b9")}


def test_same_title_on_two_albums() -> None:
    side_a = [
        track("a-abbey", "Come Together", album="Abbey Road", track_no=1),
        track("a-one", "Come Together", album="1", track_no=26),
    ]
    side_b = [
        track("b-one", "Come Together", album="1", track_no=26),
        track("b-abbey", "Come Together", album="Abbey Road", track_no=1),
    ]
    assert pairs(match_tracks(side_a, side_b)) == {("a-abbey", "b-abbey"), ("a-one", "b-one")}
    # only one of them on side B: the album decides, the other stays unmatched
    result = match_tracks(side_a, [track("b-one", "Come Together", album="1", track_no=26)])
    assert pairs(result) == {("a-one", "b-one")}
    assert result.unmatched_a == ("a-abbey",)


def test_a_duplicate_on_one_side_needs_review() -> None:
    side_a = [track("a1", path="/m/a/x.mp3"), track("a2", path="/m/b/x.mp3")]
    side_b = [track("b1")]
    result = match_tracks(side_a, side_b)
    assert not result.confident
    assert len(result.review) == 1
    review = result.review[0]
    assert (review.a_id, review.b_id) == ("a1", "b1")
    assert review.note == "ambiguous: A 'a2' is as close a match for B"
    assert result.unmatched_a == ("a2",)
    assert result.unmatched_b == ()


def test_a_duplicate_on_side_b_needs_review_too() -> None:
    result = match_tracks([track("a1")], [track("b1"), track("b2", duration_s=260.0)])
    assert [(p.a_id, p.b_id, p.note) for p in result.review] == [
        ("a1", "b1", "ambiguous: B 'b2' is as close a match for A")
    ]
    assert result.unmatched_b == ("b2",)


def test_duplicates_on_both_sides_pair_up() -> None:
    side_a = [track("a1"), track("a2")]
    side_b = [track("b1"), track("b2")]
    result = match_tracks(side_a, side_b)
    assert pairs(result) == {("a1", "b1"), ("a2", "b2")}


def test_scores_in_the_review_band_wait_for_a_person() -> None:
    side_a = [track("a1", album=None, artist=None)]  # 75: title only
    result = match_tracks(side_a, [track("b1")])
    assert not result.confident
    assert review_pairs(result) == {("a1", "b1")}
    assert result.review[0].note == "score 75.0 is below 85.0"
    loose = match_tracks(side_a, [track("b1")], thresholds=MatchThresholds(accept_score=70))
    assert pairs(loose) == {("a1", "b1")}


def test_scores_below_the_review_band_are_not_proposed() -> None:
    side_a = [track("a1", "Come Together")]
    side_b = [track("b1", "Something", album="Let It Be", track_no=5)]
    result = match_tracks(side_a, side_b)
    assert not result.confident and not result.review
    assert (result.unmatched_a, result.unmatched_b) == (("a1",), ("b1",))


def test_a_different_artist_and_album_still_meet_on_the_title() -> None:
    side_a = [track("a1", "Purple Rain", artist="Prince", album="Purple Rain", track_no=9)]
    side_b = [
        track(
            "b1",
            "Purple Rain",
            artist="Prince and The Revolution",
            album="Purple Rain (Deluxe Expanded)",
            track_no=9,
        )
    ]
    assert pairs(match_tracks(side_a, side_b)) == {("a1", "b1")}


def test_a_typo_at_the_start_of_the_title_meets_in_the_album_block() -> None:
    side_a = [track("a1", "Something", track_no=2), track("a2", "Come Together", track_no=1)]
    side_b = [track("b1", "Smoething", track_no=2), track("b2", "Come Together", track_no=1)]
    assert pairs(match_tracks(side_a, side_b)) == {("a1", "b1"), ("a2", "b2")}


# --- prior decisions -------------------------------------------------------------------------


def test_a_confirmed_pair_survives_a_move_and_a_retag() -> None:
    side_a = [track("plex-1", path="/old/place.mp3")]
    side_b = [TrackInfo("file-1", path="/new/place.mp3", title="Something else entirely")]
    result = match_tracks(side_a, side_b, confirmed=[("plex-1", "file-1")])
    pair = only_pair(result)
    assert (pair.a_id, pair.b_id, pair.method, pair.score) == (
        "plex-1",
        "file-1",
        MatchMethod.MANUAL,
        100.0,
    )


def test_confirmed_pairs_of_vanished_tracks_are_ignored() -> None:
    result = match_tracks([track("a1")], [track("b1")], confirmed=[("a1", "gone"), ("gone", "b1")])
    pair = only_pair(result)
    assert (pair.a_id, pair.b_id, pair.method) == ("a1", "b1", MatchMethod.FUZZY)


def test_conflicting_confirmations_keep_the_first() -> None:
    other = {"artist": "Prince", "album": "1999", "track_no": 4}
    side_a = [track("a1"), track("a2", "Little Red Corvette", **other)]
    side_b = [track("b1"), track("b2", "Little Red Corvette", **other)]
    result = match_tracks(side_a, side_b, confirmed=[("a1", "b2"), ("a1", "b1"), ("a2", "b2")])
    assert pairs(result) == {("a1", "b2")}
    assert (result.unmatched_a, result.unmatched_b) == (("a2",), ("b1",))


def test_a_rejected_pair_is_never_proposed_again() -> None:
    side_a = [track("a1", path="/m/x.mp3", mbid="rec-1")]
    side_b = [track("b1", path="/m/x.mp3", mbid="rec-1"), track("b2", track_no=2)]
    result = match_tracks(side_a, side_b, rejected=[("a1", "b1")])
    # not by path, not by mbid, not by tags: the next best candidate is proposed instead
    assert pairs(result) | review_pairs(result) == {("a1", "b2")}
    assert result.unmatched_b == ("b1",)


def test_rejection_beats_confirmation() -> None:
    result = match_tracks(
        [track("a1")], [track("b1")], confirmed=[("a1", "b1")], rejected=[("a1", "b1")]
    )
    assert not result.confident and not result.review


# --- input checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["A", "B"])
def test_duplicate_ids_are_invalid_input(side: str) -> None:
    twice = [track("x"), track("x", "Other")]
    side_a, side_b = (twice, []) if side == "A" else ([], twice)
    with pytest.raises(InvalidInput, match=f"'x' occurs twice on side {side}"):
        match_tracks(side_a, side_b)


@pytest.mark.parametrize(
    "fields",
    [
        {"review_score": 90.0, "accept_score": 80.0},
        {"accept_score": 101.0},
        {"review_score": -1.0},
        {"ambiguity_margin": -1.0},
        {"duration_tolerance_s": -0.5},
        {"max_block_pairs": 0},
    ],
)
def test_bad_thresholds_are_invalid_input(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        MatchThresholds(**fields)


def test_empty_sides() -> None:
    assert match_tracks([], []) == MatchResult((), (), (), ())
    assert match_tracks([track("a1")], []).unmatched_a == ("a1",)


# --- cost ------------------------------------------------------------------------------------


def _library(count: int, prefix: str, *, typo: bool = False) -> list[TrackInfo]:
    words = ["alpha", "bravo", "carmen", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
    tracks = []
    for n in range(count):
        title = f"{words[n % 9]} {words[n // 9 % 9]} {words[n // 81 % 9]} {n}"
        if typo:
            title = title[:-1] + "x"  # defeats the exact key, so blocking does the work
        tracks.append(
            track(
                f"{prefix}{n}",
                title,
                artist=f"artist {n // 40}",
                album=f"album {n // 12}",
                track_no=n % 12 + 1,
            )
        )
    return tracks


@pytest.mark.parametrize("typo", [False, True])
def test_cost_is_near_linear(typo: bool) -> None:
    compared = {}
    for count in (600, 1_200):
        result = match_tracks(_library(count, "a"), _library(count, "b", typo=typo))
        assert len(result.confident) == count
        assert result.skipped_blocks == 0
        compared[count] = result.compared_pairs
    # a full comparison would be 360,000 and 1,440,000 pairs; blocks (an album is 12 tracks)
    # keep it to a bounded number per track, so twice the tracks cost about twice as much
    assert compared[600] <= 20 * 600
    assert compared[1_200] <= 2.2 * compared[600]


def test_oversized_blocks_are_split_then_skipped() -> None:
    side_a = [track(f"a{n}", f"Song {n}x", artist="Same", album="Same") for n in range(30)]
    side_b = [track(f"b{n}", f"Song {n}y", artist="Same", album="Same") for n in range(30)]
    result = match_tracks(side_a, side_b, thresholds=MatchThresholds(max_block_pairs=100))
    assert result.skipped_blocks >= 1
    every = match_tracks(side_a, side_b)
    assert result.compared_pairs < every.compared_pairs


# --- properties ------------------------------------------------------------------------------

TITLES = ["Intro", "Come Together", "Come Togther", "Something", "Song (Live)", "Song"]
ARTISTS = ["The Beatles", "Beatles", "Prince", None]
ALBUMS = ["Abbey Road", "1", "Abbey Road (Remastered)", None]


@st.composite
def libraries(draw: st.DrawFn) -> tuple[list[TrackInfo], list[TrackInfo]]:
    def one_side(prefix: str) -> list[TrackInfo]:
        size = draw(st.integers(0, 8))
        return [
            TrackInfo(
                id=f"{prefix}{n}",
                path=draw(st.sampled_from([None, "/m/x.mp3", "/m/X.mp3", "/m/y.mp3"])),
                title=draw(st.sampled_from([*TITLES, None])),
                artist=draw(st.sampled_from(ARTISTS)),
                album=draw(st.sampled_from(ALBUMS)),
                track_no=draw(st.sampled_from([None, 1, 2])),
                disc_no=draw(st.sampled_from([None, 1, 2])),
                duration_s=draw(st.sampled_from([None, 200.0, 201.5, 240.0])),
                mbid=draw(st.sampled_from([None, "rec-1", "rec-2"])),
            )
            for n in range(size)
        ]

    return one_side("a"), one_side("b")


@settings(max_examples=300, deadline=None)
@given(
    sides=libraries(),
    decisions=st.lists(
        st.tuples(
            st.sampled_from([f"a{n}" for n in range(9)]),
            st.sampled_from([f"b{n}" for n in range(9)]),
        ),
        max_size=6,
    ),
    split=st.integers(0, 6),
    max_block_pairs=st.sampled_from([1, 4, 2_500]),
)
def test_matching_is_one_to_one_and_complete(
    sides: tuple[list[TrackInfo], list[TrackInfo]],
    decisions: list[tuple[str, str]],
    split: int,
    max_block_pairs: int,
) -> None:
    side_a, side_b = sides
    confirmed, rejected = decisions[:split], decisions[split:]
    thresholds = MatchThresholds(max_block_pairs=max_block_pairs)
    result = match_tracks(
        side_a, side_b, confirmed=confirmed, rejected=rejected, thresholds=thresholds
    )
    proposed = [*result.confident, *result.review]
    a_ids = [p.a_id for p in proposed]
    b_ids = [p.b_id for p in proposed]
    # one to one
    assert len(set(a_ids)) == len(a_ids)
    assert len(set(b_ids)) == len(b_ids)
    # every track exactly once: in a pair or unmatched, never both
    assert sorted([*a_ids, *result.unmatched_a]) == sorted(t.id for t in side_a)
    assert sorted([*b_ids, *result.unmatched_b]) == sorted(t.id for t in side_b)
    assert not set(a_ids) & set(result.unmatched_a)
    assert not set(b_ids) & set(result.unmatched_b)
    # usable confirmations are kept, first come first served
    a_known, b_known = {t.id for t in side_a}, {t.id for t in side_b}
    kept: set[tuple[str, str]] = set()
    for a_id, b_id in confirmed:
        usable = a_id in a_known and b_id in b_known and (a_id, b_id) not in rejected
        if usable and all(a_id != x and b_id != y for x, y in kept):
            kept.add((a_id, b_id))
    manual = {(p.a_id, p.b_id) for p in result.confident if p.method is MatchMethod.MANUAL}
    assert manual == kept
    # rejected pairs never come back
    assert not {(p.a_id, p.b_id) for p in proposed} & set(rejected)
    for pair in proposed:
        assert 0.0 <= pair.score <= 100.0
        assert pair.score >= thresholds.review_score
        assert (pair.note == "") == (pair in result.confident)
    for pair in result.confident:
        assert pair.score >= thresholds.accept_score
    # the same input gives the same answer
    again = match_tracks(
        side_a, side_b, confirmed=confirmed, rejected=rejected, thresholds=thresholds
    )
    assert again == result
