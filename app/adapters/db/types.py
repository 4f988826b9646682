"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.domain.names import from_store_form, from_store_json, store_form, store_json


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in, timezone-aware UTC datetimes out.

    PostgreSQL stores ``timestamptz``; SQLite stores text without an offset, so values are
    normalised to UTC on the way in and tagged UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LosslessText(TypeDecorator[str]):
    """Text that holds any Python ``str``: file names that are not valid UTF-8 (lone
    surrogates from ``surrogateescape``) and NUL included, on SQLite and PostgreSQL.

    Stored in :func:`app.domain.names.store_form`, the identity on ordinary text and
    prefix-preserving. Values bound against the column (``==``, ``in_``, ``startswith``) go
    through the same form, so queries take the plain Python string; only raw SQL text must
    use ``store_form`` itself.
    """

    impl = Text()
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else store_form(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else from_store_form(value)


class LosslessString(TypeDecorator[str]):
    """:class:`LosslessText` in a ``VARCHAR(length)`` (a library's name may hold its folder)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else store_form(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else from_store_form(value)


class LosslessJson(TypeDecorator[Any]):
    """JSON whose strings (keys too) may hold any Python ``str``, as :class:`LosslessText`.

    PostgreSQL's ``json`` rejects ``\\udcxx`` escapes of lone surrogates; every string goes
    through :func:`app.domain.names.store_json` on the way in and back on the way out.
    """

    impl = JSON()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return store_json(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return from_store_json(value)
