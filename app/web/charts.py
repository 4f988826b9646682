"""Server-rendered SVG charts: no JavaScript, no library, readable by screen readers.

Each chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` listing every
value, so the numbers are there without the picture; ``chart_id`` must be unique on the page.
Colours come from ``static/crossfade.css`` (``.chart-*`` classes). Values in, markup out; every
label goes through ``Markup.format``, which escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

Bars = Sequence[tuple[str, int]]

LONGEST_LABEL = 26


def _scale(value: int, largest: int, length: float) -> float:
    return 0.0 if largest <= 0 else length * value / largest


def _desc(bars: Bars) -> str:
    return "; ".join(f"{label}: {value}" for label, value in bars) or "no data"


def _fmt(number: float) -> str:
    """``12.0`` -> ``12``, ``3.14159`` -> ``3.1``: short coordinates."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _open(kind: str, chart_id: str, width: int, height: int, title: str, bars: Bars) -> Markup:
    return Markup(
        '<svg class="chart chart-{kind}" id="{id}" role="img" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(kind=kind, id=chart_id, w=width, h=height, title=title, desc=_desc(bars))


def column_chart(
    bars: Bars, *, title: str, chart_id: str, width: int = 460, height: int = 200
) -> Markup:
    """Vertical columns, one per bar, labels underneath and values on top."""
    top, bottom, side = 18, 26, 6
    plot_height = height - top - bottom
    slot = (width - 2 * side) / max(len(bars), 1)
    column = max(slot * 0.68, 1.0)
    largest = max((value for _, value in bars), default=0)
    parts = [
        _open("columns", chart_id, width, height, title, bars),
        Markup('<line class="chart-axis" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>').format(
            x1=side, x2=width - side, y=top + plot_height
        ),
    ]
    for index, (label, value) in enumerate(bars):
        x = side + index * slot + (slot - column) / 2
        bar_height = _scale(value, largest, plot_height)
        y = top + plot_height - bar_height
        centre = _fmt(x + column / 2)
        parts.append(
            Markup(
                '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="2">'
                "<title>{label}: {value}</title></rect>"
                '<text class="chart-value" x="{c}" y="{vy}" text-anchor="middle">{value}</text>'
                '<text class="chart-label" x="{c}" y="{ly}" text-anchor="middle">{label}</text>'
            ).format(
                x=_fmt(x),
                y=_fmt(y),
                w=_fmt(column),
                h=_fmt(bar_height),
                label=label,
                value=value,
                c=centre,
                vy=_fmt(y - 4),
                ly=height - 8,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def bar_chart(
    bars: Bars,
    *,
    title: str,
    chart_id: str,
    width: int = 460,
    bar_height: int = 18,
    gap: int = 8,
    label_width: int = 170,
) -> Markup:
    """Horizontal bars, one row per bar: label on the left, value after the bar."""
    value_room = 56
    height = max(len(bars), 1) * (bar_height + gap) + gap
    length = max(width - label_width - value_room, 10)
    largest = max((value for _, value in bars), default=0)
    parts = [_open("bars", chart_id, width, height, title, bars)]
    for index, (label, value) in enumerate(bars):
        y = gap + index * (bar_height + gap)
        bar_length = _scale(value, largest, length)
        middle = _fmt(y + bar_height / 2 + 4)
        shown = label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "…"
        parts.append(
            Markup(
                '<text class="chart-label" x="{lx}" y="{m}" text-anchor="end">{shown}</text>'
                '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="2">'
                "<title>{label}: {value}</title></rect>"
                '<text class="chart-value" x="{vx}" y="{m}">{value}</text>'
            ).format(
                lx=label_width - 8,
                m=middle,
                shown=shown,
                x=label_width,
                y=y,
                w=_fmt(bar_length),
                h=bar_height,
                label=label,
                value=value,
                vx=_fmt(label_width + bar_length + 6),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
