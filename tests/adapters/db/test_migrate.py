from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine
from app.adapters.db.tables import metadata

FIRST_TABLES = {"library", "path_mapping", "link", "job", "job_event"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    url_fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    built = create_db_engine(request.getfixturevalue(url_fixture))
    try:
        yield built
    finally:
        built.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_creates_every_table_then_downgrade_removes_them(engine: Engine) -> None:
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    every_table = table_names(engine)
    assert every_table >= FIRST_TABLES
    assert every_table == set(metadata.tables)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "base")
    assert table_names(engine) == set()
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine, "0001")
    assert table_names(engine) == FIRST_TABLES
    migrate.upgrade(engine)
    assert table_names(engine) == every_table


def test_models_match_migrations(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_revision_ids_are_numbered() -> None:
    head = migrate.head_revision()
    assert head is not None and head.isdigit()
    assert migrate.next_revision_id() == f"{int(head) + 1:04d}"
