from pathlib import Path

import pytest
from sqlalchemy import text

from app.adapters.db.engine import check_database, create_db_engine, is_sqlite
from app.domain.errors import SetupError


def test_sqlite_pragmas_and_folder(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'x.db'}")
    try:
        with engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
        check_database(engine)
    finally:
        engine.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000}
    assert (tmp_path / "deep" / "er" / "x.db").exists()


def test_is_sqlite() -> None:
    assert is_sqlite("sqlite:///x.db")
    assert not is_sqlite("postgresql+psycopg://u@h/db")


def test_unreachable_database_is_a_setup_error(tmp_path: Path) -> None:
    folder = tmp_path / "is-a-folder.db"
    folder.mkdir()
    engine = create_db_engine(f"sqlite:///{folder}")
    try:
        with pytest.raises(SetupError, match="database unreachable"):
            check_database(engine)
    finally:
        engine.dispose()
