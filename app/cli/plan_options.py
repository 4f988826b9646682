"""``--limit N`` and ``--all``: how many planned changes a command lists after its totals.

Shared by ``crossfade ratings``, ``playlists`` and ``mirror`` (their plans:
app/cli/plan_output.py and app/cli/mirror_plan.py); kept apart so that ``mirror`` imports
nothing of the job machinery for two options.
"""

from __future__ import annotations

import typer

DEFAULT_LIMIT = 20

LIMIT = typer.Option(
    DEFAULT_LIMIT, "--limit", min=0, help="How many changes to list after the totals."
)
ALL = typer.Option(False, "--all", help="List every change (overrides --limit).")


def chosen_limit(limit: int, show_all: bool) -> int | None:
    """``None`` (no limit) under ``--all``, else ``limit``."""
    return None if show_all else limit
