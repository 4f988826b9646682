"""Edits of the state that requests make: field edits, ratings and scrobbles. Refusals are
:class:`~plex_emulator.errors.StateError` s, which the HTTP layer answers."""

from __future__ import annotations

from dataclasses import replace

from plex_emulator.errors import InvalidRequest
from plex_emulator.model import (
    Account,
    Movie,
    Track,
    TrackSource,
    UserData,
)
from plex_emulator.state_core import Event, EventKind, StateCore


class Edits(StateCore):
    """``edit_fields``, ``rate`` and ``scrobble``."""

    def edit_fields(self, account: Account, keys: list[int], values: dict[str, str]) -> None:
        """``PUT /library/sections/{id}/all``: title, titleSort, userRating, editionTitle."""
        allowed = {"title", "titleSort", "userRating", "editionTitle", "summary"}
        unknown = set(values) - allowed
        if unknown:
            raise InvalidRequest(f"field edit not emulated: {sorted(unknown)}")
        with self.lock:
            items = [self.item_for(account, k) for k in keys]
            for item in items:
                if "userRating" in values:
                    rating = parse_rating(values["userRating"])
                    data = self._data(account, item.rating_key)
                    data.rating = rating
                if "editionTitle" in values:
                    if not isinstance(item, Movie):
                        raise InvalidRequest("editionTitle is a movie field")
                    item.edition_title = values["editionTitle"] or None
                if "title" in values:
                    if isinstance(item, Movie):
                        item.title_override = values["title"]
                    elif isinstance(item, Track):
                        item.source = _replace_title(item.source, values["title"])
                if {"title", "editionTitle"} & set(values):
                    item.updated_at = self.clock()
                    self._rebuild_fragments(self.sections[item.section_id], {item.rating_key})
        self.notify_changed()

    def rate(
        self, account: Account, rating_key: int, rating: float | None, rated_at: int | None
    ) -> UserData:
        """Set (or with None clear) one account's rating; ``rated_at`` defaults to now.

        A clear keeps the previous ``lastRatedAt`` (docs/PLEX.md §3: it survives a clear) unless
        ``clear_refreshes_last_rated_at`` is set.
        """
        now = self.clock()
        if rated_at is not None and rated_at > now:
            raise InvalidRequest("ratedAt is in the future")
        with self.lock:
            self.item_for(account, rating_key)
            data = self._data(account, rating_key)
            data.rating = rating
            if rating is not None or self.clear_refreshes_last_rated_at:
                data.last_rated_at = rated_at if rated_at is not None else now
            snapshot = UserData(
                data.rating, data.last_rated_at, data.view_count, data.last_viewed_at
            )
        self.notify_changed()
        self._emit(Event(EventKind.MEDIA_RATE, account, rating_key, rating))
        return snapshot

    def scrobble(self, account: Account, rating_key: int, *, played: bool) -> None:
        with self.lock:
            self.item_for(account, rating_key)
            data = self._data(account, rating_key)
            if played:
                data.view_count += 1
                data.last_viewed_at = self.clock()
            else:
                data.view_count = 0
                data.last_viewed_at = None
        self.notify_changed()
        if played:
            self._emit(Event(EventKind.MEDIA_SCROBBLE, account, rating_key))


def parse_rating(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise InvalidRequest(f"bad rating {text!r}") from None
    if value == -1:
        return None
    if not 0 <= value <= 10:
        raise InvalidRequest(f"rating {text!r} is outside 0..10")
    return value


def _replace_title(source: TrackSource, title: str) -> TrackSource:
    return replace(source, title=title)
