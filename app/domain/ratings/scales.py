"""Text rating scales (pure): how a number in a text tag maps to half stars.

The library's pinned :class:`TextScale` wins. Otherwise a value that fits several scales
(:func:`fitting_scales`: "10" is percent ½★ or tenths 5★) is read in the scale the library's
unambiguous values of the same field use (``evidence``, most used first; see
:mod:`app.domain.ratings.evidence`); without such evidence the scale is detected per value
(:func:`detect_scale`). A "0" means unrated. See ``docs/RATINGS.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from app.domain.errors import InvalidInput
from app.domain.ratings.value import Rating, clamp_half_stars, parse_number, round_half_up


class TextScale(StrEnum):
    """How a text rating value is scaled."""

    UNIT = "unit"  # 0.0..1.0
    STARS5 = "stars5"  # 0..5, half steps allowed
    TENTHS = "tenths"  # 0..10
    PERCENT = "percent"  # 0..100


SCALE_MAXIMUM: dict[TextScale, Fraction] = {
    TextScale.UNIT: Fraction(1),
    TextScale.STARS5: Fraction(5),
    TextScale.TENTHS: Fraction(10),
    TextScale.PERCENT: Fraction(100),
}

# half stars per unit of the scale
_HALF_STARS_PER_UNIT: dict[TextScale, Fraction] = {
    TextScale.UNIT: Fraction(10),
    TextScale.STARS5: Fraction(2),
    TextScale.TENTHS: Fraction(1),
    TextScale.PERCENT: Fraction(1, 10),
}

SCALE_LABELS: dict[TextScale, str] = {
    TextScale.UNIT: "0–1",
    TextScale.STARS5: "1–5",
    TextScale.TENTHS: "0–10",
    TextScale.PERCENT: "0–100",
}


def parse_scale(name: str | None) -> TextScale | None:
    """A scale name from a person or config; ``None``/``""``/``"auto"`` means detect."""
    if name is None or name.strip().lower() in {"", "auto", "detect"}:
        return None
    try:
        return TextScale(name.strip().lower())
    except ValueError:
        names = ", ".join(scale.value for scale in TextScale)
        raise InvalidInput(f"unknown text scale {name!r}; use one of: {names}, auto") from None


def detect_scale(value: Decimal, *, has_point: bool) -> TextScale | None:
    """Per-value detection (docs/RATINGS.md): None for 0 and for values no scale explains."""
    if 0 < value < 1 and has_point:
        return TextScale.UNIT
    if 1 <= value <= 5:
        return TextScale.STARS5
    if 5 < value <= 10:
        return TextScale.TENTHS
    if 10 < value <= 100:
        return TextScale.PERCENT
    return None


def fitting_scales(value: Decimal, *, has_point: bool) -> frozenset[TextScale]:
    """Every scale whose writers produce ``value``: unit 0–1 written with a point, stars 0.5–5
    in half steps, tenths 1–10 whole, percent 10–100. One scale: the value is evidence of it;
    several: the value is ambiguous and the library's evidence decides."""
    scales: set[TextScale] = set()
    if 0 < value <= 1 and has_point:
        scales.add(TextScale.UNIT)
    if Decimal("0.5") <= value <= 5 and (value * 2) == (value * 2).to_integral_value():
        scales.add(TextScale.STARS5)
    if 1 <= value <= 10 and value == value.to_integral_value():
        scales.add(TextScale.TENTHS)
    if 10 <= value <= 100:
        scales.add(TextScale.PERCENT)
    return frozenset(scales)


def _by_evidence(
    value: Decimal, has_point: bool, evidence: tuple[TextScale, ...]
) -> TextScale | None:
    """The most used evidenced scale an ambiguous value fits; None when the value is not
    ambiguous or no evidenced scale fits it."""
    fitting = fitting_scales(value, has_point=has_point)
    if len(fitting) < 2:
        return None
    return next((scale for scale in evidence if scale in fitting), None)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded tag value: ``valid`` is False when the value means nothing we understand."""

    rating: Rating | None
    scale: TextScale | None = None
    valid: bool = True


INVALID = Decoded(None, None, valid=False)


def decode_text(
    text: str,
    *,
    pinned_scale: TextScale | None = None,
    fixed_scale: TextScale | None = None,
    evidence: tuple[TextScale, ...] = (),
) -> Decoded:
    """A text rating -> Decoded. ``fixed_scale`` is the dialect's own (FMPS: unit) and beats the
    library's ``pinned_scale``, which beats the library's ``evidence`` (scales its unambiguous
    values of this field use, most used first; only for an ambiguous value), which beats
    per-value detection."""
    value = parse_number(text)
    if value is None:
        return INVALID
    scale = fixed_scale or pinned_scale
    if scale is None:
        if value == 0:
            return Decoded(None)
        has_point = "." in text.replace(",", ".")
        scale = _by_evidence(value, has_point, evidence) or detect_scale(value, has_point=has_point)
        if scale is None:
            return INVALID
    if value > SCALE_MAXIMUM[scale]:
        return Decoded(None, scale, valid=False)
    if value == 0:
        return Decoded(None, scale)
    half_stars = round_half_up(Fraction(value) * _HALF_STARS_PER_UNIT[scale])
    return Decoded(Rating(clamp_half_stars(half_stars)), scale)


def encode_text(rating: Rating, scale: TextScale) -> str:
    """Rating -> text in ``scale``: percent "20".."100", stars5 "0.5".."5", tenths "1".."10",
    unit "0.1".."1.0" (``"%.1f"``)."""
    half = rating.half_stars
    if scale is TextScale.PERCENT:
        return str(half * 10)
    if scale is TextScale.TENTHS:
        return str(half)
    if scale is TextScale.STARS5:
        whole, odd = divmod(half, 2)
        return f"{whole}.5" if odd else str(whole)
    return f"{half / 10:.1f}"
