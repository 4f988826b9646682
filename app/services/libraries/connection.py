"""The dashboard's "Test connection" for any kind whose registry entry declares a ``check``:
from what the add form holds (before anything is saved) or from a saved library (its stored
settings and secret). The answer is the kind's :class:`ConnectionReport`; a refused or
unreachable server is the ``CrossfadeError`` that says why. Nothing is written anywhere and
the secret is never part of the report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.library_records import LibraryRecord
from app.services.libraries.configs import validated
from app.services.libraries.kinds import ConnectionCheck, ConnectionReport, KindEntry
from app.services.libraries.service import SideFactory

TEST_TIMEOUT_S = 10.0  # a test waits at most this long per request, whatever the library says


def can_check(entry: KindEntry) -> bool:
    return entry.check is not None


def _check_of(entry: KindEntry) -> ConnectionCheck:
    if entry.check is None:
        raise InvalidInput(f"a {entry.display_name} library has no connection test")
    return entry.check


def check_typed(
    sides: SideFactory, kind: str, config: Mapping[str, Any], secret: str | None
) -> ConnectionReport:
    """Test the connection the add form describes: ``config`` as posted (validated like a new
    library's), ``secret`` as typed (required when the kind has one)."""
    entry = sides.kinds.entry(kind)
    check = _check_of(entry)
    settings = validated(entry.config_model, dict(config), "settings")
    if entry.secret is not None and not secret:
        raise InvalidInput(entry.secret.missing)
    return check(settings, secret or "", sides.context(dry_run=True), TEST_TIMEOUT_S)


def check_saved(sides: SideFactory, library: LibraryRecord) -> ConnectionReport:
    """Test a saved library's connection with its stored settings and secret."""
    entry = sides.kinds.entry(library.kind)
    check = _check_of(entry)
    settings = validated(entry.config_model, dict(library.config), "settings")
    secret = sides.secret(library) or ""
    return check(settings, secret, sides.context(dry_run=True), TEST_TIMEOUT_S)
