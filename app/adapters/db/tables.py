"""Every table module, imported for its side effect of registering tables on ``metadata``.

Alembic's ``env.py`` and the tests import this module; a later issue that adds a table module
adds one import here.
"""

from __future__ import annotations

from app.adapters.db import (
    auth_models,
    hook_models,
    integration_models,
    models,
    playlist_journal_models,
    playlist_models,
    sync_models,
)
from app.adapters.db.base import metadata

__all__ = [
    "auth_models",
    "hook_models",
    "integration_models",
    "metadata",
    "models",
    "playlist_journal_models",
    "playlist_models",
    "sync_models",
]
