"""Write profiles and write plans (docs/RATINGS.md), one table row per case."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import (
    Family,
    TagReading,
)
from app.domain.ratings.profiles import (
    PRESETS,
    PresetName,
    TagWrite,
    WriteProfile,
    custom_profile,
    plan_write,
    preset,
    with_popm_email,
)
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating

R = Rating


# --- profiles and write plans -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "id3", "vorbis"),
    [
        ("musicbee", ("popm:musicbee",), ("vorbis:rating",)),
        ("mediamonkey", ("popm:mediamonkey",), ("vorbis:rating",)),
        ("windows", ("popm:windows",), ("vorbis:rating",)),
        ("wmp", ("popm:windows",), ("vorbis:rating",)),
        ("foobar2000", ("txxx:rating",), ("vorbis:rating",)),
        ("picard", ("popm:picard",), ("vorbis:rating:users@musicbrainz.org",)),
        ("quodlibet", ("popm:quodlibet",), ("vorbis:rating:quodlibet@lists.sacredchao.net",)),
        ("fmps", ("txxx:fmps_rating",), ("vorbis:fmps_rating",)),
        ("Strawberry", ("txxx:fmps_rating",), ("vorbis:fmps_rating",)),
        ("winamp", ("popm:winamp",), ("vorbis:rating",)),
        ("pmrs", ("popm:plex",), ("vorbis:rating",)),
        ("Plex", ("popm:plex",), ("vorbis:rating",)),
        (
            "everything",
            ("popm:windows", "popm:musicbee", "txxx:fmps_rating"),
            ("vorbis:rating", "vorbis:fmps_rating"),
        ),
    ],
)
def test_presets(name: str, id3: tuple[str, ...], vorbis: tuple[str, ...]) -> None:
    profile = preset(name)
    assert profile.defaults(Family.ID3) == id3
    assert profile.defaults(Family.VORBIS) == vorbis
    assert profile.defaults(Family.ASF) == ("asf:shareduserrating",)
    assert profile.defaults(Family.APE) == ("ape:rating",)
    assert profile.mode == "update_existing"


def test_every_preset_is_listed() -> None:
    assert set(PRESETS) == {
        "musicbee", "mediamonkey", "windows", "winamp", "pmrs", "foobar2000", "picard",
        "quodlibet", "fmps", "everything",
    }  # fmt: skip
    assert [name.value for name in PresetName] == list(PRESETS)
    assert preset("foobar2000").text_scale is TextScale.STARS5
    assert preset("musicbee").defaults(Family.MP4) == ("mp4:itunes_rate",)


def test_custom_profile_and_bad_profiles() -> None:
    profile = custom_profile(
        "mine", ["popm:me@example.org", "vorbis:fmps_rating"], mode="replace_all"
    )
    assert profile.defaults(Family.ID3) == ("popm:me@example.org",)
    assert profile.defaults(Family.VORBIS) == ("vorbis:fmps_rating",)
    assert profile.defaults(Family.MP4) == ("mp4:itunes_rate",)
    assert profile.mode == "replace_all"
    with pytest.raises(InvalidInput):
        preset("itunes")
    with pytest.raises(InvalidInput):
        WriteProfile("bad", id3=("vorbis:rating",))
    with pytest.raises(InvalidInput):
        WriteProfile("bad", id3=("popm:windows",), text_scale=TextScale.TENTHS)
    with pytest.raises(InvalidInput):
        preset("musicbee").with_mode("everything")  # type: ignore[arg-type]


PRESENT = (
    TagReading("popm:windows", "196", R(8)),
    TagReading("txxx:rating", "4", R(8), TextScale.STARS5),
)


@pytest.mark.parametrize(
    ("mode", "rating", "expected"),
    [
        (
            "update_existing",
            R(6),
            [TagWrite("popm:windows", "128", R(6)), TagWrite("txxx:rating", "60", R(6))],
        ),
        ("default_only", R(6), [TagWrite("popm:musicbee", "128", R(6))]),
        (
            "replace_all",
            R(6),
            [
                TagWrite("popm:musicbee", "128", R(6)),
                TagWrite("popm:windows", "0", None),
                TagWrite("txxx:rating", None, None),
            ],
        ),
        (
            "update_existing",
            None,
            [TagWrite("popm:windows", "0", None), TagWrite("txxx:rating", None, None)],
        ),
        ("default_only", None, []),
        (
            "replace_all",
            None,
            [TagWrite("popm:windows", "0", None), TagWrite("txxx:rating", None, None)],
        ),
    ],
)
def test_plan_write_modes(mode: str, rating: Rating | None, expected: list[TagWrite]) -> None:
    profile = preset("musicbee", mode)  # type: ignore[arg-type]
    assert list(plan_write(PRESENT, rating, profile, Family.ID3)) == expected


def test_plan_write_adds_defaults_to_a_file_without_rating_tags() -> None:
    plan = plan_write((), R(7), preset("everything"), Family.ID3)
    assert [(w.dialect, w.raw) for w in plan] == [
        ("popm:windows", "186"),
        ("popm:musicbee", "186"),
        ("txxx:fmps_rating", "0.7"),
    ]


def test_plan_write_skips_what_the_file_already_says() -> None:
    present = (TagReading("popm:windows", "128", R(6)),)
    assert plan_write(present, R(6), preset("windows"), Family.ID3) == ()
    assert (
        plan_write((TagReading("popm:windows", "0", None),), None, preset("windows"), Family.ID3)
        == ()
    )


def test_plan_write_collapses_repeated_text_fields() -> None:
    present = (
        TagReading("vorbis:rating", "60", R(6), TextScale.PERCENT),
        TagReading("vorbis:rating", "60", R(6), TextScale.PERCENT),
    )
    assert plan_write(present, R(6), preset("musicbee"), Family.VORBIS) == (
        TagWrite("vorbis:rating", "60", R(6)),
    )


def test_plan_write_uses_the_pinned_scale() -> None:
    plan = plan_write((), R(1), preset("musicbee"), Family.VORBIS, pinned_scale=TextScale.PERCENT)
    assert plan == (TagWrite("vorbis:rating", "10", R(1)),)
    plan = plan_write((), R(1), preset("musicbee"), Family.VORBIS)
    assert plan == (TagWrite("vorbis:rating", "20", R(2)),)


@pytest.mark.parametrize(
    ("base", "email", "id3"),
    [
        ("musicbee", "Plex", ("popm:plex",)),
        ("musicbee", "rating@winamp.com", ("popm:winamp",)),
        ("windows", "me@example.org", ("popm:me@example.org",)),
        ("everything", "Plex", ("popm:plex", "txxx:fmps_rating")),
        ("foobar2000", "Plex", ("popm:plex", "txxx:rating")),
    ],
)
def test_a_custom_popm_email_replaces_the_presets_popm_frames(
    base: str, email: str, id3: tuple[str, ...]
) -> None:
    profile = with_popm_email(preset(base), email)
    assert profile.defaults(Family.ID3) == id3
    assert profile.defaults(Family.VORBIS) == preset(base).defaults(Family.VORBIS)


@pytest.mark.parametrize("email", ["", "  ", "a\nb"])
def test_a_bad_popm_email_is_refused(email: str) -> None:
    with pytest.raises(InvalidInput, match="POPM email"):
        with_popm_email(preset("musicbee"), email)
