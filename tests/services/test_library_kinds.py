"""The library-kind registry: what each built-in kind joins, and the catalog and side factory
deciding by it (a real repository on a migrated database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions
from app.domain.errors import InvalidInput
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind, Side
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.configs import KindConfig
from app.services.libraries.kinds import KindEntry, KindRegistry
from app.services.libraries.service import LibraryCatalog, SideFactory

A, B = Side.A, Side.B
PLEX, PLEX_MOVIES = LibraryKind.PLEX_MUSIC, LibraryKind.PLEX_MOVIES
MUSIC, MOVIES = LibraryKind.MUSIC_FOLDER, LibraryKind.MOVIE_FOLDER
SUBSONIC = LibraryKind.SUBSONIC
MM = LibraryKind.MEDIAMONKEY


@pytest.mark.parametrize(
    ("link_kind", "side", "kinds"),
    [
        (LinkKind.RATINGS, A, (PLEX, MUSIC, SUBSONIC, MM)),
        (LinkKind.RATINGS, B, (PLEX, MUSIC, SUBSONIC, MM)),
        (LinkKind.PLAYLISTS, A, (PLEX, MUSIC, SUBSONIC, MM)),
        (LinkKind.PLAYLISTS, B, (PLEX, MUSIC, SUBSONIC, MM)),
        (LinkKind.MIRROR, A, (MOVIES,)),
        (LinkKind.MIRROR, B, (MOVIES,)),
    ],
)
def test_which_kinds_join_which_links(
    link_kind: LinkKind, side: Side, kinds: tuple[str, ...]
) -> None:
    assert builtin_kind_registry().joining(link_kind, side) == kinds


@pytest.mark.parametrize(
    ("kind", "display_name", "secret_label", "rating_side", "playlist_side", "refresh"),
    [
        (PLEX, "Plex music", "X-Plex-Token", True, True, True),
        (PLEX_MOVIES, "Plex movies", "X-Plex-Token", False, False, True),
        (MUSIC, "Music folder", None, True, True, False),
        (MOVIES, "Movie folder", None, False, False, False),
        (MM, "MediaMonkey", None, True, True, False),
    ],
)  # fmt: skip
def test_each_kind_is_declared_once(
    kind: str,
    display_name: str,
    secret_label: str | None,
    rating_side: bool,
    playlist_side: bool,
    refresh: bool,
) -> None:
    entry = builtin_kind_registry().entry(kind)
    assert entry.display_name == display_name
    assert (entry.secret.label if entry.secret else None) == secret_label
    assert (entry.rating_side is not None, entry.playlist_side is not None) == (
        rating_side,
        playlist_side,
    )
    assert (entry.refresh is not None) == refresh


def test_a_kind_is_registered_once() -> None:
    registry = builtin_kind_registry()
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.entry(MUSIC))


@pytest.fixture
def libraries(session_factory: SessionFactory) -> LibraryRepository:
    return LibraryRepository(session_factory)


def test_the_catalog_validates_by_the_registry(
    libraries: LibraryRepository, tmp_path: Path
) -> None:
    catalog = LibraryCatalog(libraries)
    with pytest.raises(InvalidInput, match="unknown library kind 'emby'; use one of plex_music, "):
        catalog.add_library(kind="emby", name="J", config={})
    with pytest.raises(InvalidInput, match="a Plex library needs a token"):
        catalog.add_library(
            kind=PLEX, name="P", config={"base_url": "http://p", "section_ids": [1]}
        )
    with pytest.raises(InvalidInput, match="path mappings belong to Plex libraries"):
        catalog.add_library(
            kind=MUSIC, name="M", config={"root": str(tmp_path)}, path_mappings=["/a=/b"]
        )
    plex = catalog.add_library(
        kind=PLEX, name="P", config={"base_url": "http://p", "section_ids": [1]}, secret="t"
    )
    movies = catalog.add_library(kind=MOVIES, name="F", config={"root": str(tmp_path)})
    with pytest.raises(InvalidInput, match="a ratings link joins two music libraries"):
        catalog.add_link(kind=LinkKind.RATINGS, library_a_id=plex.id, library_b_id=movies.id)
    with pytest.raises(InvalidInput, match="unknown link kind 'karaoke'"):
        catalog.add_link(kind="karaoke", library_a_id=plex.id, library_b_id=movies.id)


def test_a_kind_without_a_rating_side_holds_no_ratings(
    libraries: LibraryRepository, session_factory: SessionFactory, tmp_path: Path
) -> None:
    movies = LibraryCatalog(libraries).add_library(
        kind=MOVIES, name="Films", config={"root": str(tmp_path)}
    )
    factory = SideFactory(
        libraries=libraries,
        sync_repository=SyncRepository(session_factory),
        plex_client=lambda url, token, timeout_s: PlexServerClient(url, token),
        write_options=WriteOptions(),
    )
    with pytest.raises(InvalidInput, match=r"'Films' \(movie_folder\) holds no music ratings"):
        factory.side(movies.id, dry_run=True)


class NoteConfig(KindConfig):
    note: str


def test_an_added_kind_is_validated_by_its_own_model(libraries: LibraryRepository) -> None:
    registry = KindRegistry(builtin_kind_registry().entries())
    registry.register(KindEntry(kind="notes", display_name="Notes", config_model=NoteConfig))
    catalog = LibraryCatalog(libraries, registry)
    with pytest.raises(InvalidInput, match="invalid notes configuration: note: Field required"):
        catalog.add_library(kind="notes", name="N", config={})
    added = catalog.add_library(kind="notes", name="N", config={"note": "hello"})
    assert catalog.library(added.id).config == {"note": "hello"}
