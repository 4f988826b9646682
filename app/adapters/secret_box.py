"""Reversible secrets encrypted at rest (Plex tokens, outgoing webhook URLs).

A :class:`SecretBox` seals text with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived
from the installation's secret key by HKDF-SHA256 with a purpose label, so the key that signs
session cookies is never used directly to encrypt. Sealed values are text
``enc:v1:<fernet token>``; the prefix tells them from values stored before encryption
(``is_sealed``), which the migration that introduced it encrypts.

Opening with another key (the secret key was changed or lost) raises
:class:`SecretUnreadable`, whose message says what to do.
"""

from __future__ import annotations

import base64
import secrets
from functools import cache
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.domain.errors import SetupError

SEALED_PREFIX = "enc:v1:"
_PURPOSE = b"crossfade/secrets-at-rest/v1"
_SALT = b"crossfade"

KEY_HINT = (
    "the secret key changed since it was stored (CROSSFADE_SECRET_KEY, or the file "
    "'secret_key' in the data directory): restore the old key, or enter the secret again"
)


class SecretUnreadable(SetupError):
    """A stored secret cannot be decrypted with this installation's secret key."""

    code = "secret_unreadable"


class SecretCipher(Protocol):
    """The port repositories use: text in, sealed text out, and back."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str, *, what: str = "a stored secret") -> str: ...


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def derive_key(secret_key: str) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) for ``secret_key``."""
    if not secret_key:
        raise SetupError("an empty secret key cannot protect stored secrets")
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_PURPOSE).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


class SecretBox:
    """Seals and opens secrets with the key derived from ``secret_key``."""

    __slots__ = ("_fernet",)

    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(derive_key(secret_key))

    def __repr__(self) -> str:
        return "SecretBox(***)"

    def seal(self, plain: str) -> str:
        if is_sealed(plain):
            raise ValueError("refusing to seal a value that is sealed already")
        return SEALED_PREFIX + self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, sealed: str, *, what: str = "a stored secret") -> str:
        """The plain text of ``sealed``; a value stored before encryption comes back as is."""
        if not is_sealed(sealed):
            return sealed
        try:
            return self._fernet.decrypt(sealed[len(SEALED_PREFIX) :].encode("ascii")).decode(
                "utf-8"
            )
        except (InvalidToken, UnicodeError, ValueError):
            raise SecretUnreadable(f"{what} cannot be decrypted: {KEY_HINT}") from None


@cache
def process_box() -> SecretBox:
    """A box under a random key that lives as long as this process: for repositories built
    without the installation's box (tests, benchmarks), whose secrets need not outlive it."""
    return SecretBox(secrets.token_urlsafe(48))
