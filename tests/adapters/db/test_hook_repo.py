"""The webhook repository on SQLite and PostgreSQL: endpoints, digests, deliveries, outgoing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.hook_repo import HookRepository
from app.domain.errors import InvalidInput, NotFound, StateConflict


@pytest.fixture
def repo(session_factory: SessionFactory) -> HookRepository:
    return HookRepository(session_factory)


def test_endpoints_round_trip_without_their_digest(repo: HookRepository) -> None:
    created = repo.add_endpoint(
        name="Plex", source="plex", secret_digest="a" * 64, link_ids=[2, 1], options={"x": 1}
    )
    assert (created.name, created.source, created.link_ids, created.options) == (
        "Plex",
        "plex",
        (2, 1),
        {"x": 1},
    )
    assert created.enabled and created.last_used_at is None
    assert not hasattr(created, "secret_digest")
    assert repo.endpoint(created.id) == created
    assert repo.endpoints(source="radarr") == []
    assert [e.id for e in repo.endpoints()] == [created.id]


def test_names_and_digests_are_unique(repo: HookRepository) -> None:
    repo.add_endpoint(name="A", source="plex", secret_digest="a" * 64, link_ids=[], options={})
    with pytest.raises(StateConflict, match="named 'A'"):
        repo.add_endpoint(name="A", source="plex", secret_digest="b" * 64, link_ids=[], options={})
    with pytest.raises(StateConflict):
        repo.add_endpoint(name="B", source="plex", secret_digest="a" * 64, link_ids=[], options={})


def test_digests_of_enabled_endpoints_of_one_source(repo: HookRepository) -> None:
    plex = repo.add_endpoint(
        name="P", source="plex", secret_digest="a" * 64, link_ids=[], options={}
    )
    off = repo.add_endpoint(
        name="Q", source="plex", secret_digest="b" * 64, link_ids=[], options={}, enabled=False
    )
    repo.add_endpoint(name="R", source="radarr", secret_digest="c" * 64, link_ids=[], options={})
    assert repo.digests("plex") == [(plex.id, "a" * 64)]
    repo.update_endpoint(off.id, enabled=True, secret_digest="d" * 64)
    assert sorted(repo.digests("plex")) == [(plex.id, "a" * 64), (off.id, "d" * 64)]


def test_update_and_delete_endpoint(repo: HookRepository) -> None:
    endpoint = repo.add_endpoint(
        name="P", source="plex", secret_digest="a" * 64, link_ids=[], options={}
    )
    changed = repo.update_endpoint(endpoint.id, name="P2", link_ids=(3,), enabled=False)
    assert (changed.name, changed.link_ids, changed.enabled) == ("P2", (3,), False)
    assert changed.updated_at >= endpoint.updated_at
    with pytest.raises(InvalidInput, match="source"):
        repo.update_endpoint(endpoint.id, source="radarr")
    repo.add_delivery(endpoint.id, event="media.rate", outcome="queued", detail="d")
    repo.delete_endpoint(endpoint.id)
    with pytest.raises(NotFound):
        repo.endpoint(endpoint.id)
    with pytest.raises(NotFound):
        repo.delete_endpoint(endpoint.id)
    with pytest.raises(NotFound):
        repo.update_endpoint(endpoint.id, enabled=True)


def test_deliveries_keep_the_newest(repo: HookRepository) -> None:
    endpoint = repo.add_endpoint(
        name="P", source="plex", secret_digest="a" * 64, link_ids=[], options={}
    )
    for n in range(7):
        repo.add_delivery(
            endpoint.id,
            event=f"e{n}",
            outcome="queued",
            detail=f"call {n}",
            link_ids=[1],
            job_ids=[n],
            keep=3,
        )
    kept = repo.deliveries(endpoint.id)
    assert [d.event for d in kept] == ["e6", "e5", "e4"]
    assert kept[0].job_ids == (6,) and kept[0].link_ids == (1,)
    assert repo.endpoint(endpoint.id).last_used_at is not None
    with pytest.raises(NotFound):
        repo.add_delivery(999, event="x", outcome="queued", detail="")


def test_outgoing_hooks(repo: HookRepository) -> None:
    ha = repo.add_outgoing(
        name="HA", url="http://ha/api/webhook/x", events=["job_finished", "job_failed"]
    )
    ntfy = repo.add_outgoing(name="ntfy", url="https://ntfy.sh/t", events=["job_failed"])
    with pytest.raises(StateConflict):
        repo.add_outgoing(name="HA", url="http://other", events=["job_failed"])
    assert [h.name for h in repo.outgoing_hooks(event="job_failed")] == ["HA", "ntfy"]
    assert [h.name for h in repo.outgoing_hooks(event="job_finished")] == ["HA"]
    assert repo.outgoing_hooks(event="job_started") == []
    repo.update_outgoing(ntfy.id, enabled=False, events=("job_failed", "job_started"))
    assert [h.name for h in repo.outgoing_hooks(event="job_failed")] == ["HA"]
    assert len(repo.outgoing_hooks()) == 2

    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    repo.record_outgoing_result(ha.id, status=500, error="answered 500", at=at)
    stored = repo.outgoing(ha.id)
    assert (stored.last_status, stored.last_error, stored.last_sent_at) == (500, "answered 500", at)
    repo.delete_outgoing(ha.id)
    repo.record_outgoing_result(ha.id, status=200, error=None, at=at)  # gone: no error
    with pytest.raises(NotFound):
        repo.outgoing(ha.id)
    with pytest.raises(InvalidInput):
        repo.update_outgoing(ntfy.id, last_status=1)
