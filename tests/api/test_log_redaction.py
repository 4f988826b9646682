import logging

import pytest

from app.api.log_redaction import RedactHookSecrets, install, redact


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/api/v1/hooks/plex/s3cr3t-Value_x", "/api/v1/hooks/plex/***"),
        ("/api/v1/hooks/radarr/abc?x=1", "/api/v1/hooks/radarr/***?x=1"),
        ("/api/v1/jobs/3", "/api/v1/jobs/3"),
        ('"POST /api/v1/hooks/generic/zzz HTTP/1.1"', '"POST /api/v1/hooks/generic/*** HTTP/1.1"'),
    ],
)
def test_redact(path: str, shown: str) -> None:
    assert redact(path) == shown


def test_access_log_records_lose_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    install("test.access")
    install("test.access")
    logger = logging.getLogger("test.access")
    assert sum(isinstance(f, RedactHookSecrets) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger="test.access"):
        logger.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1", "POST", "/api/v1/hooks/plex/top", "1.1", 202
        )
    assert "top" not in caplog.text
    assert "/api/v1/hooks/plex/***" in caplog.text
