"""Migration 0009: ``job.problems`` appears (0 for old jobs), and the rare stored value that
already holds the name codec's escape character is re-encoded, in text and JSON columns, so it
reads back unchanged; downgrade restores the old bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.jobs import JobRepository
from app.adapters.db.sync_repo import SyncRepository
from app.domain.names import ESCAPE

ODD = f"odd {ESCAPE}DCE9 name.flac"  # an old value that looks like an escape


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    built = create_db_engine(db_url)
    try:
        yield built
    finally:
        built.dispose()


def _insert_old_rows(engine: Engine) -> None:
    now = "2026-01-01 00:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO library (id, kind, name, config, created_at, updated_at) "
                "VALUES (1, 'music_folder', 'F', '{}', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO file_state (library_id, rel_path, size_bytes, mtime_ns, format, "
                "tags, meta, read_at) VALUES (1, :path, 1, 1, 'flac', :tags, :meta, :now)"
            ),
            {
                "path": ODD,
                "tags": json.dumps([["vorbis:title", ODD]]),  # written \\udbff\\udffd
                "meta": json.dumps({"title": ODD}, ensure_ascii=False),  # written raw
                "now": now,
            },
        )
        connection.execute(
            text(
                "INSERT INTO job (id, kind, params, dry_run, status, done, counters, trigger, "
                "lock_key, cancel_requested, attempt, created_at, updated_at) VALUES "
                "(7, 'selftest', :params, :no, 'succeeded', 0, '{}', 'cli', 'k', :no, 0, "
                ":now, :now)"
            ),
            {"params": json.dumps({"path": ODD}), "no": False, "now": now},
        )


def _raw_path(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT rel_path FROM file_state")).scalar_one())


def test_upgrade_re_encodes_and_downgrade_restores(engine: Engine) -> None:
    migrate.upgrade(engine, "0008")
    _insert_old_rows(engine)
    migrate.upgrade(engine)
    assert _raw_path(engine) == ODD.replace(ESCAPE, ESCAPE + ESCAPE)
    sessions = create_session_factory(engine)
    (state,) = SyncRepository(sessions).file_states(1).values()
    assert state.rel_path == ODD
    assert state.tags == (("vorbis:title", ODD),)
    assert state.match_meta() == {"title": ODD}
    job = JobRepository(sessions).get(7)
    assert job.params == {"path": ODD}
    assert job.problems == 0
    migrate.downgrade(engine, "0008")
    assert _raw_path(engine) == ODD
    with engine.connect() as connection:
        tags = connection.execute(text("SELECT tags FROM file_state")).scalar_one()
    assert (json.loads(tags) if isinstance(tags, str) else tags) == [["vorbis:title", ODD]]
