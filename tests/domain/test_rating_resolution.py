"""Several rating tags in one file: the read policies (docs/RATINGS.md), one table row per
case."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import (
    TagReading,
)
from app.domain.ratings.profiles import (
    preset,
)
from app.domain.ratings.resolution import (
    DEFAULT_PRIORITY,
    ReadPolicy,
    ReadPolicyKind,
    parse_priority,
    resolve,
)
from app.domain.ratings.value import Rating

R = Rating


# --- several tags in one file -----------------------------------------------------------------


def reading(dialect_id: str, half_stars: int | None) -> TagReading:
    return TagReading(
        dialect_id, str(half_stars or 0), None if half_stars is None else R(half_stars)
    )


DISAGREEING = (
    reading("popm:windows", 8),
    reading("popm:musicbee", 7),
    reading("txxx:fmps_rating", 4),
    reading("popm:picard", None),
)


@pytest.mark.parametrize(
    ("policy", "half_stars", "decided_by"),
    [
        (ReadPolicy(ReadPolicyKind.HIGHEST), 8, "highest"),
        (ReadPolicy(ReadPolicyKind.LOWEST), 4, "lowest"),
        (ReadPolicy(ReadPolicyKind.AVERAGE), 6, "average"),  # 19/3 = 6.33 -> 6
        (ReadPolicy(), 7, "priority:popm:musicbee"),  # musicbee leads the default list
        (ReadPolicy(priority=("txxx:fmps_rating",)), 4, "priority:txxx:fmps_rating"),
        (ReadPolicy(priority=("ape:rating",)), 8, "priority:popm:windows"),  # file order
        (ReadPolicy.for_profile(preset("windows")), 8, "priority:popm:windows"),
    ],
)
def test_disagreeing_tags_resolve_per_policy(
    policy: ReadPolicy, half_stars: int, decided_by: str
) -> None:
    resolution = resolve(DISAGREEING, policy)
    assert resolution.rating == R(half_stars)
    assert resolution.disagreement
    assert resolution.decided_by == decided_by
    assert resolution.evidence == DISAGREEING
    assert not resolution.needs_decision


def test_average_snaps_half_up() -> None:
    tags = (reading("popm:windows", 8), reading("popm:musicbee", 7))
    assert resolve(tags, ReadPolicy(ReadPolicyKind.AVERAGE)).rating == R(8)


def test_ask_leaves_it_to_a_person() -> None:
    resolution = resolve(DISAGREEING, ReadPolicy(ReadPolicyKind.ASK))
    assert resolution.rating is None
    assert resolution.needs_decision
    assert resolution.disagreement
    assert resolution.evidence == DISAGREEING


def test_agreeing_tags_and_unrated_ones() -> None:
    tags = (reading("popm:windows", 8), reading("vorbis:rating", None), reading("mp4:rate", 8))
    resolution = resolve(tags, ReadPolicy(ReadPolicyKind.ASK))
    assert (resolution.rating, resolution.disagreement, resolution.decided_by) == (
        R(8),
        False,
        "agreement",
    )
    assert resolve((), ReadPolicy()).decided_by == "unrated"
    assert resolve((reading("popm:windows", None),), ReadPolicy()).rating is None


def test_read_policy_parse() -> None:
    assert ReadPolicy.parse("HIGHEST").kind is ReadPolicyKind.HIGHEST
    assert ReadPolicy.parse("priority", ["POPM:MusicBee"]).priority == ("popm:musicbee",)
    with pytest.raises(InvalidInput):
        ReadPolicy.parse("loudest")


def test_default_priority_starts_with_the_write_dialects() -> None:
    policy = ReadPolicy.for_profile(preset("fmps"))
    assert policy.priority[:2] == ("txxx:fmps_rating", "vorbis:fmps_rating")
    assert set(DEFAULT_PRIORITY) <= set(policy.priority)
    assert len(policy.priority) == len(set(policy.priority))


@pytest.mark.parametrize(
    ("given", "ids"),
    [
        ("musicbee,windows,vorbis:rating", ("popm:musicbee", "popm:windows", "vorbis:rating")),
        # plex-music-rating-sync's --tag-priority-order names
        (
            "WINDOWSMEDIAPLAYER, MEDIAMONKEY,MUSICBEE ,WINAMP,TEXT",
            ("popm:windows", "popm:mediamonkey", "popm:musicbee", "popm:winamp", "txxx:rating"),
        ),
        ("POPM:Plex, POPM:me@example.org", ("popm:plex", "popm:me@example.org")),
        (
            ["fmps", "plex", "wmp", "windows"],
            ("txxx:fmps_rating", "vorbis:fmps_rating", "popm:plex", "popm:windows"),
        ),
    ],
)
def test_parse_priority(given: str | list[str], ids: tuple[str, ...]) -> None:
    assert parse_priority(given) == ids


@pytest.mark.parametrize(
    ("given", "message"),
    [("musicbee, nonsense", "unknown tag 'nonsense'"), (" , ", "empty"), ("xyz:rating", "dialect")],
)
def test_parse_priority_refuses_what_it_does_not_know(given: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_priority(given)


def test_a_priority_list_comes_before_the_profiles_dialects() -> None:
    policy = ReadPolicy.for_profile(preset("musicbee"), priority=("popm:windows",))
    assert policy.priority[:2] == ("popm:windows", "popm:musicbee")
    readings = [
        TagReading("popm:musicbee", "64", Rating(4)),
        TagReading("popm:windows", "196", Rating(8)),
    ]
    assert resolve(readings, policy).rating == Rating(8)
