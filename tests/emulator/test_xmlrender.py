from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from plex_emulator.xmlrender import attrs, document, esc


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain", "plain"),
        ('Fire & Ice <"live">', "Fire &amp; Ice &lt;&quot;live&quot;&gt;"),
        ("tab\tnew\nline", "tab&#9;new&#10;line"),
        ("bell\x07gone", "bellgone"),
        ("bad \udce9 byte", "bad \ufffd byte"),
        ("Zoë ♪", "Zoë ♪"),
    ],
)
def test_esc(text: str, escaped: str) -> None:
    assert esc(text) == escaped


def test_attrs_skip_none_and_use_01_booleans() -> None:
    assert attrs([("a", None), ("b", True), ("c", False), ("d", 3), ("e", 8.0)]) == (
        ' b="1" c="0" d="3" e="8.0"'
    )


def test_document_parses_back() -> None:
    body = document(attrs([("title", 'Café & "Crema"\n')]), ['<Track title="x" />'])
    root = ET.fromstring(body)
    assert root.attrib["title"] == 'Café & "Crema"\n'
    assert [child.tag for child in root] == ["Track"]
