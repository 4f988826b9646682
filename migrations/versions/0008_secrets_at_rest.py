"""secrets encrypted at rest

Seals the reversible secrets stored in clear text so far: ``library.secret`` (Plex tokens)
and ``outgoing_webhook.url`` (which may carry a webhook id). The columns stay text; values
become ``enc:v1:<token>`` (``app.adapters.secret_box``). Downgrade opens them again.

Both directions need the installation's secret box, which ``app.adapters.db.migrate`` passes
in ``config.attributes["secret_box"]``; without it (offline mode, or a bare ``alembic``
call) the revision stops with a message saying how to run it, unless there is nothing to
rewrite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

from app.adapters.secret_box import SecretCipher, is_sealed
from app.domain.errors import SetupError

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): every reversible secret at rest.
_SECRET_COLUMNS = (("library", "secret"), ("outgoing_webhook", "url"))


def _box() -> SecretCipher | None:
    box: SecretCipher | None = context.config.attributes.get("secret_box")
    return box


def _rewrite(change: Callable[[SecretCipher, str], str | None], verb: str) -> None:
    if context.is_offline_mode():
        raise SetupError(
            f"revision 0008 must {verb} stored secrets and cannot run offline: "
            "run `crossfade db upgrade` (it uses the secret key of the installation)"
        )
    connection = op.get_bind()
    box = _box()
    for table_name, column_name in _SECRET_COLUMNS:
        table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column_name, sa.Text))
        column = table.c[column_name]
        rows = connection.execute(
            sa.select(table.c.id, column).where(column.is_not(None), column != "")
        ).all()
        for row_id, value in rows:
            if box is None:
                raise SetupError(
                    f"revision 0008 must {verb} stored secrets ({table_name}.{column_name}) "
                    "and needs the secret key: run `crossfade db upgrade` (with the same "
                    "CROSSFADE_SECRET_KEY or data directory as the app)"
                )
            new_value = change(box, value)
            if new_value is not None:
                connection.execute(
                    sa.update(table).where(table.c.id == row_id).values({column_name: new_value})
                )


def _seal(box: SecretCipher, value: str) -> str | None:
    return None if is_sealed(value) else box.seal(value)


def _open(box: SecretCipher, value: str) -> str | None:
    return box.open(value, what="a stored secret") if is_sealed(value) else None


def upgrade() -> None:
    _rewrite(_seal, "encrypt")


def downgrade() -> None:
    _rewrite(_open, "decrypt")
