"""What the two kinds of side a ratings link joins share: a Plex music library
(``app.services.ratings.plex_side``) and a music folder (``app.services.ratings.folder_side``).

Each side lists its items (a key, the match metadata, the current rating and when it was set)
and writes a rating to one item, verified by reading it back. The sync service
(``app.services.ratings.run.sync``) sees only the :class:`~app.services.ports.RatingSide` port.

Item keys: a Plex ``ratingKey`` (as text) or a file's path relative to the folder's root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.domain.errors import CrossfadeError
from app.domain.ratings.value import Rating
from app.services.ports import Reporter, Written


def only_outcome(outcomes: Iterator[Written]) -> Rating | None:
    """The one outcome of a ``write_many`` of one write, its error raised."""
    outcome = next(outcomes)
    if isinstance(outcome, CrossfadeError):
        raise outcome
    return outcome


def stop_check(reporter: Reporter) -> Callable[[], bool]:
    """``should_stop`` for work that is polled: the reporter's cancellation raises, as ever."""

    def should_stop() -> bool:
        reporter.check_cancelled()
        return False

    return should_stop
