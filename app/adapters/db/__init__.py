"""The database adapter: SQLModel tables, the engine and session factory, repositories.

``base`` sets the MetaData naming convention before any table is declared; ``models`` holds the
first tables. Later issues add their tables in new modules and list them in ``tables`` so that
Alembic (``migrations/env.py``) sees every table.
"""
