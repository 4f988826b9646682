"""The text helpers pages use to show an item by name, with its key or path as secondary text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from app.web.words import item_name, item_ref, library_roots, relative, side_value, split_path


@pytest.mark.parametrize(
    ("subject", "name", "ref"),
    [
        ("Artist – First [1000]", "Artist – First", "1000"),
        ("Artist – Third [Album/03 Third.mp3]", "Artist – Third", "Album/03 Third.mp3"),
        ("/movies/Heat (1995) [imdbid-tt0113277]/Heat - 4k.mkv", None, ""),
        ("just a name", "just a name", ""),
    ],
)
def test_item_name_and_ref(subject: str, name: str | None, ref: str) -> None:
    assert item_name(subject) == (subject if name is None else name)
    assert item_ref(subject) == ref


@pytest.mark.parametrize(
    ("path", "roots", "expected"),
    [
        ("/data/movies/Heat/Heat.mkv", ["/data/movies"], "Heat/Heat.mkv"),
        ("/data/movies/Heat/Heat.mkv", ["/data/movies/"], "Heat/Heat.mkv"),
        ("/data/movies-4k/Heat.mkv", ["/data/movies"], "/data/movies-4k/Heat.mkv"),
        ("/elsewhere/x.mkv", ["/data/a", "/elsewhere"], "x.mkv"),
        (None, ["/data"], ""),
    ],
)
def test_relative(path: str | None, roots: list[str], expected: str) -> None:
    assert relative(path, roots) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B popm:musicbee 118 (2½★)", "2½★"),
        ("A Plex 3½★", "3½★"),
        ("unrated", "unrated"),
        ("½★", "½★"),
        ("something", "something"),
        (None, ""),
    ],
)
def test_side_value(text: str | None, expected: str) -> None:
    assert side_value(text) == expected


def test_split_path() -> None:
    assert split_path("Heat (1995)/Trailers/t.mkv") == ("t.mkv", "Heat (1995)/Trailers")
    assert split_path("t.mkv") == ("t.mkv", "")


@dataclass
class _Library:
    config: dict[str, Any] = field(default_factory=dict)


def test_library_roots_skip_libraries_without_a_folder() -> None:
    roots = library_roots(_Library({"root": "/a"}), _Library({"base_url": "http://x"}))
    assert roots == ["/a"]
