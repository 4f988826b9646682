"""Text rating scales: parsing, detection, decoding and encoding (docs/RATINGS.md), one table
row per case."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import (
    decode,
)
from app.domain.ratings.scales import TextScale, decode_text, encode_text, parse_scale
from app.domain.ratings.value import Rating

R = Rating


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
