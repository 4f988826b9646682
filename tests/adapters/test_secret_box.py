"""Secrets sealed at rest: a round trip, another key, values stored before encryption."""

from __future__ import annotations

import pytest

from app.adapters.secret_box import (
    SEALED_PREFIX,
    SecretBox,
    SecretUnreadable,
    derive_key,
    is_sealed,
    process_box,
)
from app.domain.errors import SetupError

TOKEN = "plex-token-Zq81xYw"


@pytest.mark.parametrize(
    "plain", [TOKEN, "https://ha.local:8123/api/webhook/abc-def", "é ✓ 𝄞", "x" * 5000]
)
def test_seal_then_open_gives_the_same_text(plain: str) -> None:
    box = SecretBox("installation key")
    sealed = box.seal(plain)
    assert is_sealed(sealed)
    assert plain not in sealed
    assert box.open(sealed) == plain
    assert SecretBox("installation key").open(sealed) == plain


def test_each_seal_differs() -> None:
    box = SecretBox("k")
    assert box.seal(TOKEN) != box.seal(TOKEN)


def test_another_key_cannot_open_and_says_what_to_do() -> None:
    sealed = SecretBox("old key").seal(TOKEN)
    with pytest.raises(SecretUnreadable) as raised:
        SecretBox("new key").open(sealed, what="the token of library 3")
    message = str(raised.value)
    assert message.startswith("the token of library 3 cannot be decrypted")
    assert "CROSSFADE_SECRET_KEY" in message
    assert "restore the old key" in message
    assert isinstance(raised.value, SetupError)


def test_a_damaged_value_is_unreadable() -> None:
    box = SecretBox("k")
    sealed = box.seal(TOKEN)
    with pytest.raises(SecretUnreadable):
        box.open(sealed[:-4] + "AAAA")
    with pytest.raises(SecretUnreadable):
        box.open(SEALED_PREFIX + "not a token")


def test_a_value_stored_before_encryption_comes_back_as_is() -> None:
    assert SecretBox("k").open(TOKEN) == TOKEN


def test_sealing_twice_is_refused() -> None:
    box = SecretBox("k")
    with pytest.raises(ValueError, match="sealed already"):
        box.seal(box.seal(TOKEN))


def test_the_key_is_derived_not_the_secret_key_itself() -> None:
    assert derive_key("a") != derive_key("b")
    assert derive_key("a") == derive_key("a")
    assert b"a" * 8 not in derive_key("a" * 8)
    with pytest.raises(SetupError):
        derive_key("")


def test_the_box_never_shows_its_key() -> None:
    assert "installation" not in repr(SecretBox("installation key"))


def test_the_process_box_is_one_per_process() -> None:
    assert process_box() is process_box()
    assert process_box().open(process_box().seal(TOKEN)) == TOKEN
