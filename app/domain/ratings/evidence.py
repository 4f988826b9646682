"""A library's evidence for its text rating scales (pure).

A text value such as "10" fits several scales (percent ½★, tenths 5★). The other values of the
same field in the same library usually say which one their writer used: a library whose
``vorbis:rating`` holds 20, 60 and 100 writes percent, so its "10" is ½★. :func:`infer_scales`
counts, per text dialect, the files whose value fits exactly one scale; those counts, most
files first, are the evidence :func:`~app.domain.ratings.dialects.decode` uses for the
ambiguous values. A pinned scale always wins over evidence; without evidence the per-value
rule applies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import Codec, dialect
from app.domain.ratings.scales import SCALE_LABELS, TextScale, fitting_scales
from app.domain.ratings.value import parse_number

TagSet = tuple[tuple[str, str], ...]
"""One file's rating tags as ``(dialect id, raw value)`` pairs."""


@dataclass(frozen=True, slots=True)
class ScaleEvidence:
    """Per text dialect: files whose value fits exactly one scale, per scale."""

    counts: Mapping[str, Mapping[TextScale, int]] = field(default_factory=dict)

    def order(self, dialect_id: str) -> tuple[TextScale, ...]:
        """The dialect's evidenced scales, most files first (ties: the larger scale first,
        as percent is the more common writer)."""
        counts = self.counts.get(dialect_id, {})
        return tuple(
            sorted(counts, key=lambda scale: (-counts[scale], -list(TextScale).index(scale)))
        )

    def inferred(self, dialect_id: str) -> TextScale | None:
        """The scale an ambiguous value of the dialect is read in when it fits it."""
        order = self.order(dialect_id)
        return order[0] if order else None

    def describe(self, dialect_id: str) -> str | None:
        """``"0–100 (from 3 files)"``: what a person reads in a scan summary."""
        counts = self.counts.get(dialect_id, {})
        scale = self.inferred(dialect_id)
        if scale is None:
            return None
        return f"{SCALE_LABELS[scale]} (from {counts[scale]:,} unambiguous value(s))"


def _is_text(dialect_id: str) -> bool:
    try:
        return dialect(dialect_id).codec is Codec.TEXT
    except InvalidInput:
        return False


def infer_scales(tag_sets: Iterable[tuple[TagSet, int]]) -> ScaleEvidence:
    """Evidence from ``(tags, number of files holding exactly these tags)``."""
    counts: defaultdict[str, Counter[TextScale]] = defaultdict(Counter)
    text_dialects: dict[str, bool] = {}
    for tags, files in tag_sets:
        for dialect_id, raw in set(tags):
            is_text = text_dialects.get(dialect_id)
            if is_text is None:
                is_text = text_dialects[dialect_id] = _is_text(dialect_id)
            if not is_text:
                continue
            value = parse_number(raw)
            if value is None or value == 0:
                continue
            fitting = fitting_scales(value, has_point="." in raw.replace(",", "."))
            if len(fitting) == 1:
                counts[dialect_id][next(iter(fitting))] += files
    return ScaleEvidence({key: dict(value) for key, value in counts.items()})
