"""Alembic, driven from code: upgrade, downgrade, current and head revisions, new revisions.

The scripts live in the top-level ``migrations/`` folder, found through
:func:`app.adapters.assets.asset_dir` both in a checkout and in an installed copy. On PostgreSQL
an advisory lock serialises concurrent upgrades (app and worker starting together).

Revisions that rewrite secrets (0008 seals them at rest) need the installation's
:class:`~app.adapters.secret_box.SecretBox`: pass it as ``secret_box``; the scripts find it
in ``config.attributes["secret_box"]`` (:data:`SECRET_BOX_ATTRIBUTE`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from app.adapters.assets import asset_dir
from app.adapters.secret_box import SecretCipher
from app.domain.errors import SetupError

# An arbitrary constant key for pg_advisory_xact_lock: "crossfade" in ASCII, cut to 63 bits.
_PG_MIGRATION_LOCK_KEY = 0x63726F7373666164

SECRET_BOX_ATTRIBUTE = "secret_box"  # noqa: S105 (a name, not a secret)
VERSION_TABLE = "alembic_version"

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako and Pygments, about 11 MB resident) is imported only when a migration
# runs or a revision is written: a server that starts on a schema already at head reads the
# stamped revision with one query and the scripts' ids from their files, and never loads it.
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(None|['\"](\w+)['\"])", re.M)


def alembic_config(url: str | None = None, *, migrations_dir: Path | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir or asset_dir("migrations")))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def script_head(migrations_dir: Path | None = None) -> str | None:
    """The newest revision, read from the scripts' ``revision``/``down_revision`` lines
    without Alembic; ``None`` unless the history is one line with one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (migrations_dir or asset_dir("migrations")).glob("versions/*.py"):
        found = {name: rev for name, _, rev in _REVISION_LINE.findall(script.read_text())}
        if not found.get("revision"):
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def next_revision_id() -> str:
    """Revisions are numbered ``0001``, ``0002``, ... after the current head."""
    head = head_revision()
    return f"{int(head) + 1:04d}" if head and head.isdigit() else "0001"


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database (``None``: no schema yet)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(stamped) > 1:
        raise SetupError(f"the database is stamped with several revisions: {stamped}")
    return str(stamped[0][0]) if stamped else None


def at_head(engine: Engine) -> bool:
    """Whether the schema is at the scripts' head already (read without loading Alembic);
    :class:`SetupError` when the database cannot be read."""
    head = script_head()
    try:
        return head is not None and current_revision(engine) == head
    except SQLAlchemyError as exc:
        raise SetupError(f"the database cannot be read: {type(exc).__name__}: {exc}") from exc


def upgrade(
    engine: Engine, revision: str = "head", *, secret_box: SecretCipher | None = None
) -> None:
    """Bring the schema to ``revision`` (default: the newest); nothing to do, and no Alembic
    loaded, when it is at the scripts' head already."""
    if revision == "head" and at_head(engine):
        return
    from alembic import command

    _run(engine, lambda config: command.upgrade(config, revision), secret_box)


def downgrade(engine: Engine, revision: str, *, secret_box: SecretCipher | None = None) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    from alembic import command

    _run(engine, lambda config: command.downgrade(config, revision), secret_box)


def new_revision(engine: Engine, message: str, *, autogenerate: bool = True) -> Path:
    """Write a new revision file comparing the models with the database at head."""
    from alembic import command

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
