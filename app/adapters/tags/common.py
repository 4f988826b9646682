"""Small helpers shared by the per-family modules."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.domain.ratings.dialects import TagReading, decode
from app.domain.ratings.scales import TextScale

_LEADING_INT = re.compile(r"^\s*(\d{1,6})")


def first_int(value: object) -> int | None:
    """``"3/12"`` -> 3, ``(3, 12)`` -> 3, ``"x"`` -> None."""
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = _LEADING_INT.match(str(value))
    if match is None:
        return None
    number = int(match.group(1))
    return number if number > 0 else None


def joined(values: Iterable[object]) -> str | None:
    """Several values of one field, joined with "; "; empty -> None."""
    texts = [str(v).strip() for v in values]
    texts = [t for t in texts if t]
    return "; ".join(texts) if texts else None


def as_text(value: object) -> str:
    """A tag value as text; bytes are UTF-8 (undecodable bytes become U+FFFD)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def duration_of(audio: object) -> float | None:
    """The length in seconds of a parsed file (mutagen's or a lean stand-in), if it has one."""
    length = getattr(getattr(audio, "info", None), "length", None)
    if isinstance(length, int | float) and length >= 0:
        return float(length)
    return None


def text_readings(
    dialect_id: str, values: Iterable[object], pinned_scale: TextScale | None
) -> list[TagReading]:
    return [decode(dialect_id, as_text(v), pinned_scale=pinned_scale) for v in values]
