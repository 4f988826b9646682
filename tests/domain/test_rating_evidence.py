"""A library's evidence for its text scales: ambiguous values ("10", "4") are read in the scale
the same field's unambiguous values use; a pinned scale always wins; no evidence, per value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.ratings.dialects import decode
from app.domain.ratings.evidence import ScaleEvidence, TagSet, infer_scales
from app.domain.ratings.scales import TextScale, fitting_scales

P, S, T, U = TextScale.PERCENT, TextScale.STARS5, TextScale.TENTHS, TextScale.UNIT


@pytest.mark.parametrize(
    ("text", "scales"),
    [
        ("10", {T, P}),
        ("4", {S, T}),
        ("5", {S, T}),
        ("3.5", {S}),
        ("8", {T}),
        ("20", {P}),
        ("100", {P}),
        ("0.8", {U}),
        ("0.5", {U, S}),
        ("1.0", {U, S, T}),
        ("1", {S, T}),
        ("64", {P}),
        ("101", set()),
        ("7.5", set()),
    ],
)
def test_fitting_scales(text: str, scales: set[TextScale]) -> None:
    assert fitting_scales(Decimal(text), has_point="." in text) == scales


def _evidence(*values: str, dialect: str = "vorbis:rating") -> ScaleEvidence:
    tag_sets: list[tuple[TagSet, int]] = [(((dialect, value),), 1) for value in values]
    return infer_scales(tag_sets)


PERCENT_LIBRARY = _evidence("20", "60", "100", "10", "4")
TENTHS_LIBRARY = _evidence("6", "8", "9", "10", "4")
STARS_LIBRARY = _evidence("3.5", "4.5", "4", "10")
NO_EVIDENCE = _evidence("4", "5", "10")


@pytest.mark.parametrize(
    ("evidence", "raw", "pinned", "half_stars", "scale"),
    [
        # PMRS's ½★ in a percent library
        (PERCENT_LIBRARY, "10", None, 1, P),
        (PERCENT_LIBRARY, "20", None, 2, P),
        # "4" does not fit percent: the per-value rule (stars)
        (PERCENT_LIBRARY, "4", None, 8, S),
        # a tenths library reads "10" as 5★ and "4" as 2★
        (TENTHS_LIBRARY, "10", None, 10, T),
        (TENTHS_LIBRARY, "4", None, 4, T),
        # a stars library with halves reads "4" as 4★; "10" fits no stars: per value (tenths)
        (STARS_LIBRARY, "4", None, 8, S),
        (STARS_LIBRARY, "10", None, 10, T),
        # no unambiguous value at all: per value
        (NO_EVIDENCE, "10", None, 10, T),
        (NO_EVIDENCE, "4", None, 8, S),
        # a pinned scale always wins
        (PERCENT_LIBRARY, "10", T, 10, T),
        (TENTHS_LIBRARY, "10", P, 1, P),
    ],
)
def test_ambiguous_values_follow_the_evidence(
    evidence: ScaleEvidence,
    raw: str,
    pinned: TextScale | None,
    half_stars: int,
    scale: TextScale,
) -> None:
    reading = decode(
        "vorbis:rating", raw, pinned_scale=pinned, evidence=evidence.order("vorbis:rating")
    )
    assert reading.rating is not None
    assert (reading.rating.half_stars, reading.scale) == (half_stars, scale)


def test_evidence_is_per_field_weighted_by_files_and_skips_non_text_dialects() -> None:
    evidence = infer_scales(
        [
            ((("vorbis:rating", "80"), ("vorbis:fmps_rating", "0.8")), 5),
            ((("vorbis:rating", "7"),), 2),
            ((("txxx:rating", "7"), ("popm:musicbee", "196")), 3),
            ((("vorbis:rating", "0"), ("vorbis:rating", "junk")), 9),
        ]
    )
    assert evidence.order("vorbis:rating") == (P, T)
    assert evidence.inferred("txxx:rating") is T
    assert evidence.inferred("vorbis:fmps_rating") is None, "FMPS has its own fixed scale"
    assert evidence.inferred("popm:musicbee") is None
    assert evidence.describe("vorbis:rating") == "0–100 (from 5 unambiguous value(s))"
    assert evidence.describe("ape:rating") is None
