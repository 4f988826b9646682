"""Server-side filters and sorts of ``/library/sections/{id}/all`` (docs/PLEX.md §2.6).

A filter arrives as a query pair whose key carries the operator without its ``=``:
``track.lastRatedAt>>=1700000000`` parses to key ``track.lastRatedAt>>``, value ``1700000000``.
Several comma-separated values mean "any of". Relative dates (``-7d``) count back from now.
Boolean grouping (``push``/``or``/``pop``) is not supported and answers 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from plex_emulator.errors import HttpError
from plex_emulator.model import Album, Artist, Item, Movie, Track, UserData

# params of /all that are not filters
NON_FILTER_PARAMS = frozenset(
    {
        "type",
        "sort",
        "includeGuids",
        "includeMeta",
        "includeAdvanced",
        "includeCollections",
        "includeExternalMedia",
        "includeDetails",
        "checkFiles",
        "limit",
        "title",
        "X-Plex-Container-Start",
        "X-Plex-Container-Size",
        "X-Plex-Token",
        "excludeFields",
        "excludeElements",
        "includeFields",
        "includeElements",
        "asyncAugmentMetadata",
    }
)

_OPERATORS = {
    "": "=",
    "!": "!=",
    "=": "==",
    "!=": "!==",
    ">>": ">>=",
    "<<": "<<=",
    "<": "<=",
    ">": ">=",
}
_KEY = re.compile(r"^(?:(?P<libtype>[a-zA-Z]+)\.)?(?P<field>[a-zA-Z0-9]+)(?P<op>[!<>=]*)$")
_RELATIVE = re.compile(r"^-?(?P<n>\d+)(?P<unit>mon|s|m|h|d|w|y)$")
_UNIT_S = {
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "mon": 30 * 86400,
    "y": 365 * 86400,
}

_DATE_FIELDS = frozenset({"addedAt", "updatedAt", "lastRatedAt", "lastViewedAt"})
_NUMBER_FIELDS = frozenset(
    {"userRating", "id", "ratingKey", "index", "parentIndex", "duration", "viewCount", "year"}
)
_STRING_FIELDS = frozenset({"title", "titleSort", "guid", "editionTitle", "originalTitle"})
_PARENT_ID_FIELDS = frozenset({"artist.id", "album.id"})
"""``artist.id=K`` on albums or tracks (plexapi's ``Artist.albums()``), ``album.id=K`` on
tracks: the parent's rating key, not the item's own."""
FIELDS = _DATE_FIELDS | _NUMBER_FIELDS | _STRING_FIELDS | _PARENT_ID_FIELDS

Value = str | float | None


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    values: tuple[str, ...]


def _own_or(item: Item, attribute: str) -> float:
    """An item's parent key (``artist_key``, ``album_key``), or its own key when it has none."""
    key = getattr(item, attribute, None)
    return float(key) if isinstance(key, int) else float(item.rating_key)


_USER_FIELDS: dict[str, Callable[[UserData | None], Value]] = {
    "userRating": lambda data: data.rating if data else None,
    "lastRatedAt": lambda data: (
        float(data.last_rated_at) if data and data.last_rated_at is not None else None
    ),
    "viewCount": lambda data: float(data.view_count) if data else 0.0,
    "lastViewedAt": lambda data: (
        float(data.last_viewed_at) if data and data.last_viewed_at is not None else None
    ),
}

_ITEM_FIELDS: dict[str, Callable[[Item], Value]] = {
    "artist.id": lambda item: _own_or(item, "artist_key"),
    "album.id": lambda item: _own_or(item, "album_key"),
    "id": lambda item: float(item.rating_key),
    "ratingKey": lambda item: float(item.rating_key),
    "addedAt": lambda item: float(item.added_at),
    "updatedAt": lambda item: float(item.updated_at),
    "title": lambda item: item.title,
    "titleSort": lambda item: item.title,
    "guid": lambda item: item.guid,
}


def item_field(item: Item, field: str, data: UserData | None) -> Value:
    """The value of a filterable/sortable field of an item for one account."""
    user_field = _USER_FIELDS.get(field)
    if user_field is not None:
        return user_field(data)
    item_field_of = _ITEM_FIELDS.get(field)
    if item_field_of is not None:
        return item_field_of(item)
    if isinstance(item, Track):
        return _track_field(item, field)
    if isinstance(item, Movie):
        return _movie_field(item, field)
    if isinstance(item, Album) and field == "year":
        return float(item.year) if item.year is not None else None
    return None


def _movie_field(movie: Movie, field: str) -> Value:
    if field == "year":
        return float(movie.source.year) if movie.source.year is not None else None
    if field == "editionTitle":
        return movie.edition_title
    if field == "duration":
        return 0.0
    return None


def _track_field(track: Track, field: str) -> Value:
    src = track.source
    numbers: dict[str, int | None] = {
        "index": src.track_no,
        "parentIndex": src.disc_no or 1,
        "duration": src.duration_ms,
        "year": src.year,
    }
    if field in numbers:
        number = numbers[field]
        return float(number) if number is not None else None
    if field == "originalTitle":
        return src.track_artist
    return None


def parse_filters(params: Sequence[tuple[str, str]], now: int) -> list[Filter]:
    filters: list[Filter] = []
    for key, value in params:
        if key in NON_FILTER_PARAMS:
            continue
        if key in {"push", "pop", "or"}:
            raise HttpError(400, "Bad Request", "boolean filter grouping is not emulated")
        match = _KEY.match(key)
        if match is None:
            continue  # not shaped like a filter: ignored, as PMS ignores unknown params
        field, op_suffix = match.group("field"), match.group("op")
        parent_field = f"{match.group('libtype')}.{field}"
        if parent_field in _PARENT_ID_FIELDS:
            field = parent_field
        if op_suffix not in _OPERATORS:
            raise HttpError(400, "Bad Request", f"unknown filter operator in {key!r}")
        if field not in FIELDS:
            if match.group("libtype") or op_suffix:
                raise HttpError(400, "Bad Request", f"unsupported filter field {key!r}")
            continue
        values = tuple(value.split(",")) if field not in _STRING_FIELDS else (value,)
        if field in _DATE_FIELDS:
            values = tuple(str(_date_value(v, now)) for v in values)
        filters.append(Filter(field=field, op=_OPERATORS[op_suffix], values=values))
    return filters


def _date_value(text: str, now: int) -> int:
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative and not text.isdigit():
        return now - int(relative.group("n")) * _UNIT_S[relative.group("unit")]
    try:
        return int(float(text))
    except ValueError:
        raise HttpError(400, "Bad Request", f"bad date value {text!r}") from None


def _matches_one(actual: Value, op: str, wanted: str) -> bool:
    if op in {">>=", "<<="}:
        if actual is None or isinstance(actual, str):
            return False
        target = float(wanted)
        return actual > target if op == ">>=" else actual < target
    if isinstance(actual, float) or actual is None:
        try:
            target = float(wanted)
        except ValueError:
            return False
        equal = actual is not None and actual == target
        return equal if op in {"=", "=="} else not equal
    low, want = actual.casefold(), wanted.casefold()
    if op == "=":
        return want in low
    if op == "!=":
        return want not in low
    if op == "==":
        return low == want
    if op == "!==":
        return low != want
    if op == "<=":
        return low.startswith(want)
    return low.endswith(want)  # ">="


def matches(item: Item, filters: Iterable[Filter], data: UserData | None) -> bool:
    for flt in filters:
        actual = item_field(item, flt.field, data)
        negative = flt.op in {"!=", "!=="}
        hits = (_matches_one(actual, flt.op, v) for v in flt.values)
        if not (all(hits) if negative else any(hits)):
            return False
    return True


def parse_sort(value: str) -> list[tuple[str, bool]]:
    """``titleSort,track.addedAt:desc`` -> [(titleSort, False), (addedAt, True)]."""
    out: list[tuple[str, bool]] = []
    for part in value.split(","):
        name, _, direction = part.strip().partition(":")
        name = name.split(".")[-1]
        if name not in FIELDS:
            raise HttpError(400, "Bad Request", f"unsupported sort field {part!r}")
        if direction not in {"", "asc", "desc", "nullsLast"}:
            raise HttpError(400, "Bad Request", f"bad sort direction {part!r}")
        out.append((name, direction == "desc"))
    return out


def sort_items(
    items: list[Item], keys: list[tuple[str, bool]], data_of: Callable[[int], UserData | None]
) -> list[Item]:
    """Stable multi-key sort; missing values sort last in both directions."""
    result = sorted(items, key=lambda i: i.rating_key)
    for field, desc in reversed(keys):
        present = [i for i in result if item_field(i, field, data_of(i.rating_key)) is not None]
        missing = [i for i in result if item_field(i, field, data_of(i.rating_key)) is None]

        def key_of(item: Item, field: str = field) -> tuple[int, float, str]:
            value = item_field(item, field, data_of(item.rating_key))
            if isinstance(value, str):
                return (1, 0.0, value.casefold())
            return (0, float(value or 0.0), "")

        present.sort(key=key_of, reverse=desc)
        result = present + missing
    return result


def is_leaf(item: Item) -> bool:
    return isinstance(item, Track | Movie)


def is_directory(item: Item) -> bool:
    return isinstance(item, Album | Artist)
