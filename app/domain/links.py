"""The link vocabulary (pure): what a link joins, which way it flows and how a run writes.

A *link* joins two libraries, side A and side B, for one :class:`LinkKind` of sync. The link's
:class:`Direction` says which sides may ever be written; a run's :class:`Mode` narrows that for
one run (``import`` is files -> Plex, ``export`` is Plex -> files). :func:`writable_sides` is
their intersection. The ratings and playlists features both speak this vocabulary; the values
are stored in the database and shown by the API, so they never change.
"""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import InvalidInput


class LinkKind(StrEnum):
    """What a link syncs."""

    RATINGS = "ratings"
    PLAYLISTS = "playlists"
    MIRROR = "mirror"


class Side(StrEnum):
    """One of the two sides of a link."""

    A = "a"
    B = "b"

    @property
    def other(self) -> Side:
        return Side.B if self is Side.A else Side.A


class Direction(StrEnum):
    """A link's direction: which sides may ever be written."""

    BOTH = "both"
    A_TO_B = "a_to_b"
    B_TO_A = "b_to_a"


class Mode(StrEnum):
    """A run's mode: ``sync`` both ways, ``import`` files -> Plex, ``export`` Plex -> files."""

    SYNC = "sync"
    IMPORT = "import"
    EXPORT = "export"


def writable_sides(direction: Direction, mode: Mode, files_side: Side | None) -> frozenset[Side]:
    """The sides a run may write: the link's direction intersected with the run's mode.

    ``import`` (files -> Plex) writes only the side opposite ``files_side``; ``export``
    (Plex -> files) writes only ``files_side``. An empty result means the run can write nothing
    (for example an ``a_to_b`` link exported towards A); the service should refuse such a run
    with :class:`~app.domain.errors.InvalidInput` rather than plan it.
    """
    by_direction = {
        Direction.BOTH: frozenset({Side.A, Side.B}),
        Direction.A_TO_B: frozenset({Side.B}),
        Direction.B_TO_A: frozenset({Side.A}),
    }[direction]
    if mode is Mode.SYNC:
        return by_direction
    if files_side is None:
        raise InvalidInput(f"mode {mode.value} needs to know which side holds the files")
    by_mode = frozenset({files_side.other}) if mode is Mode.IMPORT else frozenset({files_side})
    return by_direction & by_mode
