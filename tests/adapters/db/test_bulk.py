"""Bulk inserts through the driver store what the ORM would store, on SQLite and PostgreSQL:
UTC datetimes, JSON, booleans, NULLs and non-ASCII text, constants in every row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.adapters.db.bulk import insert_many
from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_models import FileState, TrackLink
from app.adapters.db.sync_rows import table_of as _table


def _link_id(session_factory: SessionFactory) -> tuple[int, int]:
    libraries = LibraryRepository(session_factory)
    plex = libraries.add_library(kind="plex_music", name="Plex", config={}, secret="t")
    folder = libraries.add_library(kind="music_folder", name="Folder", config={}, secret=None)
    link = libraries.add_link(
        kind="ratings",
        library_a_id=plex.id,
        library_b_id=folder.id,
        direction="both",
        policy="ask",
        options={},
    )
    return link.id, folder.id


def test_rows_read_back_as_the_orm_sees_them(session_factory: SessionFactory) -> None:
    link_id, folder_id = _link_id(session_factory)
    now = datetime(2026, 11, 21, 12, 30, 15, 123456, tzinfo=UTC)
    with session_factory() as session:
        insert_many(
            session.connection(),
            _table(TrackLink),
            ("a_key", "b_key", "a_label", "method", "score", "status", "note"),
            [("1", "Björk/Homogenic/01 Hunter.flac", "Björk – Hunter", "path", 100.0, "auto",
              None),
             ("2", "Ça va.mp3", None, "fuzzy", 87.5, "review", "dürüm")],
            constants={"link_id": link_id, "baseline_known": True, "baseline_rating": 7,
                       "baseline_at": None, "created_at": now, "updated_at": now},
        )  # fmt: skip
        insert_many(
            session.connection(),
            _table(FileState),
            ("rel_path", "size_bytes", "mtime_ns", "format", "tags", "meta"),
            [("Ça va.mp3", 2**40, 1_700_000_000_123_456_789, "mp3",
              [["popm:musicbee", "196"]], {"title": "Ça va", "duration_s": 1.5, "mbid": None})],
            constants={"library_id": folder_id, "read_at": now},
        )  # fmt: skip
        session.commit()
    with session_factory() as session:
        links = session.execute(select(TrackLink).order_by(TrackLink.a_key)).scalars().all()
        state = session.execute(select(FileState)).scalars().one()
    assert [(r.a_key, r.b_key, r.a_label, r.method, r.score, r.status, r.note) for r in links] == [
        ("1", "Björk/Homogenic/01 Hunter.flac", "Björk – Hunter", "path", 100.0, "auto", None),
        ("2", "Ça va.mp3", None, "fuzzy", 87.5, "review", "dürüm"),
    ]
    assert all(r.baseline_known is True and r.baseline_rating == 7 for r in links)
    assert all(r.created_at == now and r.baseline_at is None for r in links)
    assert (state.size_bytes, state.mtime_ns, state.read_at) == (
        2**40,
        1_700_000_000_123_456_789,
        now,
    )
    assert state.tags == [["popm:musicbee", "196"]]
    assert state.meta == {"title": "Ça va", "duration_s": 1.5, "mbid": None}


def test_no_rows_is_no_statement(session_factory: SessionFactory) -> None:
    _link_id(session_factory)
    with session_factory() as session:
        insert_many(session.connection(), _table(TrackLink), ("a_key",), [])
        session.commit()
        assert session.execute(select(TrackLink)).scalars().all() == []
