"""Rating dialects: the POPM and ASF tables, and every dialect reading back what it writes
(docs/RATINGS.md), one table row per case."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import (
    Codec,
    Family,
    decode,
    decode_asf,
    decode_popm,
    dialect,
    encode,
    encode_asf,
    encode_popm,
    popm_dialect_id,
)
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating

R = Rating


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
