import os
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from app.adapters.db.types import LosslessJson, LosslessText, UtcDateTime
from app.domain.names import store_form


@pytest.fixture
def table(migrated_engine: Engine) -> Table:
    metadata = MetaData()
    table = Table(
        "when_table",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", UtcDateTime()),
    )
    metadata.create_all(migrated_engine)
    return table


def test_aware_in_utc_out(migrated_engine: Engine, table: Table) -> None:
    paris = timezone(timedelta(hours=1))
    with migrated_engine.begin() as connection:
        connection.execute(insert(table).values(id=1, at=datetime(2025, 3, 1, 13, 0, tzinfo=paris)))
        connection.execute(insert(table).values(id=2, at=None))
        rows = dict(connection.execute(select(table.c.id, table.c.at)).all())
    assert rows[1] == datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert rows[1].utcoffset() == timedelta(0)
    assert rows[2] is None


def test_naive_is_refused(migrated_engine: Engine, table: Table) -> None:
    with pytest.raises(StatementError, match="naive"), migrated_engine.begin() as connection:
        connection.execute(insert(table).values(id=3, at=datetime(2025, 3, 1)))


# -- lossless names --------------------------------------------------------------------------

LOSSLESS_NAMES = [
    b"09 Caf\xe9.flac",
    "Café.flac".encode(),
    unicodedata.normalize("NFD", "Café.flac").encode(),
    b"a" * 250 + b".flac",
    b"line\nbreak.flac",
    b"-rf.flac",
    "\U0010fffd odd.flac".encode(),
    b"\xff\xfe.mp3",
]


@pytest.fixture
def names_table(migrated_engine: Engine) -> Table:
    metadata = MetaData()
    table = Table(
        "names_table",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", LosslessText(), unique=True),
        Column("doc", LosslessJson()),
    )
    metadata.create_all(migrated_engine)
    return table


def test_every_name_comes_back_byte_for_byte(migrated_engine: Engine, names_table: Table) -> None:
    names = [os.fsdecode(raw) for raw in LOSSLESS_NAMES]
    with migrated_engine.begin() as connection:
        connection.execute(
            insert(names_table),
            [
                {"id": i, "name": name, "doc": {name: [name, "x"], "n": i}}
                for i, name in enumerate(names)
            ],
        )
        rows = connection.execute(select(names_table.c.id, names_table.c.name, names_table.c.doc))
        by_id = {row_id: (name, doc) for row_id, name, doc in rows}
    for i, raw in enumerate(LOSSLESS_NAMES):
        name, doc = by_id[i]
        assert os.fsencode(name) == raw
        assert doc == {os.fsdecode(raw): [os.fsdecode(raw), "x"], "n": i}
    # NFC and NFD stay two distinct rows under the unique constraint.
    assert by_id[1][0] != by_id[2][0]


def test_lookups_and_prefixes_use_the_stored_form(
    migrated_engine: Engine, names_table: Table
) -> None:
    name = os.fsdecode(b"Caf\xe9/09 Caf\xe9.flac")
    with migrated_engine.begin() as connection:
        connection.execute(insert(names_table).values(id=1, name=name, doc=[]))
        by_equal = connection.execute(
            select(names_table.c.id).where(names_table.c.name == name)
        ).scalar_one()
        by_in = connection.execute(
            select(names_table.c.id).where(names_table.c.name.in_([name, "other"]))
        ).scalar_one()
        prefix = os.fsdecode(b"Caf\xe9/")  # bound values go through the same form
        by_prefix = connection.execute(
            select(names_table.c.id).where(names_table.c.name.startswith(prefix, autoescape=True))
        ).scalar_one()
        raw_text = connection.execute(
            text("SELECT name FROM names_table WHERE id = 1")
        ).scalar_one()
    assert by_equal == by_in == by_prefix == 1
    assert raw_text == store_form(name)
    raw_text.encode("utf-8")
