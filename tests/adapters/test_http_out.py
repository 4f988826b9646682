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


def test_signed_posts_verify_like_a_receiver_would() -> None:
    """Standard Webhooks: the receiver recomputes HMAC-SHA256 over id.timestamp.body with the
    secret's bytes and compares it with the webhook-signature header."""
    import base64
    import hashlib
    import hmac
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from app.adapters.webhook_secrets import WebhookSecrets
    from app.domain.webhook_signing import verify

    seen: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(({k.lower(): v for k, v in self.headers.items()}, raw))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = WebhookSecrets("installation-key").secret_for(7)
    assert secret.startswith("whsec_")
    assert WebhookSecrets("installation-key").secret_for(7) == secret  # stable
    assert WebhookSecrets("installation-key").secret_for(8) != secret
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert post_json(url, {"event": "test", "n": 1}, timeout_s=5, signing_secret=secret).ok
        assert post_json(url, {"event": "unsigned"}, timeout_s=5).ok
    finally:
        server.shutdown()
        server.server_close()
    (headers, body), (plain_headers, _) = seen
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert headers["webhook-id"].startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert verify(secret, headers, body, now_s=time.time())
    assert not verify(secret, headers, body + b" ", now_s=time.time())
    assert not verify(secret, headers, body, now_s=time.time() + 3600)  # replayed later
    assert "webhook-signature" not in plain_headers
