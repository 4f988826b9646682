"""Choices of CLI options as enums, so that ``--help`` lists them, typer checks them and the
shell completes them.

An option with a fixed set of values takes an enum, never a free string. Use the domain's own
enum when one exists and is light to import (``app.domain.links.Mode``,
``app.domain.playlists.diff.PlaylistMode``, ``app.domain.ratings.merge.Policy``). When the
values live in a heavier layer (a service module that imports adapters), mirror them here as a
``StrEnum`` with the same values; ``tests/cli/test_choices.py`` fails when the two drift apart.
"""

from __future__ import annotations

from enum import StrEnum


class PlaylistPolicyChoice(StrEnum):
    """``--policy`` of the playlists commands (values of the service's ``PlaylistPolicy``)."""

    ASK = "ask"
    PREFER_A = "prefer_a"
    PREFER_B = "prefer_b"
    NEWEST = "newest"
