"""Keep webhook secrets out of access logs: ``/api/v1/hooks/plex/<secret>`` is logged as
``/api/v1/hooks/plex/***``. Installed on uvicorn's access logger by :func:`install`."""

from __future__ import annotations

import logging
import re

_SECRET_PATH = re.compile(r"(/api/v1/hooks/[^/\s?]+/)[^/\s?\"]+")


def redact(text: str) -> str:
    return _SECRET_PATH.sub(r"\1***", text)


class RedactHookSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactHookSecrets) for f in logger.filters):
        logger.addFilter(RedactHookSecrets())
