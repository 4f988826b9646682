"""Any file name, stored losslessly and shown safely.

POSIX file names are bytes. Python hands a name that is not valid UTF-8 over as a ``str`` with
lone surrogates (``surrogateescape``: byte ``0xE9`` becomes U+DCE9). Such a string cannot be
encoded as UTF-8, so neither SQLite (through the driver) nor PostgreSQL text can hold it, and
PostgreSQL also rejects NUL and JSON ``\\udcxx`` escapes.

:func:`store_form` maps any ``str`` to a valid UTF-8 string without NUL and without lone
surrogates; :func:`from_store_form` maps it back exactly. The mapping works character by
character, so it is:

- the identity on every string without a lone surrogate, NUL or :data:`ESCAPE` (every valid
  UTF-8 name in practice: existing rows need no rewrite unless they hold :data:`ESCAPE`);
- self-escaping: :data:`ESCAPE` is stored doubled;
- prefix-preserving: ``store_form(a + b) == store_form(a) + store_form(b)``, so a stored
  prefix still matches with ``LIKE 'prefix%'`` or ``startswith``;
- exactly reversible: ``from_store_form(store_form(s)) == s`` for every ``s``.

A surrogate or NUL ``c`` is stored as :data:`ESCAPE` followed by four upper-case hex digits of
``ord(c)`` (``Caf\\udce9`` -> ``Caf\\U0010fffdDCE9``). :data:`ESCAPE` is U+10FFFD, the last
private-use code point: no keyboard, encoding or tag writer produces it.

:func:`display_form` is for people, events, reports and logs: readable, one line, never
ambiguous about a raw byte, but not reversible (``09 Caf\\xe9.flac``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ESCAPE = "\U0010fffd"
"""Starts every escape in the store form; stored doubled when a name holds it."""

_HEX = frozenset("0123456789ABCDEF")
# What store_form and display_form change; everything else is kept, found at C speed.
_STORED_DIFFERENTLY = re.compile("[\x00\ud800-\udfff\U0010fffd]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOWN_DIFFERENTLY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _needs_escape(char: str) -> bool:
    code = ord(char)
    return code == 0 or 0xD800 <= code <= 0xDFFF


def store_form(text: str) -> str:
    """``text`` as a valid UTF-8 string without NUL (see the module docstring)."""
    if _STORED_DIFFERENTLY.search(text) is None:
        return text
    parts: list[str] = []
    for char in text:
        if char == ESCAPE:
            parts.append(ESCAPE + ESCAPE)
        elif _needs_escape(char):
            parts.append(f"{ESCAPE}{ord(char):04X}")
        else:
            parts.append(char)
    return "".join(parts)


def from_store_form(stored: str) -> str:
    """The string :func:`store_form` was given. Raises ``ValueError`` on a malformed escape."""
    if ESCAPE not in stored:
        return stored
    parts: list[str] = []
    index = 0
    length = len(stored)
    while index < length:
        char = stored[index]
        if char != ESCAPE:
            parts.append(char)
            index += 1
            continue
        if stored.startswith(ESCAPE, index + 1):
            parts.append(ESCAPE)
            index += 2
            continue
        digits = stored[index + 1 : index + 5]
        if len(digits) != 4 or not _HEX.issuperset(digits):
            raise ValueError(f"malformed escape at {index} in stored name {stored!r}")
        code = int(digits, 16)
        if not _needs_escape(chr(code)):
            raise ValueError(f"escape of U+{code:04X}, which is never escaped, in {stored!r}")
        parts.append(chr(code))
        index += 5
    return "".join(parts)


def store_json(value: object) -> object:
    """A JSON-able value with every string in it (keys too) in :func:`store_form`."""
    if isinstance(value, str):
        return store_form(value)
    if isinstance(value, Mapping):
        return {store_form(str(key)): store_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [store_json(item) for item in value]
    return value


def from_store_json(value: object) -> object:
    """The inverse of :func:`store_json` (tuples come back as lists, as from any JSON)."""
    if isinstance(value, str):
        return from_store_form(value)
    if isinstance(value, Mapping):
        return {from_store_form(str(key)): from_store_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [from_store_json(item) for item in value]
    return value


def _display_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a raw byte under surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    if code < 0x20 or code == 0x7F:
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{code:02x}")
    if 0x80 <= code < 0xA0 or code in (0x2028, 0x2029):  # C1 controls, line separators
        return f"\\u{code:04x}"
    return char


def escape_surrogates(text: str) -> str:
    """``text`` with only its lone surrogates shown as in :func:`display_form` (``\\xe9``):
    for multi-line texts such as log messages and tracebacks, which keep their line breaks."""
    return _SURROGATE.sub(lambda found: _display_char(found.group()), text)


def display_form(text: str) -> str:
    """``text`` for people and logs: valid UTF-8 on one line. A raw byte of a non-UTF-8 name
    shows as ``\\xe9``, a control character as ``\\n``/``\\x1b``; everything else as is."""
    if _SHOWN_DIFFERENTLY.search(text) is None:
        return text
    return _SHOWN_DIFFERENTLY.sub(lambda found: _display_char(found.group()), text)


def display_json(value: object) -> object:
    """A JSON-able value with every string in it (keys too) in :func:`display_form`."""
    if isinstance(value, str):
        return display_form(value)
    if isinstance(value, Mapping):
        return {display_form(str(key)): display_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [display_json(item) for item in value]
    return value


def is_displayable(text: str) -> bool:
    """True when :func:`display_form` leaves ``text`` unchanged."""
    return display_form(text) == text
