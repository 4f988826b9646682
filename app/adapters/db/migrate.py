"""Alembic, driven from code: upgrade, downgrade, current and head revisions, new revisions.

The scripts live in the top-level ``migrations/`` folder, found through
:func:`app.adapters.assets.asset_dir` both in a checkout and in an installed copy. On PostgreSQL
an advisory lock serialises concurrent upgrades (app and worker starting together).

Revisions that rewrite secrets (0008 seals them at rest) need the installation's
:class:`~app.adapters.secret_box.SecretBox`: pass it as ``secret_box``; the scripts find it
in ``config.attributes["secret_box"]`` (:data:`SECRET_BOX_ATTRIBUTE`).
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
from app.adapters.secret_box import SecretCipher
from app.domain.errors import SetupError

# An arbitrary constant key for pg_advisory_xact_lock: "crossfade" in ASCII, cut to 63 bits.
_PG_MIGRATION_LOCK_KEY = 0x63726F7373666164

SECRET_BOX_ATTRIBUTE = "secret_box"  # noqa: S105 (a name, not a secret)


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


def upgrade(
    engine: Engine, revision: str = "head", *, secret_box: SecretCipher | None = None
) -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    _run(engine, lambda config: command.upgrade(config, revision), secret_box)


def downgrade(engine: Engine, revision: str, *, secret_box: SecretCipher | None = None) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    _run(engine, lambda config: command.downgrade(config, revision), secret_box)


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


def _run(engine: Engine, action: Callable[[Config], None], secret_box: SecretCipher | None) -> None:
    config = alembic_config()
    try:
        with engine.begin() as connection:
            _lock(connection)
            config.attributes["connection"] = connection
            config.attributes[SECRET_BOX_ATTRIBUTE] = secret_box
            action(config)
    except SQLAlchemyError as exc:
        raise SetupError(f"database migration failed: {type(exc).__name__}: {exc}") from exc


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY}
        )
