"""job problems and lossless paths

Adds ``job.problems``: the warnings and errors about items of a run (inbox items aside), so a
run with problems ends visibly different from a clean one.

Text and JSON columns that hold file names and item keys now store any Python string through
``app.domain.names.store_form``, the identity on ordinary text. Only a value that already holds
the escape character (U+10FFFD) changes: it is stored doubled. Downgrade undoes the doubling;
names stored since with escaped bytes keep their escapes (the old schema could not hold them).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:30:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: a revision must not change when the application's codec module does.
ESCAPE = "\U0010fffd"
ESCAPE_IN_JSON = json.dumps(ESCAPE)[1:-1]  # "\udbff\udffd", as json.dumps writes it

TEXT_COLUMNS = {
    "library": ("name",),
    "path_mapping": ("plex_prefix", "local_prefix"),
    "track_link": ("a_key", "b_key", "a_label", "b_label", "note"),
    "file_state": ("rel_path",),
    "journal": ("item_key",),
    "playlist_pair": ("a_ref", "b_ref", "title"),
    "playlist_conflict": ("title",),
}
JSON_COLUMNS = {
    "library": ("config",),
    "link": ("options",),
    "file_state": ("tags", "meta"),
    "conflict": ("evidence",),
    "playlist_pair": ("baseline",),
    "playlist_conflict": ("a_entries", "b_entries", "baseline"),
    "job": ("params",),
}


def _like_anywhere(text: str) -> str:
    escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def _rewrite_text(old: str, new: str) -> None:
    for table_name, columns in TEXT_COLUMNS.items():
        for name in columns:
            column = sa.column(name, sa.Text())
            table = sa.table(table_name, column)
            op.execute(
                table.update()
                .where(column.like(_like_anywhere(old), escape="!"))
                .values({name: sa.func.replace(column, old, new)})
            )


def _walk(value: object, change: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(str(k)): _walk(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(item, change) for item in value]
    return value


def _rewrite_json(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    for table_name, columns in JSON_COLUMNS.items():
        for name in columns:
            row_id = sa.column("id", sa.Integer())
            column = sa.column(name, sa.JSON())
            table = sa.table(table_name, row_id, column)
            as_text = sa.cast(column, sa.Text())
            query = sa.select(row_id, as_text).where(
                sa.or_(
                    as_text.like(_like_anywhere(ESCAPE), escape="!"),
                    as_text.like(_like_anywhere(ESCAPE_IN_JSON), escape="!"),
                )
            )
            for found_id, text in bind.execute(query).all():
                value = _walk(json.loads(text), change)
                bind.execute(table.update().where(row_id == found_id).values({name: value}))


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('problems', sa.Integer(), nullable=False, server_default='0')
        )
    _rewrite_text(ESCAPE, ESCAPE + ESCAPE)
    _rewrite_json(lambda text: text.replace(ESCAPE, ESCAPE + ESCAPE))


def downgrade() -> None:
    _rewrite_json(lambda text: text.replace(ESCAPE + ESCAPE, ESCAPE))
    _rewrite_text(ESCAPE + ESCAPE, ESCAPE)
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('problems')
