"""The one MetaData every table shares, with a naming convention for constraints and indexes.

Named constraints make Alembic batch migrations on SQLite (which copies tables) and
autogenerate comparisons work the same on SQLite and PostgreSQL. Import this module before
declaring any table.
"""

from __future__ import annotations

from sqlmodel import SQLModel

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION
