from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from app.adapters.db.types import UtcDateTime


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
