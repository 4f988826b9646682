import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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


def test_the_scripts_head_read_without_alembic_is_alembics_head() -> None:
    assert migrate.script_head() == migrate.head_revision()


@pytest.mark.parametrize(
    ("scripts", "head"),
    [
        ({"a": ("0001", None), "b": ("0002", "'0001'")}, "0002"),
        ({"a": ("0001", None), "b": ("0002", "'0001'"), "c": ("0003", "'0001'")}, None),
        ({}, None),
    ],
)
def test_the_scripts_head_is_none_unless_the_history_is_one_line(
    tmp_path: Path, scripts: dict[str, tuple[str, str | None]], head: str | None
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    for name, (revision, down) in scripts.items():
        (versions / f"{name}.py").write_text(
            f"revision: str = '{revision}'\ndown_revision: str | None = {down}\n"
        )
    assert migrate.script_head(tmp_path) == head


def test_starting_on_a_schema_at_head_does_not_load_alembic(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    script = (
        "import sys\n"
        "from app.adapters.db import migrate\n"
        "from app.adapters.db.engine import create_db_engine\n"
        f"engine = create_db_engine({sqlite_url!r})\n"
        "migrate.upgrade(engine)\n"
        "print(migrate.current_revision(engine), 'alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == [migrate.head_revision(), "False"]
