import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import Library, Link, PathMapping


def test_library_mappings_and_link_round_trip(session_factory: SessionFactory) -> None:
    with session_factory() as session:
        plex = Library(
            kind="plex_music", name="Plex", config={"url": "http://p:32400"}, secret="tok"
        )
        folder = Library(kind="music_folder", name="Disk", config={"root": "/music"})
        session.add_all([plex, folder])
        session.flush()
        assert plex.id is not None and folder.id is not None
        session.add_all(
            [
                PathMapping(library_id=plex.id, position=1, plex_prefix="/data", local_prefix="/m"),
                Link(
                    kind="ratings",
                    library_a_id=plex.id,
                    library_b_id=folder.id,
                    policy="prefer_a",
                    options={"threshold": 90},
                ),
            ]
        )
        session.commit()
        plex_id = plex.id
    with session_factory() as session:
        link = session.scalars(select(Link)).one()
        assert (link.direction, link.enabled, link.schedule, link.options) == (
            "both",
            True,
            None,
            {"threshold": 90},
        )
        stored = session.get(Library, plex_id)
        assert stored is not None
        assert (stored.config, stored.secret) == ({"url": "http://p:32400"}, "tok")


def test_mapping_positions_are_unique_per_library(session_factory: SessionFactory) -> None:
    with session_factory() as session:
        library = Library(kind="plex_music", name="Plex")
        session.add(library)
        session.flush()
        assert library.id is not None
        session.add(
            PathMapping(library_id=library.id, position=1, plex_prefix="/a", local_prefix="/b")
        )
        session.add(
            PathMapping(library_id=library.id, position=1, plex_prefix="/c", local_prefix="/d")
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_foreign_keys_are_enforced(session_factory: SessionFactory) -> None:
    with session_factory() as session:
        session.add(PathMapping(library_id=999, position=1, plex_prefix="/a", local_prefix="/b"))
        with pytest.raises(IntegrityError):
            session.commit()
