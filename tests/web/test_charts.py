"""SVG charts: values scale to the largest, labels are escaped, the numbers are in the text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from app.web.charts import bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: object) -> ET.Element:
    return ET.fromstring(
        str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def bar_lengths(root: ET.Element, attribute: str) -> list[float]:
    return [float(rect.attrib[attribute]) for rect in root.iter(f"{SVG}rect")]


@pytest.mark.parametrize("chart", [column_chart, bar_chart])
def test_chart_is_an_accessible_image_with_every_value_in_its_description(chart: object) -> None:
    markup = chart([("½★", 1), ("5★", 4), ("unrated", 0)], title="Ratings", chart_id="r1")
    root = parse(markup)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "r1-title r1-desc"
    assert root.find(f"{SVG}title").text == "Ratings"
    assert root.find(f"{SVG}desc").text == "½★: 1; 5★: 4; unrated: 0"
    assert len(list(root.iter(f"{SVG}rect"))) == 3


def test_columns_scale_to_the_largest_value() -> None:
    root = parse(column_chart([("a", 1), ("b", 4), ("c", 0)], title="t", chart_id="c"))
    heights = bar_lengths(root, "height")
    assert heights[1] == pytest.approx(4 * heights[0], rel=0.01)
    assert heights[2] == 0


def test_bars_scale_to_the_largest_value() -> None:
    root = parse(bar_chart([("a", 2), ("b", 8)], title="t", chart_id="b"))
    widths = bar_lengths(root, "width")
    assert widths[1] == pytest.approx(4 * widths[0], rel=0.01)


def test_no_data_draws_nothing_and_says_so() -> None:
    root = parse(bar_chart([], title="Nothing", chart_id="n"))
    assert list(root.iter(f"{SVG}rect")) == []
    assert root.find(f"{SVG}desc").text == "no data"
    empty = parse(column_chart([("a", 0)], title="t", chart_id="z"))
    assert bar_lengths(empty, "height") == [0.0]


def test_labels_and_titles_are_escaped() -> None:
    markup = str(bar_chart([("<script>x</script>", 1)], title='A "B" & C', chart_id="e"))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert "A &#34;B&#34; &amp; C" in markup or "A &quot;B&quot; &amp; C" in markup
    parse(markup)


def test_long_labels_are_shortened_but_kept_whole_in_the_tooltip() -> None:
    label = "vorbis:rating:quodlibet@lists.sacredchao.net"
    markup = str(bar_chart([(label, 3)], title="t", chart_id="l"))
    shown = re.search(r'text-anchor="end">([^<]+)</text>', markup)
    assert shown is not None and shown.group(1).endswith("…") and len(shown.group(1)) == 26
    assert f"<title>{label}: 3</title>" in markup
