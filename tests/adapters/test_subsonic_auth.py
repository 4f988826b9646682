"""Subsonic credentials: token and salt, hex password, API key; the plain-HTTP warning."""

from __future__ import annotations

import hashlib

import pytest

from app.adapters.subsonic.auth import (
    AuthMode,
    credentials,
    is_loopback,
    password_params,
    plain_http_warning,
    token_params,
)


def test_a_token_is_md5_of_password_and_salt() -> None:
    # The spec's example: password "sesame", salt "c19b2d" -> t=26719a1196d2a940705a59634eb18eab
    assert token_params("joe", "sesame", salt="c19b2d") == [
        ("u", "joe"),
        ("t", "26719a1196d2a940705a59634eb18eab"),
        ("s", "c19b2d"),
    ]


def test_each_token_request_has_a_new_salt() -> None:
    first, second = token_params("joe", "pw"), token_params("joe", "pw")
    assert first[2] != second[2]
    salt = first[2][1]
    assert len(salt) >= 6
    assert first[1][1] == hashlib.md5(f"pw{salt}".encode(), usedforsecurity=False).hexdigest()


def test_a_password_travels_hex_encoded_in_utf8() -> None:
    assert password_params("joe", "sésame") == [("u", "joe"), ("p", "enc:73c3a973616d65")]
    assert password_params("joe", "sesame")[1] == ("p", "enc:736573616d65")


def test_an_api_key_goes_alone() -> None:
    assert credentials(AuthMode.API_KEY, "", "k-1") == [("apiKey", "k-1")]
    with pytest.raises(ValueError, match="auto"):
        credentials(AuthMode.AUTO, "joe", "pw")


@pytest.mark.parametrize(
    ("url", "mode", "warned"),
    [
        ("http://127.0.0.1:4533", AuthMode.PASSWORD, False),
        ("http://localhost:4533", AuthMode.TOKEN, False),
        ("http://[::1]:4533", AuthMode.PASSWORD, False),
        ("https://music.example.org", AuthMode.PASSWORD, False),
        ("http://192.168.1.10:4533", AuthMode.PASSWORD, True),
        ("http://music.lan", AuthMode.TOKEN, True),
    ],
)
def test_plain_http_to_another_host_is_warned(url: str, mode: AuthMode, warned: bool) -> None:
    assert (plain_http_warning(url, mode) is not None) is warned


def test_loopback_detection() -> None:
    assert is_loopback("http://127.0.0.2/")
    assert not is_loopback("http://10.0.0.1/")
