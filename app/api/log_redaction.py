"""Keep secrets out of the web app's logs: :func:`install` (called when the app starts)
redacts every log record of the process, uvicorn's access log included; see
:mod:`app.adapters.log_redaction` for what is masked. ``/api/v1/hooks/plex/<secret>`` is
logged as ``/api/v1/hooks/plex/***``."""

from __future__ import annotations

import logging

from app.adapters.log_redaction import RedactSecrets, redact
from app.adapters.log_redaction import install as install_everywhere

__all__ = ["RedactHookSecrets", "install", "redact"]

RedactHookSecrets = RedactSecrets


def install(logger_name: str = "uvicorn.access") -> None:
    """Redact every record of this process, and add the filter to ``logger_name`` (for
    records made before the factory was installed, or by a logger that makes its own)."""
    install_everywhere()
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
