"""No secret in any log line, at any level, from any logger (ours, uvicorn's access log,
httpx, libraries).

:func:`install` replaces the log record factory once per process, so every record is
redacted when it is made, before any handler or formatter sees it (handlers configured
later, such as uvicorn's, included). A record's message, each of its arguments (uvicorn's
access formatter reads them one by one), its exception text and its stack are redacted:

* known secret values, registered with :func:`remember` by whoever holds them: the secret key,
  the admin password, Plex tokens and outgoing webhook URLs as they are opened;
* secret shapes: the last segment of a webhook path (``/hooks/<source>/<secret>``), Plex
  tokens in query strings and headers, Subsonic passwords and tokens (``p=``, ``t=``,
  ``apiKey=``) in query strings, bearer tokens (``cf_…``) and ``Authorization`` values,
  and the password of a URL's user info.

Each is replaced by ``***``.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from app.domain.names import escape_surrogates

MASK = "***"
# Values shorter than this are not remembered (they would mask ordinary words).
MIN_SECRET_CHARS = 6

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # incoming webhooks: /api/v1/hooks/plex/<secret> (the source stays readable)
    (re.compile(r"(/hooks/[A-Za-z0-9_-]+/)[^/\s?#\"'<>]+"), rf"\1{MASK}"),
    # Plex tokens in query strings, headers and reprs
    (re.compile(r"(?i)(x-plex-token[\"']?\s*[=:]\s*[\"']?)[^&\s\"',;}]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)([?&](?:token|access_token|api_key|apikey)=)[^&\s\"']+"), rf"\1{MASK}"),
    # Subsonic credentials in query strings: password (p=enc:<hex>) and salted token (t=)
    (re.compile(r"([?&](?:p|t)=)[^&\s\"']+"), rf"\1{MASK}"),
    # our API tokens, and Authorization header values
    (re.compile(r"\bcf_[A-Za-z0-9_-]{16,}"), MASK),
    (re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{MASK}"),
    (
        re.compile(
            r"(?i)(authorization[\"']?\s*[=:]\s*[\"']?)(?!bearer\b)(?:basic\s+|digest\s+)?[^\s\"',;}]+"
        ),
        rf"\1{MASK}",
    ),
    # user:password@ in URLs
    (re.compile(r"(://[^/\s:@]*:)[^/\s@]+@"), rf"\1{MASK}@"),
)

_PLAIN_TYPES = (int, float, bool, type(None))
# Loggers whose formatters read a record's arguments, not its message (uvicorn's access log):
# their format strings hold no secret, their arguments are redacted one by one.
_ARGS_READ_ONE_BY_ONE = "uvicorn.access"


class _Secrets:
    """The values to mask: a set, and one regex over them (longest first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._regex: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        if len(value) < MIN_SECRET_CHARS or value in self._values:
            return
        with self._lock:
            values = {*self._values, value}
            alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
            self._regex = re.compile(alternatives)
            self._values = values

    def mask(self, text: str) -> str:
        regex = self._regex
        return text if regex is None else regex.sub(MASK, text)

    def __contains__(self, value: str) -> bool:
        return value in self._values


_SECRETS = _Secrets()


def remember(*values: str | None) -> None:
    """Mask these values (a token, a password, a key) in every log line from now on."""
    for value in values:
        if value:
            _SECRETS.add(value)


def remember_url(url: str) -> None:
    """Mask a secret URL: as a whole, its path and query, and each of their longer parts
    (a Home Assistant webhook id, an ntfy topic)."""
    remember(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    remember(parts.password)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    if tail not in ("", "/"):
        remember(tail)
    for piece in re.split(r"[/?&=]", tail):
        if len(piece) >= 8:  # shorter: "api", "webhook", "hooks" …
            remember(piece)


def is_remembered(value: str) -> bool:
    return value in _SECRETS


def redact(text: str) -> str:
    """``text`` with every known secret value and secret shape replaced by ``***``, and the
    raw bytes of file names that are not UTF-8 shown as ``\\xe9`` (no log line fails on them)."""
    text = _SECRETS.mask(escape_surrogates(text))
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, _PLAIN_TYPES):
        return value
    try:
        shown = str(value)
    except Exception:  # a broken __str__ is the formatter's problem, as before
        return value
    redacted = redact(shown)
    return value if redacted == shown else redacted


def redact_record(record: logging.LogRecord) -> None:
    """Redact ``record`` in place (message, arguments, exception and stack text).

    Each argument is redacted by itself (uvicorn's access formatter reads them one by one);
    a secret that only shows once message and arguments are put together (``"token=%s"``)
    turns the record into its redacted message without arguments. A format string is never
    redacted by itself, so its placeholders stay intact."""
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(_redact_arg(arg) for arg in args)
    elif isinstance(args, Mapping):
        record.args = {key: _redact_arg(value) for key, value in args.items()}
    _redact_message(record)
    _redact_traces(record)


def _redact_message(record: logging.LogRecord) -> None:
    """The message (its arguments redacted already): by itself, or put together with them."""
    if not isinstance(record.msg, str):
        if not isinstance(record.msg, _PLAIN_TYPES):
            record.msg = _redact_arg(record.msg)
    elif not record.args:
        record.msg = redact(record.msg)
    elif not record.name.startswith(_ARGS_READ_ONE_BY_ONE):
        try:
            message = record.msg % record.args
        except (TypeError, ValueError, KeyError):
            message = None
        if message is not None:
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, ()


def _redact_traces(record: logging.LogRecord) -> None:
    """The exception and stack texts."""
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactSecrets(logging.Filter):
    """The same redaction as a filter, for handlers of a process that did not :func:`install`
    (records pass through it unchanged if they were redacted when made)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_install_lock = threading.Lock()
_installed_factory: Callable[..., logging.LogRecord] | None = None


def install() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    global _installed_factory
    with _install_lock:
        current = logging.getLogRecordFactory()
        if current is _installed_factory:
            return
        previous = current

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redact_record(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _installed_factory = redacting_factory
