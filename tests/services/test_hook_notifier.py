"""Outgoing webhooks whose URL cannot be decrypted (the secret key changed) are skipped with
the reason, never posted to, and the reason stays on the webhook; every post is signed."""

from __future__ import annotations

import time

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.hook_repo import HookRepository
from app.adapters.db.jobs import JobRepository
from app.adapters.db.models import utc_now
from app.adapters.http_out import post_json
from app.adapters.secret_box import SecretBox
from app.bootstrap import Container
from app.domain.jobs import JobStatus, JobTrigger
from app.domain.webhook_signing import verify
from app.services.hooks.notifier import HookNotifier, OutgoingHooks
from tests.conftest import wait_until
from tests.services.hook_support import JsonReceiver


def test_a_webhook_sealed_under_another_key_is_skipped(
    session_factory: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with JsonReceiver() as receiver:
        old = HookRepository(session_factory, SecretBox("old key"))
        hook = old.add_outgoing(name="HA", url=receiver.url(), events=["job_finished"])
        repository = HookRepository(session_factory, SecretBox("new key"))

        result = OutgoingHooks(repository, post=post_json).send_test(hook.id)
        assert not result.ok and result.error is not None
        assert "secret key changed" in result.error

        jobs = JobRepository(session_factory)
        job = jobs.insert(
            kind="selftest",
            params={},
            dry_run=False,
            trigger=JobTrigger.API,
            lock_key="selftest",
            now=utc_now(),
        )
        assert jobs.claim(job.id, runner_id="r", now=utc_now()) is not None
        assert jobs.finish(
            job.id, runner_id="r", status=JobStatus.SUCCEEDED, error=None, now=utc_now()
        )
        notifier = HookNotifier(repository, jobs, lambda link_id: 0, post=post_json)
        notifier.job_ended(job.id)
        assert notifier.wait_idle()
        notifier.close()

        assert receiver.received == []
        assert "outgoing webhook 'HA' skipped: the URL of outgoing webhook 'HA' cannot be" in (
            caplog.text
        )
        stored = repository.outgoing(hook.id)
        assert stored.last_error is not None and "restore the old key" in stored.last_error
        # under the right key it is posted to as before
        assert OutgoingHooks(old, post=post_json).send_test(hook.id).ok
        assert len(receiver.received) == 1


def test_the_containers_webhooks_are_signed_with_the_secret_the_page_shows(
    container: Container,
) -> None:
    """Job events and tests from the installation's notifier carry Standard Webhooks headers
    that verify with the webhook's ``whsec_…`` secret, as a receiver would check them."""
    outgoing = container.hooks.outgoing
    with JsonReceiver() as receiver:
        hook = outgoing.create(name="signed", url=receiver.url(), events=["job_finished"])
        assert outgoing.send_test(hook.id).ok
        job = container.jobs.start("selftest", {"steps": 1, "step_s": 0})
        wait_until(lambda: len(receiver.received) == 2, what="the job_finished post")
    secret = outgoing.signing_secret(hook.id)
    assert secret is not None and secret.startswith("whsec_")
    for post in receiver.received:
        assert verify(secret, post.headers, post.raw, now_s=time.time())
        assert not verify(secret, post.headers, post.raw + b"x", now_s=time.time())
    assert receiver.received[1].body["job_id"] == job.id
    ids = {post.headers["webhook-id"] for post in receiver.received}
    assert len(ids) == 2
