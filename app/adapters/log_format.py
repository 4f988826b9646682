"""One log format for the whole process: our loggers, uvicorn's server and access logs, arq.

:func:`configure` installs one handler on the root logger (stderr) and makes uvicorn's loggers
hand their records to it instead of printing their own ``INFO:     ...`` lines; ``crossfade
serve`` then starts uvicorn with ``log_config=None`` so that it keeps this setup.

``text`` (the default): ``2026-12-07T04:11:18+01:00 INFO app.main: ready ...``. ``json``
(``CROSSFADE_LOG_FORMAT=json``, for log shippers): one object per line with ``time`` (ISO 8601
with offset), ``level``, ``logger``, ``message``, the access log's ``client``, ``method``,
``path`` and ``status``, and ``exception`` when there is one.

Health checks (``GET /api/v1/health``, every 15 s from a container's healthcheck) are logged
only at DEBUG: :class:`QuietHealthChecks` drops their access lines otherwise.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import Literal

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HEALTH_PATHS = frozenset({"/api/v1/health"})
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# uvicorn's access record arguments: (client address, method, path, HTTP version, status).
_ACCESS_ARGS = 5


def iso_time(record: logging.LogRecord) -> str:
    """The record's time in the process's zone (``TZ``), ISO 8601 with its offset."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``TEXT_FORMAT`` with an ISO 8601 time that carries its offset."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return iso_time(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": iso_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        access = access_fields(record)
        if access:
            entry.update(access)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def access_fields(record: logging.LogRecord) -> dict[str, object]:
    """``client``, ``method``, ``path``, ``status`` of a uvicorn access record, else ``{}``."""
    args = record.args
    if record.name != "uvicorn.access" or not isinstance(args, tuple) or len(args) != _ACCESS_ARGS:
        return {}
    client, method, path, _version, status = args
    return {"client": client, "method": method, "path": path, "status": status}


class QuietHealthChecks(logging.Filter):
    """Drops the access lines of health checks unless the access logger is at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = access_fields(record)
        if not fields:
            return True
        path = str(fields["path"]).split("?", 1)[0]
        if path not in HEALTH_PATHS:
            return True
        return logging.getLogger("uvicorn.access").isEnabledFor(logging.DEBUG)


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(level: str, log_format: LogFormat) -> None:
    """The root logger at ``level`` with one stderr handler in ``log_format``; uvicorn's
    loggers propagate to it (their own handlers removed); health checks quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QuietHealthChecks) for f in access.filters):
        access.addFilter(QuietHealthChecks())
