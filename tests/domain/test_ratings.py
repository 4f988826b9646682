"""The rating rules of docs/RATINGS.md, one table row per case."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import (
    Codec,
    Family,
    TagReading,
    decode,
    decode_asf,
    decode_popm,
    dialect,
    encode,
    encode_asf,
    encode_popm,
    popm_dialect_id,
)
from app.domain.ratings.profiles import (
    PRESETS,
    TagWrite,
    WriteProfile,
    custom_profile,
    plan_write,
    preset,
)
from app.domain.ratings.resolution import (
    DEFAULT_PRIORITY,
    ReadPolicy,
    ReadPolicyKind,
    resolve,
)
from app.domain.ratings.scales import TextScale, decode_text, encode_text, parse_scale
from app.domain.ratings.value import Rating, round_half_up

R = Rating


# --- the canonical value ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (7.5, 8),
        (7.49, 7),
        (6.5, 7),
        (0.5, 1),
        (0.49, 0),
        (Fraction(15, 2), 8),
        (Decimal("2.5"), 3),
        (0.35 * 10, 4),  # 3.5 on paper: halves go up, whatever the float noise
        (4, 4),
        (-0.5, 0),
    ],
)
def test_round_half_up(value: float | Fraction | Decimal, rounded: int) -> None:
    assert round_half_up(value) == rounded


def test_round_half_up_refuses_nan() -> None:
    with pytest.raises(ValueError, match="cannot round nan"):
        round_half_up(float("nan"))


@pytest.mark.parametrize("half_stars", [0, 11, -1])
def test_rating_range(half_stars: int) -> None:
    with pytest.raises(ValueError, match=r"half_stars must be 1\.\.10"):
        Rating(half_stars)


def test_rating_is_an_int() -> None:
    with pytest.raises(TypeError):
        Rating(True)


@pytest.mark.parametrize(
    ("stars", "expected"),
    [
        (3.5, R(7)),
        ("3.5", R(7)),
        ("3,5", R(7)),
        (5, R(10)),
        (0.5, R(1)),
        (0.25, R(1)),  # 0.5 half stars rounds up to ½★
        (0.1, R(1)),  # any non-zero value is at least ½★
        (3.74, R(7)),
        (3.75, R(8)),
        (0, None),
    ],
)
def test_rating_from_stars(stars: float | str, expected: Rating | None) -> None:
    assert Rating.from_stars(stars) == expected


@pytest.mark.parametrize("stars", [5.5, -1, "x", "1e3"])
def test_rating_from_bad_stars(stars: float | str) -> None:
    with pytest.raises(InvalidInput):
        Rating.from_stars(stars)


@pytest.mark.parametrize(
    ("user_rating", "expected"),
    [(None, None), (0.0, None), (7.0, R(7)), (7.5, R(8)), (10.0, R(10)), (0.2, R(1))],
)
def test_rating_from_plex(user_rating: float | None, expected: Rating | None) -> None:
    assert Rating.from_plex(user_rating) == expected


@pytest.mark.parametrize("user_rating", [-1.0, 10.5, float("inf")])
def test_rating_from_bad_plex(user_rating: float) -> None:
    with pytest.raises(InvalidInput):
        Rating.from_plex(user_rating)


@pytest.mark.parametrize(
    ("rating", "shown", "stars"), [(R(1), "½★", 0.5), (R(7), "3½★", 3.5), (R(10), "5★", 5.0)]
)
def test_rating_display(rating: Rating, shown: str, stars: float) -> None:
    assert str(rating) == shown
    assert rating.stars == stars
    assert rating.to_plex() == float(rating.half_stars)


# --- POPM ----------------------------------------------------------------------------------

HALF_STAR_MAP = [13, 1, 54, 64, 118, 128, 186, 196, 242, 255]
WMP_WHOLE = {2: 1, 4: 64, 6: 128, 8: 196, 10: 255}
PICARD_WHOLE = {2: 51, 4: 102, 6: 153, 8: 204, 10: 255}
QUODLIBET = [25, 51, 76, 102, 127, 153, 178, 204, 229, 255]

WRITER_BYTES = (
    [("MusicBee", byte, h) for h, byte in enumerate(HALF_STAR_MAP, 1)]
    + [("no@email", byte, h) for h, byte in enumerate(HALF_STAR_MAP, 1)]
    + [("Plex", byte, h) for h, byte in enumerate(HALF_STAR_MAP, 1)]
    + [("Windows Media Player 9 Series", byte, h) for h, byte in WMP_WHOLE.items()]
    + [("rating@winamp.com", byte, h) for h, byte in WMP_WHOLE.items()]
    + [("users@musicbrainz.org", byte, h) for h, byte in PICARD_WHOLE.items()]
    + [("quodlibet@lists.sacredchao.net", byte, h) for h, byte in enumerate(QUODLIBET, 1)]
)


@pytest.mark.parametrize(("email", "byte", "half_stars"), WRITER_BYTES)
def test_popm_writer_bytes_decode_to_intended_stars(email: str, byte: int, half_stars: int) -> None:
    assert decode_popm(byte) == R(half_stars)
    assert decode(popm_dialect_id(email), str(byte)).rating == R(half_stars)


@pytest.mark.parametrize(
    ("byte", "half_stars"),
    [
        (1, 2), (13, 1), (51, 2), (54, 3), (64, 4), (102, 4), (118, 5),
        (128, 6), (153, 6), (186, 7), (196, 8), (204, 8), (242, 9), (255, 10),
    ],
)  # fmt: skip
def test_popm_exact_table(byte: int, half_stars: int) -> None:
    assert decode_popm(byte) == R(half_stars)


@pytest.mark.parametrize(
    ("byte", "half_stars"),
    [
        (2, 1),  # 0.08 -> 0, clamped up to ½★: a non-zero byte is a rating
        (12, 1),
        (25, 1),
        (38, 1),  # 1.49
        (39, 2),  # 1.53
        (43, 2),  # PMRS read 1½★ here
        (50, 2),
        (65, 3),  # 2.55: past the exact 64
        (140, 5),  # 5.49
        (141, 6),  # 5.53
        (200, 8),
        (230, 9),
        (250, 10),
    ],
)
def test_popm_linear_half_stars(byte: int, half_stars: int) -> None:
    assert decode_popm(byte) == R(half_stars)


def test_popm_zero_is_unrated_and_every_byte_decodes() -> None:
    assert decode_popm(0) is None
    assert all(decode_popm(b) is not None for b in range(1, 256))
    with pytest.raises(ValueError, match="a POPM rating is a byte"):
        decode_popm(256)


WRITE_MAPS = (
    [(e, HALF_STAR_MAP) for e in ("MusicBee", "no@email", "Plex", "nobody@example.org")]
    + [("Windows Media Player 9 Series", HALF_STAR_MAP), ("rating@winamp.com", HALF_STAR_MAP)]
    + [("users@musicbrainz.org", [51, 51, 102, 102, 153, 153, 204, 204, 255, 255])]
    + [("quodlibet@lists.sacredchao.net", QUODLIBET)]
)


@pytest.mark.parametrize(("email", "bytes_by_half_star"), WRITE_MAPS)
def test_popm_write_maps(email: str, bytes_by_half_star: list[int]) -> None:
    assert [encode_popm(R(h), email) for h in range(1, 11)] == bytes_by_half_star


WINDOWS_DISPLAY_RANGES = [(1, 31, 1), (32, 95, 2), (96, 159, 3), (160, 223, 4), (224, 255, 5)]


@pytest.mark.parametrize("half_stars", range(1, 11))
def test_windows_shows_our_half_star_bytes_rounded_up_to_whole_stars(half_stars: int) -> None:
    byte = encode_popm(R(half_stars), "Windows Media Player 9 Series")
    shown = next(stars for low, high, stars in WINDOWS_DISPLAY_RANGES if low <= byte <= high)
    assert shown == (half_stars + 1) // 2


def test_popm_email_is_case_insensitive() -> None:
    assert popm_dialect_id("MUSICBEE") == "popm:musicbee"
    assert popm_dialect_id("Windows Media Player 9 Series") == "popm:windows"
    assert popm_dialect_id("Someone@Example.org") == "popm:someone@example.org"
    assert encode_popm(R(1), "USERS@musicbrainz.org") == 51


# --- ASF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "half_stars"),
    [
        (0, None), (1, 2), (12, 2), (13, 4), (25, 4), (37, 4), (38, 6), (50, 6),
        (62, 6), (63, 8), (75, 8), (86, 8), (87, 10), (99, 10), (100, 10),
    ],
)  # fmt: skip
def test_asf_ranges(value: int, half_stars: int | None) -> None:
    decoded = decode_asf(value)
    assert decoded.valid
    assert decoded.rating == (None if half_stars is None else R(half_stars))


def test_asf_out_of_range_is_invalid() -> None:
    assert not decode_asf(101).valid
    assert not decode("asf:shareduserrating", "-3").valid


@pytest.mark.parametrize(
    ("half_stars", "value"),
    [(1, 1), (2, 1), (3, 25), (4, 25), (5, 50), (6, 50), (7, 75), (8, 75), (9, 99), (10, 99)],
)
def test_asf_writes_whole_stars_rounding_halves_up(half_stars: int, value: int) -> None:
    assert encode_asf(R(half_stars)) == value


# --- text scales ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "half_stars", "scale"),
    [
        ("4", 8, TextScale.STARS5),  # docs/RATINGS.md: 1 <= v <= 5 -> stars
        ("80", 8, TextScale.PERCENT),
        (" 80 ", 8, TextScale.PERCENT),
        ("80.0", 8, TextScale.PERCENT),
        ("4,5", 9, TextScale.STARS5),
        ("0.8", 8, TextScale.UNIT),
        ("0,5", 5, TextScale.UNIT),
        (".7", 7, TextScale.UNIT),
        ("1", 2, TextScale.STARS5),
        ("1.0", 2, TextScale.STARS5),
        ("5", 10, TextScale.STARS5),
        ("5.5", 6, TextScale.TENTHS),
        ("7", 7, TextScale.TENTHS),
        ("10", 10, TextScale.TENTHS),
        ("10.5", 1, TextScale.PERCENT),
        ("20", 2, TextScale.PERCENT),
        ("64", 6, TextScale.PERCENT),  # PMRS-S read this as a POPM byte
        ("75", 8, TextScale.PERCENT),  # 7.5 half stars: round half up
        ("100", 10, TextScale.PERCENT),
    ],
)
def test_text_scale_detected_per_value(text: str, half_stars: int, scale: TextScale) -> None:
    decoded = decode_text(text)
    assert decoded == decoded.__class__(R(half_stars), scale)


@pytest.mark.parametrize("text", ["0", "0.0", " 0 "])
def test_text_zero_is_unrated(text: str) -> None:
    decoded = decode_text(text)
    assert decoded.rating is None
    assert decoded.valid


@pytest.mark.parametrize("text", ["", "abc", "-5", "100.5", "101", "1e2", "4/5", "½", "nan"])
def test_text_invalid(text: str) -> None:
    decoded = decode_text(text)
    assert decoded.rating is None
    assert not decoded.valid


@pytest.mark.parametrize(
    ("text", "pinned", "half_stars"),
    [
        ("4", TextScale.PERCENT, 1),  # 0.4 half stars, non-zero: at least ½★
        ("4", TextScale.TENTHS, 4),
        ("4", TextScale.UNIT, None),  # beyond the scale: invalid
        ("80", TextScale.PERCENT, 8),
        ("80", TextScale.STARS5, None),
        ("10", TextScale.PERCENT, 1),
        ("0.5", TextScale.STARS5, 1),
        ("0.5", TextScale.PERCENT, 1),
        ("1", TextScale.UNIT, 10),
        ("3", TextScale.STARS5, 6),
    ],
)
def test_pinned_scale_always_wins(text: str, pinned: TextScale, half_stars: int | None) -> None:
    decoded = decode_text(text, pinned_scale=pinned)
    assert decoded.rating == (None if half_stars is None else R(half_stars))
    assert decoded.scale is pinned


@pytest.mark.parametrize(
    ("dialect_id", "text", "half_stars"),
    [
        ("txxx:fmps_rating", "0.7", 7),
        ("txxx:fmps_rating", "1.0", 10),
        ("txxx:fmps_rating", "1", 10),  # FMPS is always 0..1, never stars
        ("vorbis:fmps_rating", "0.35", 4),
        ("vorbis:rating:quodlibet@lists.sacredchao.net", "0.6", 6),
        ("vorbis:rating:quodlibet@lists.sacredchao.net", "1.0", 10),
    ],
)
def test_fmps_and_quodlibet_are_always_unit(dialect_id: str, text: str, half_stars: int) -> None:
    reading = decode(dialect_id, text, pinned_scale=TextScale.PERCENT)
    assert reading.rating == R(half_stars)
    assert reading.scale is TextScale.UNIT


@pytest.mark.parametrize(
    ("scale", "texts"),
    [
        (TextScale.PERCENT, ["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]),
        (TextScale.STARS5, ["0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"]),
        (TextScale.TENTHS, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
        (TextScale.UNIT, ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]),
    ],
)
def test_encode_text_scales(scale: TextScale, texts: list[str]) -> None:
    assert [encode_text(R(h), scale) for h in range(1, 11)] == texts
    assert [decode_text(t, pinned_scale=scale).rating for t in texts] == [
        R(h) for h in range(1, 11)
    ]


@pytest.mark.parametrize(
    ("name", "scale"),
    [("percent", TextScale.PERCENT), (" STARS5 ", TextScale.STARS5), ("auto", None), (None, None)],
)
def test_parse_scale(name: str | None, scale: TextScale | None) -> None:
    assert parse_scale(name) is scale


def test_parse_scale_rejects_unknown() -> None:
    with pytest.raises(InvalidInput):
        parse_scale("thirds")


# --- dialects: every dialect reads back what it writes --------------------------------------

LOSSLESS = [
    "popm:musicbee", "popm:mediamonkey", "popm:plex", "popm:windows", "popm:winamp",
    "popm:quodlibet", "popm:someone@example.org", "txxx:fmps_rating", "vorbis:fmps_rating",
    "vorbis:rating:quodlibet@lists.sacredchao.net",
]  # fmt: skip
DETECTED = ["txxx:rating", "vorbis:rating", "mp4:itunes_rate", "mp4:itunes_rating", "mp4:rate"]
DETECTED += ["ape:rating"]
WHOLE_STARS = ["popm:picard", "asf:shareduserrating"]


@pytest.mark.parametrize("dialect_id", LOSSLESS)
@pytest.mark.parametrize("half_stars", range(1, 11))
def test_lossless_dialects_round_trip(dialect_id: str, half_stars: int) -> None:
    written = encode(dialect_id, R(half_stars))
    assert written.rating == R(half_stars)
    assert decode(dialect_id, written.raw) == written


@pytest.mark.parametrize("dialect_id", DETECTED)
@pytest.mark.parametrize("scale", [TextScale.PERCENT, TextScale.STARS5, TextScale.TENTHS])
@pytest.mark.parametrize("half_stars", range(1, 11))
def test_detected_dialects_round_trip_with_a_pinned_scale(
    dialect_id: str, scale: TextScale, half_stars: int
) -> None:
    written = encode(dialect_id, R(half_stars), pinned_scale=scale)
    assert written.rating == R(half_stars)
    assert decode(dialect_id, written.raw, pinned_scale=scale).rating == R(half_stars)


@pytest.mark.parametrize("dialect_id", DETECTED)
@pytest.mark.parametrize("scale", [TextScale.PERCENT, TextScale.STARS5])
@pytest.mark.parametrize("half_stars", range(1, 11))
def test_detected_dialects_unpinned_never_read_back_as_more(
    dialect_id: str, scale: TextScale, half_stars: int
) -> None:
    """Unpinned, ½★ as percent "10" would read as 5★ (tenths) and as stars5 "0.5" as 2½★
    (unit): it is stored as 1★ instead; every other value is exact."""
    written = encode(dialect_id, R(half_stars), scale=scale)
    expected = R(max(half_stars, 2))
    assert written.rating == expected
    assert decode(dialect_id, written.raw) == written


@pytest.mark.parametrize("dialect_id", WHOLE_STARS)
@pytest.mark.parametrize("half_stars", range(1, 11))
def test_whole_star_dialects_round_halves_up(dialect_id: str, half_stars: int) -> None:
    written = encode(dialect_id, R(half_stars))
    assert written.rating == R(half_stars + half_stars % 2)
    assert decode(dialect_id, written.raw) == written


@pytest.mark.parametrize(
    ("dialect_id", "family", "codec", "email"),
    [
        ("popm:MusicBee", Family.ID3, Codec.POPM, "MusicBee"),
        ("popm:windows", Family.ID3, Codec.POPM, "Windows Media Player 9 Series"),
        ("popm:X@Y.org", Family.ID3, Codec.POPM, "X@Y.org"),
        ("TXXX:FMPS_Rating", Family.ID3, Codec.UNIT_TEXT, None),
        ("vorbis:RATING:users@musicbrainz.org", Family.VORBIS, Codec.UNIT_TEXT, None),
        ("mp4:rate", Family.MP4, Codec.TEXT, None),
        ("asf:shareduserrating", Family.ASF, Codec.ASF, None),
        ("ape:rating", Family.APE, Codec.TEXT, None),
    ],
)
def test_dialect_parsing(dialect_id: str, family: Family, codec: Codec, email: str | None) -> None:
    parsed = dialect(dialect_id)
    assert (parsed.family, parsed.codec) == (family, codec)
    if codec is Codec.POPM:
        assert parsed.email == email
    assert dialect(parsed.id).id == parsed.id


@pytest.mark.parametrize("dialect_id", ["rtng", "mp4:rtng", "txxx:fmps_rating_user", "vorbis:"])
def test_unknown_dialects(dialect_id: str) -> None:
    with pytest.raises(InvalidInput):
        dialect(dialect_id)


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
        "musicbee", "mediamonkey", "windows", "foobar2000", "picard", "quodlibet", "fmps",
        "everything",
    }  # fmt: skip
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
