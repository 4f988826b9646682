"""Notifications through Apprise (one URL per service: ``discord://``, ``tgram://``,
``ntfy://``, ``gotify://``, ``mailto://``, ``json://``, …).

Apprise is imported on the first send, never at module import. No exception escapes: the
outcome is None (every URL took the message) or what went wrong, naming each URL only by its
scheme (many services put the token where a host would be: ``tgram://<token>/<chat>``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

from app.adapters.log_redaction import remember_url

logger = logging.getLogger(__name__)


def describe_apprise_url(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://…" if sep else "an Apprise URL"


def send_apprise(urls: Sequence[str], *, title: str, body: str) -> str | None:
    """Send ``title`` and ``body`` to every URL; None when all of them took it."""
    with warnings.catch_warnings():
        # apprise loads its plugins on first use, and some import the standard library's
        # deprecated imghdr module
        warnings.simplefilter("ignore", DeprecationWarning)
        return _send(urls, title=title, body=body)


def _send(urls: Sequence[str], *, title: str, body: str) -> str | None:
    import apprise

    failed: list[str] = []
    for url in urls:
        remember_url(url)
        sender = apprise.Apprise()
        if not sender.add(url):
            failed.append(f"{describe_apprise_url(url)}: not an Apprise URL")
            continue
        try:
            delivered = sender.notify(body=body, title=title)
        except Exception as exc:  # a plugin's own bug must not end the notifier
            failed.append(f"{describe_apprise_url(url)}: {type(exc).__name__}")
            continue
        if not delivered:
            failed.append(f"{describe_apprise_url(url)}: not delivered")
    return "; ".join(failed) or None
