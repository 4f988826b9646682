"""POSTing JSON to a configured URL: every outcome is a value, and no error names the secret
part of the URL."""

from __future__ import annotations

import socket

from app.adapters.http_out import USER_AGENT, post_json
from tests.services.hook_support import JsonReceiver


def test_posts_json() -> None:
    with JsonReceiver() as receiver:
        result = post_json(receiver.url(), {"event": "job_finished", "n": 1}, timeout_s=5)
    assert result.ok and result.status == 200 and result.error is None
    [post] = receiver.received
    assert post.body == {"event": "job_finished", "n": 1}
    assert post.content_type == "application/json"
    assert post.path == "/api/webhook/very-secret-id"
    assert USER_AGENT.startswith("Crossfade/")


def test_an_error_status_is_an_error_without_the_secret() -> None:
    with JsonReceiver(status=500) as receiver:
        result = post_json(receiver.url(), {"event": "x"}, timeout_s=5)
    assert not result.ok and result.status == 500
    assert result.error is not None and "answered 500" in result.error
    assert "very-secret-id" not in result.error


def test_a_redirect_is_not_followed() -> None:
    with JsonReceiver(status=302) as receiver:
        result = post_json(receiver.url(), {"event": "x"}, timeout_s=5)
    assert not result.ok and result.status == 302 and len(receiver.received) == 1


def test_nobody_listening() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/webhook/very-secret-id"
    result = post_json(url, {"event": "x"}, timeout_s=2)
    assert not result.ok and result.status is None
    assert result.error is not None and result.error.startswith(f"http://127.0.0.1:{port}/…")
    assert "very-secret-id" not in result.error


def test_a_slow_receiver_times_out() -> None:
    with JsonReceiver(delay_s=0.6) as receiver:
        result = post_json(receiver.url(), {"event": "x"}, timeout_s=0.2)
    assert not result.ok and result.status is None
    assert result.error is not None and "no answer within 0.2s" in result.error
    assert "very-secret-id" not in result.error


def test_a_malformed_url_is_an_error() -> None:
    result = post_json("http://exa mple.org:99999/secret", {"event": "x"}, timeout_s=1)
    assert not result.ok and result.status is None and result.error is not None
    assert "secret" not in result.error
