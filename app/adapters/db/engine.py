"""Engine and session factory for SQLite (the embedded default) and PostgreSQL (psycopg 3).

SQLite connections get WAL journaling, a busy timeout and foreign keys; they may be shared
across threads (the in-process job pool writes while requests read). A SQLite file is private:
its folder is created 0700, the file itself 0600 before SQLite first opens it (SQLite gives
its -wal and -shm files the database's mode), and a looser one is tightened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.adapters.private_files import PRIVATE_DIR_MODE, private_file
from app.domain.errors import InvalidInput, SetupError

SQLITE_BUSY_TIMEOUT_MS = 10_000

SessionFactory = sessionmaker[Session]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_database(Path(database))
        connect_args["check_same_thread"] = False
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
        engine = create_engine(parsed, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    event.listen(engine, "handle_error", _number_out_of_range)
    return engine


def _private_database(database: Path) -> None:
    database.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    private_file(database, create=True)
    for suffix in ("-wal", "-shm"):
        private_file(database.with_name(database.name + suffix))


# SQLSTATE numeric_value_out_of_range (PostgreSQL).
_OUT_OF_RANGE = "22003"


def _number_out_of_range(context: ExceptionContext) -> None:
    """A number too large for its column (say an id of 10**30 in a request) is invalid input,
    not a server error: the SQLite driver raises OverflowError, psycopg SQLSTATE 22003."""
    original = context.original_exception
    if isinstance(original, OverflowError) or getattr(original, "sqlstate", None) == _OUT_OF_RANGE:
        raise InvalidInput("a number is out of range") from original


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


def check_database(engine: Engine) -> None:
    """Raise :class:`SetupError` unless the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise SetupError(f"database unreachable: {type(exc).__name__}") from exc
