"""Log redaction: known secret values and secret shapes are masked in every part of every
record, whoever logs it and at any level."""

from __future__ import annotations

import logging
import secrets

import pytest
from uvicorn.logging import AccessFormatter

from app.adapters.log_redaction import (
    MASK,
    RedactSecrets,
    install,
    is_remembered,
    redact,
    remember,
    remember_url,
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("/api/v1/hooks/plex/s3cr3t-Value_x", "/api/v1/hooks/plex/***"),
        (
            '"POST /api/v1/hooks/generic/zzz HTTP/1.1" 202',
            '"POST /api/v1/hooks/generic/*** HTTP/1.1" 202',
        ),
        (
            "http://127.0.0.1:8080/api/v1/hooks/radarr/abc?x=1",
            "http://127.0.0.1:8080/api/v1/hooks/radarr/***?x=1",
        ),
        (
            "GET /library/sections?X-Plex-Token=abcDEF123&x=1",
            "GET /library/sections?X-Plex-Token=***&x=1",
        ),
        ("headers {'X-Plex-Token': 'abcDEF123'}", "headers {'X-Plex-Token': '***'}"),
        ("GET /feed?token=abcdef&page=2", "GET /feed?token=***&page=2"),
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer ***"),
        ("authorization=Basic dXNlcjpwdw==", "authorization=***"),
        ("token cf_" + "A" * 43 + " used", "token *** used"),
        ("postgresql://crossfade:hunter2@db/crossfade", "postgresql://crossfade:***@db/crossfade"),
        (
            "GET http://nd/rest/ping?v=1.16.1&u=al&t=26719a11&s=c19b2d&p=enc:736563",
            "GET http://nd/rest/ping?v=1.16.1&u=al&t=***&s=c19b2d&p=***",
        ),
        (
            "GET http://nd/rest/ping?f=json&apiKey=k-123",
            "GET http://nd/rest/ping?f=json&apiKey=***",
        ),
        ("/api/v1/jobs/3?limit=5", "/api/v1/jobs/3?limit=5"),
        ("job 12 finished: 3 written, 0 errors", "job 12 finished: 3 written, 0 errors"),
    ],
)
def test_secret_shapes(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_remembered_values_are_masked_wherever_they_appear() -> None:
    token = secrets.token_urlsafe(12)
    assert redact(f"token={token}!") == f"token={token}!"  # not yet known, not a shape
    remember(token, None, "")
    assert is_remembered(token)
    assert (
        redact(f"connecting with {token}; again {token}") == f"connecting with {MASK}; again {MASK}"
    )


def test_short_values_are_not_remembered() -> None:
    remember("abc")
    assert not is_remembered("abc")
    assert redact("abc") == "abc"


def test_a_secret_url_is_masked_whole_and_in_parts() -> None:
    webhook_id = "ha-id-" + secrets.token_hex(6)
    url = f"https://user:pw-{webhook_id}@ha.local:8123/api/webhook/{webhook_id}"
    remember_url(url)
    assert webhook_id not in redact(f"POST {url}")
    assert webhook_id not in redact(f"unknown webhook {webhook_id}")
    assert "ha.local:8123" in redact(f"POST https://ha.local:8123/api/webhook/{webhook_id}")


@pytest.fixture
def logger(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    install()
    install()  # idempotent
    caplog.set_level(logging.DEBUG, logger="test.redaction")
    return logging.getLogger("test.redaction")


def test_every_part_of_a_record_is_redacted(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cret-" + secrets.token_hex(8)
    remember(secret)

    class Url:
        def __str__(self) -> str:
            return f"https://h/x?{secret}"

    logger.debug("debug %s and %r and %d", secret, Url(), 5)
    logger.info({"mapping": secret})
    logger.warning("%(who)s", {"who": secret})
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        logger.exception("boom")
    logger.error("stack", stack_info=True, extra={"note": "x"})
    logger.info("GET /x?X-Plex-Token=%s&page=%d", "plain-but-shaped", 2)
    text = caplog.text
    assert secret not in text
    assert text.count(MASK) >= 4
    assert "debug *** and 'https://h/x?***' and 5" in text
    assert "RuntimeError: failed with ***" in text
    assert "GET /x?X-Plex-Token=***&page=2" in text
    assert "plain-but-shaped" not in text


def test_uvicorn_access_lines_keep_their_shape(logger: logging.Logger) -> None:
    record = logger.makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/api/v1/hooks/plex/topsecret1", "1.1", 202),
        None,
    )
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert line == '127.0.0.1:5000 - "POST /api/v1/hooks/plex/*** HTTP/1.1" 202 Accepted'


def test_the_filter_redacts_records_made_elsewhere() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "GET /hooks/plex/%s", ("abcdef",), None
    )
    assert RedactSecrets().filter(record) is True
    assert record.getMessage() == "GET /hooks/plex/***"
