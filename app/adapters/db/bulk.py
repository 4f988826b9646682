"""Inserting many plain rows through the driver's ``executemany``.

SQLAlchemy's Core ``insert(table)`` with a list of dicts processes every parameter of every row
in Python (~20 µs a row of ten columns); a first sync inserts 20,000 pair links and 20,000 file
states. Here each column's bind processor (our UTC datetime type, JSON, booleans) is looked up
once, constants are processed once, and only the columns that need it are processed per row;
the rows then go to the driver as tuples in one ``executemany`` (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table
from sqlalchemy.types import TypeDecorator

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}


def _binding(
    table: Table, column: str, connection: Connection, placeholder: str
) -> tuple[str, Callable[[Any], Any] | None]:
    """The column's placeholder and how its values become driver values. JSON is serialised
    here (and cast on PostgreSQL, where SQLAlchemy would have rendered the cast itself); a
    type decorator's own conversion (lossless names) runs first."""
    column_type = table.c[column].type
    dialect = connection.dialect
    if isinstance(column_type, TypeDecorator) and isinstance(column_type.impl_instance, JSON):
        decorator = column_type

        def to_json(value: Any) -> str:
            return json.dumps(decorator.process_bind_param(value, dialect))

        return _json_binding(placeholder, dialect.name, to_json)
    if isinstance(column_type, JSON):
        return _json_binding(placeholder, dialect.name, json.dumps)
    processor: Callable[[Any], Any] | None = column_type.bind_processor(dialect)
    return placeholder, processor


def _json_binding(
    placeholder: str, dialect_name: str, to_json: Callable[[Any], str]
) -> tuple[str, Callable[[Any], Any]]:
    if dialect_name == "postgresql":
        return f"CAST({placeholder} AS JSON)", to_json
    return placeholder, to_json


def insert_many(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    constants: Mapping[str, object] | None = None,
) -> None:
    """Insert ``rows`` (values in ``columns`` order) with ``constants`` in every row."""
    fixed = dict(constants or {})
    placeholder = _PLACEHOLDER.get(connection.dialect.paramstyle)
    if placeholder is None:
        raise NotImplementedError(f"paramstyle {connection.dialect.paramstyle}")
    names = [*columns, *fixed]
    bindings = [_binding(table, name, connection, placeholder) for name in names]
    fixed_values = []
    for (_, processor), value in zip(bindings[len(columns) :], fixed.values(), strict=True):
        fixed_values.append(processor(value) if processor is not None else value)
    fixed_tuple = tuple(fixed_values)
    processors = [(i, p) for i, (_, p) in enumerate(bindings[: len(columns)]) if p is not None]
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in names)
    table_name = connection.dialect.identifier_preparer.format_table(table)
    marks = ", ".join(mark for mark, _ in bindings)
    # Identifiers from our own table metadata, quoted by the dialect; values are parameters.
    sql = f"INSERT INTO {table_name} ({quoted}) VALUES ({marks})"  # noqa: S608
    prepared: list[tuple[object, ...]] = []
    for row in rows:
        values = list(row)
        for index, processor in processors:
            values[index] = processor(values[index])
        prepared.append((*values, *fixed_tuple))
    if prepared:
        connection.exec_driver_sql(sql, prepared)
