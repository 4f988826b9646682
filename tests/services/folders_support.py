"""Two real music folders with a ratings link between them, one track rated differently on
each side (a conflict under the ``ask`` policy) and one rated only on side A (a write to B): a
real run for tests of what follows runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.adapters.tags import WriteOptions, write_rating
from app.bootstrap import Container
from app.domain.kinds import LibraryKind
from app.domain.library_records import LinkRecord
from app.domain.links import LinkKind
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from tests.emulator.support import write_library

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
LINK_TITLE = "Attic ⇄ Basement"


def conflicting_folders_link(
    container: Container, root: Path, factory: pytest.TempPathFactory
) -> LinkRecord:
    side_a = write_library(root / "a", factory)
    side_b = write_library(root / "b", factory)
    write_rating(side_a / FIRST, Rating(8), preset("musicbee"), options=WriteOptions())
    write_rating(side_b / FIRST, Rating(4), preset("musicbee"), options=WriteOptions())
    write_rating(side_a / CAFE, Rating(6), preset("musicbee"), options=WriteOptions())
    catalog = container.domains.libraries
    music_a = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER, name="Attic", config={"root": str(side_a)}
    )
    music_b = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER, name="Basement", config={"root": str(side_b)}
    )
    return catalog.add_link(
        kind=LinkKind.RATINGS, library_a_id=music_a.id, library_b_id=music_b.id, policy="ask"
    )
