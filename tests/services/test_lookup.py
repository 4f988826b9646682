"""Finding a saved link or library the way a person names it on a command line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.errors import InvalidInput, NotFound
from app.domain.library_records import LibraryRecord, LinkRecord
from app.services.libraries.lookup import find_library, find_link, link_label

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def library(library_id: int, name: str) -> LibraryRecord:
    return LibraryRecord(
        id=library_id, kind="music_folder", name=name, config={}, has_secret=False,
        path_mappings=(),
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def link(
    link_id: int, a: int, b: int, kind: str = "ratings", direction: str = "both"
) -> LinkRecord:
    return LinkRecord(
        id=link_id, kind=kind, library_a_id=a, library_b_id=b, direction=direction,
        policy="ask", options={}, schedule=None, enabled=True, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


class Repository:
    """The two reads lookup makes, over lists (the port's other methods are not used)."""

    def __init__(self) -> None:
        self._libraries = [library(1, "Plex"), library(2, "Music files"), library(3, "Phone")]
        self._links = [
            link(7, 1, 2),
            link(8, 1, 3, kind="playlists", direction="a_to_b"),
            link(9, 2, 3),
        ]

    def libraries(self, kind: str | None = None) -> list[LibraryRecord]:
        return self._libraries

    def links(self, kind: str | None = None) -> list[LinkRecord]:
        return self._links


@pytest.mark.parametrize(
    ("wanted", "kind", "found"),
    [
        ("7", None, 7),
        ("plex ⇄ music files", None, 7),
        ("Plex <-> Music  files", "ratings", 7),
        ("Plex → Phone", "playlists", 8),
        ("Phone", "playlists", 8),
        ("Plex", "ratings", 7),
        ("Music files ⇄ Phone", None, 9),
    ],
)
def test_find_link(wanted: str, kind: str | None, found: int) -> None:
    assert find_link(Repository(), wanted, kind=kind).id == found


@pytest.mark.parametrize(
    ("wanted", "kind", "error", "message"),
    [
        ("99", None, NotFound, "no link with id 99"),
        ("8", "ratings", NotFound, "no ratings link with id 8"),
        ("Music files", "ratings", InvalidInput, "several links match"),
        ("Nothing", None, InvalidInput, r"no link matches 'Nothing'.*7: Plex ⇄ Music files"),
    ],
)
def test_find_link_says_what_there_is(
    wanted: str, kind: str | None, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        find_link(Repository(), wanted, kind=kind)


def test_link_label_shows_one_way_links_with_an_arrow() -> None:
    names = {1: "Plex", 3: "Phone"}
    assert link_label(link(8, 1, 3, direction="a_to_b"), names) == "Plex → Phone"
    assert link_label(link(8, 1, 3, direction="b_to_a"), names) == "Plex ← Phone"
    assert link_label(link(8, 1, 4), names) == "Plex ⇄ library 4"


def test_find_library_by_id_or_name() -> None:
    assert find_library(Repository(), "2").name == "Music files"
    assert find_library(Repository(), "music FILES").id == 2
    with pytest.raises(InvalidInput, match="libraries: 1: Plex"):
        find_library(Repository(), "nope")
