"""Outgoing HTTP: POST a JSON document to a URL someone configured (webhooks out).

No exception escapes: every outcome is a :class:`PostResult`. Error texts name the URL only
as ``describe_url`` shows it (scheme, host, port), because webhook paths are often secrets.
Redirects are not followed. Given a ``signing_secret`` (``whsec_…``), the request is signed the
Standard Webhooks way (``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` over the
exact bytes sent; see :mod:`app.domain.webhook_signing`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from app import __version__
from app.domain.hooks import describe_url
from app.domain.post_result import PostResult
from app.domain.webhook_signing import signature_headers

USER_AGENT = f"Crossfade/{__version__}"


def post_json(
    url: str,
    body: Mapping[str, Any],
    *,
    timeout_s: float,
    signing_secret: str | None = None,
) -> PostResult:
    """POST ``body`` as JSON; a non-2xx answer or a transport failure is an ``error``."""
    shown = describe_url(url)
    content = json.dumps(dict(body), separators=(",", ":")).encode("utf-8")
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
    if signing_secret is not None:
        msg_id = f"msg_{uuid.uuid4().hex}"
        headers |= signature_headers(signing_secret, msg_id, int(time.time()), content)
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
            response = client.post(url, content=content, headers=headers)
    except httpx.TimeoutException:
        return PostResult(None, f"{shown}: no answer within {timeout_s:g}s")
    except httpx.HTTPError as exc:
        return PostResult(None, f"{shown}: {type(exc).__name__}: {_scrub(str(exc), url)}")
    except (ValueError, OSError) as exc:
        return PostResult(None, f"{shown}: {type(exc).__name__}")
    if not 200 <= response.status_code < 300:
        return PostResult(response.status_code, f"{shown} answered {response.status_code}")
    return PostResult(response.status_code, None)


def _scrub(message: str, url: str) -> str:
    """httpx messages may quote the URL; keep only its harmless part."""
    return message.replace(url, describe_url(url))
