"""Apprise notifications through the real job path, sent by Apprise's own ``json://`` plugin to
a loopback receiver: a failed job, a ratings run that leaves a conflict and changes more
ratings than the threshold; each message names the link, the counts and the job page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Container, build_container
from app.domain.errors import InvalidInput
from app.domain.integrations import NotifyEvent
from app.domain.jobs import JobRecord
from app.services.jobs.selftest import SELFTEST
from app.settings import Settings
from tests.conftest import FAST_TIMING, wait_until
from tests.services.folders_support import LINK_TITLE, conflicting_folders_link
from tests.services.hook_support import JsonReceiver

PUBLIC_URL = "http://crossfade.test:8080"


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings, timing=FAST_TIMING)
    try:
        built.startup()
        yield built
    finally:
        built.close()


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    with JsonReceiver() as running:
        yield running


def apprise_url(receiver: JsonReceiver, path: str) -> str:
    return receiver.url(path).replace("http://", "json://", 1)


def finished(container: Container, job: JobRecord) -> JobRecord:
    wait_until(lambda: not container.jobs.get(job.id).status.is_active, what="the job's end")
    return container.jobs.get(job.id)


def messages(receiver: JsonReceiver, path: str) -> list[str]:
    return [str(post.body["message"]) for post in receiver.received if post.path == path]


def test_a_failed_job_is_notified(container: Container, receiver: JsonReceiver) -> None:
    container.integrations.settings.save_notify(
        urls={NotifyEvent.JOB_FAILED: [apprise_url(receiver, "/failed")]},
        ratings_threshold=100,
        public_url=PUBLIC_URL,
    )
    job = finished(
        container, container.jobs.start(SELFTEST, {"steps": 2, "step_s": 0, "fail_at": 2})
    )
    wait_until(lambda: messages(receiver, "/failed"), what="the notification")
    [post] = receiver.received
    assert post.body["title"] == f"Crossfade: job {job.id} (selftest): the run failed"
    body = str(post.body["message"])
    assert f"Job {job.id}: {PUBLIC_URL}/jobs/{job.id}" in body
    assert "Error:" in body


def test_a_ratings_run_notifies_conflicts_and_many_changes(
    container: Container,
    receiver: JsonReceiver,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    link = conflicting_folders_link(container, tmp_path, tmp_path_factory)
    container.integrations.settings.save_notify(
        urls={
            NotifyEvent.CONFLICTS_WAITING: [apprise_url(receiver, "/conflicts")],
            NotifyEvent.MANY_RATINGS_CHANGED: [apprise_url(receiver, "/many")],
            NotifyEvent.JOB_FAILED: [apprise_url(receiver, "/failed")],
        },
        ratings_threshold=0,
        public_url=PUBLIC_URL,
    )
    job = finished(container, container.link_runs.run(link.id))
    assert job.counters.get("conflicts") == 1
    changed = job.counters.get("written_a", 0) + job.counters.get("written_b", 0)
    assert changed > 0
    wait_until(
        lambda: messages(receiver, "/conflicts") and messages(receiver, "/many"),
        what="both notifications",
    )
    [conflicts] = messages(receiver, "/conflicts")
    assert conflicts.startswith(f"{LINK_TITLE}: 1 rating conflict(s) waiting")
    assert "conflicts 1" in conflicts and "conflicts pending 1" in conflicts
    assert f"{PUBLIC_URL}/jobs/{job.id}" in conflicts
    [many] = messages(receiver, "/many")
    assert many.startswith(f"{LINK_TITLE}: {changed} ratings changed")
    assert messages(receiver, "/failed") == []


def test_send_test_and_bad_urls(container: Container, receiver: JsonReceiver) -> None:
    notifications = container.integrations.notifications
    assert notifications.send_test() == "no Apprise URL is configured"
    container.integrations.settings.save_notify(
        urls={NotifyEvent.JOB_FAILED: [apprise_url(receiver, "/test")]},
        ratings_threshold=5,
        public_url=None,
    )
    assert notifications.send_test() is None
    wait_until(lambda: messages(receiver, "/test"), what="the test message")
    assert "reach you here" in messages(receiver, "/test")[0]
    assert (
        notifications.send_test(["nosuchservice://token"])
        == "nosuchservice://…: not an Apprise URL"
    )
    with pytest.raises(InvalidInput, match="Apprise URL"):
        container.integrations.settings.save_notify(
            urls={NotifyEvent.JOB_FAILED: ["just text"]}, ratings_threshold=5, public_url=None
        )
    stored = container.integrations.settings.notify()
    assert stored.urls_for(NotifyEvent.JOB_FAILED) == (apprise_url(receiver, "/test"),)
    assert stored.ratings_threshold == 5
