import pytest
from sqlalchemy import Engine

from app.adapters.db.engine import check_database, create_db_engine
from app.adapters.queue import redis_reachable
from app.services.system.health import check_health


def test_inline_needs_no_queue(migrated_engine: Engine) -> None:
    report = check_health(
        lambda: check_database(migrated_engine),
        version="1.2",
        queue_mode="inline",
        redis_url=None,
        ping_redis=redis_reachable,
    )
    assert report.ok
    assert (report.version, report.database_ok, report.queue_reachable) == ("1.2", True, True)


def test_unreachable_redis_is_degraded(migrated_engine: Engine) -> None:
    report = check_health(
        lambda: check_database(migrated_engine),
        version="1",
        queue_mode="arq",
        redis_url="redis://x",
        ping_redis=lambda _url: (False, "ConnectionError: refused"),
    )
    assert not report.ok
    assert report.queue_detail == "ConnectionError: refused"


@pytest.mark.postgres
def test_unreachable_database_is_degraded() -> None:
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        report = check_health(
            lambda: check_database(engine),
            version="1",
            queue_mode="inline",
            redis_url=None,
            ping_redis=redis_reachable,
        )
    finally:
        engine.dispose()
    assert not report.ok
    assert report.database_detail is not None
    assert "unreachable" in report.database_detail
