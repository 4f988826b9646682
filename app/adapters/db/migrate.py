"""Alembic, driven from code: upgrade, downgrade, current and head revisions, new revisions.

The scripts live in the top-level ``migrations/`` folder, found through
:func:`app.adapters.assets.asset_dir` both in a checkout and in an installed copy. On PostgreSQL
an advisory lock serialises concurrent upgrades (app and worker starting together).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.adapters.assets import asset_dir
from app.domain.errors import SetupError

# An arbitrary constant key for pg_advisory_xact_lock: "crossfade" in ASCII, cut to 63 bits.
_PG_MIGRATION_LOCK_KEY = 0x63726F7373666164


def alembic_config(url: str | None = None, *, migrations_dir: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir or asset_dir("migrations")))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def next_revision_id() -> str:
    """Revisions are numbered ``0001``, ``0002``, ... after the current head."""
    head = head_revision()
    return f"{int(head) + 1:04d}" if head and head.isdigit() else "0001"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    _run(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    _run(engine, lambda config: command.downgrade(config, revision))


def new_revision(engine: Engine, message: str, *, autogenerate: bool = True) -> Path:
    """Write a new revision file comparing the models with the database at head."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        script = command.revision(
            config, message=message, autogenerate=autogenerate, rev_id=next_revision_id()
        )
    if script is None or isinstance(script, list):
        raise SetupError("alembic produced no single revision file")
    return Path(script.path)


def _run(engine: Engine, action: Callable[[Config], None]) -> None:
    config = alembic_config()
    try:
        with engine.begin() as connection:
            _lock(connection)
            config.attributes["connection"] = connection
            action(config)
    except SQLAlchemyError as exc:
        raise SetupError(f"database migration failed: {type(exc).__name__}: {exc}") from exc


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY}
        )
