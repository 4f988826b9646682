"""What the sync repository's tests share: a ratings link between a Plex library and a music
folder, and new track links to insert."""

from __future__ import annotations

from dataclasses import dataclass

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.ratings.records import NewTrackLink


@dataclass(frozen=True)
class Linked:
    repository: SyncRepository
    link_id: int
    folder_id: int


def make_linked(session_factory: SessionFactory) -> Linked:
    libraries = LibraryRepository(session_factory)
    plex = libraries.add_library(
        kind="plex_music",
        name="Plex",
        config={"base_url": "http://127.0.0.1:32400", "section_ids": [1]},
        secret="token",
    )
    folder = libraries.add_library(
        kind="music_folder", name="Folder", config={"root": "/music"}, secret=None
    )
    link = libraries.add_link(
        kind="ratings",
        library_a_id=plex.id,
        library_b_id=folder.id,
        direction="both",
        policy="ask",
        options={},
    )
    return Linked(SyncRepository(session_factory), link.id, folder.id)


def new_link(n: int, *, status: str = "auto") -> NewTrackLink:
    return NewTrackLink(
        a_key=str(1000 + n),
        b_key=f"Artist/Album/{n:05d} Song.flac",
        method="path",
        score=100.0 - n % 7,
        status=status,
        a_label=f"Artist – Song {n}" if n % 2 else None,
        b_label=f"Song {n} [{n}]",
        note="weak" if status == "review" else None,
    )
