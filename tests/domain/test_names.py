"""The name codec: exact round trips for every byte string, identity on ordinary text,
prefix-preserving, self-escaping; the display form is readable, one line and valid UTF-8."""

from __future__ import annotations

import os
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.names import (
    ESCAPE,
    display_form,
    escape_surrogates,
    from_store_form,
    from_store_json,
    is_displayable,
    store_form,
    store_json,
)

NAMES_AS_BYTES = [
    b"09 Caf\xe9.flac",  # Latin-1
    b"\xff\xfe\x80.mp3",
    "Café.flac".encode(),
    unicodedata.normalize("NFD", "Café.flac").encode(),
    b"a" * 250 + b".flac",  # 255 bytes
    "é".encode() * 125 + b".mp3",  # 255 bytes, multi-byte
    b"line\nbreak.flac",
    b"-rf.flac",
    b"--help.m3u",
    "\U0010fffd.flac".encode(),  # the escape character itself
    b"\xf4\x8f\xbf\xbd\xdb",  # its UTF-8 bytes followed by a stray byte
    b"tab\there\x1b[31m.ogg",
    b"",
]


@pytest.mark.parametrize("raw", NAMES_AS_BYTES)
def test_bytes_come_back(raw: bytes) -> None:
    stored = store_form(os.fsdecode(raw))
    stored.encode("utf-8")  # valid UTF-8: no lone surrogate left
    assert "\x00" not in stored
    assert os.fsencode(from_store_form(stored)) == raw


@given(st.binary(max_size=300))
def test_any_bytes_round_trip(raw: bytes) -> None:
    stored = store_form(os.fsdecode(raw))
    stored.encode("utf-8")
    assert os.fsencode(from_store_form(stored)) == raw


@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    stored = store_form(text)
    stored.encode("utf-8")
    assert "\x00" not in stored
    assert from_store_form(stored) == text


@given(st.text(), st.text())
def test_prefix_preserving(head: str, tail: str) -> None:
    assert store_form(head + tail) == store_form(head) + store_form(tail)


@pytest.mark.parametrize(
    "text",
    ["Björk/Homogenic/01 Hunter.flac", "", "a%b_c\\d", "日本語/曲.mp3", "x" * 1000, "42"],
)
def test_identity_on_ordinary_text(text: str) -> None:
    assert store_form(text) == text
    assert from_store_form(text) == text


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Caf\udce9", f"Caf{ESCAPE}DCE9"),
        ("a\x00b", f"a{ESCAPE}0000b"),
        (ESCAPE, ESCAPE + ESCAPE),
        (f"{ESCAPE}DCE9", f"{ESCAPE}{ESCAPE}DCE9"),
        ("\ud800", f"{ESCAPE}D800"),
    ],
)
def test_stored_forms(text: str, stored: str) -> None:
    assert store_form(text) == stored
    assert from_store_form(stored) == text


@pytest.mark.parametrize(
    "stored", [ESCAPE, f"{ESCAPE}DC", f"{ESCAPE}zzzz", f"{ESCAPE}0041", f"x{ESCAPE}dce9"]
)
def test_malformed_escapes_are_refused(stored: str) -> None:
    with pytest.raises(ValueError, match="escape"):
        from_store_form(stored)


def test_nfc_and_nfd_stay_distinct() -> None:
    nfc = unicodedata.normalize("NFC", "Café")
    nfd = unicodedata.normalize("NFD", "Café")
    assert nfc != nfd
    assert store_form(nfc) != store_form(nfd)


def test_json_strings_and_keys_round_trip() -> None:
    value = {"Caf\udce9": ["a\x00", 1, None, {"k": ESCAPE}], "n": 2.5, "t": True}
    stored = store_json(value)
    assert "\udce9" not in repr(stored)
    assert from_store_json(stored) == value


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (os.fsdecode(b"09 Caf\xe9.flac"), "09 Caf\\xe9.flac"),
        ("line\nbreak", "line\\nbreak"),
        ("bell\x07\x1b[31m", "bell\\x07\\x1b[31m"),
        ("tab\t", "tab\\t"),
        ("Björk – Hunter", "Björk – Hunter"),
        ("nul\x00", "nul\\x00"),
        ("\u2028sep", "\\u2028sep"),
        ("\ud800", "\\ud800"),
        ("plain.flac", "plain.flac"),
    ],
)
def test_display_form(text: str, shown: str) -> None:
    assert display_form(text) == shown
    assert is_displayable(text) is (text == shown)


@given(st.binary(max_size=200))
def test_display_form_is_one_valid_utf8_line(raw: bytes) -> None:
    shown = display_form(os.fsdecode(raw))
    shown.encode("utf-8")
    assert "\n" not in shown
    assert "\r" not in shown
    assert "\x00" not in shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (os.fsdecode(b"Caf\xe9\nline 2"), "Caf\\xe9\nline 2"),
        ("plain\ttext", "plain\ttext"),
        ("Björk", "Björk"),
        ("\ud800", "\\ud800"),
    ],
)
def test_escape_surrogates_keeps_everything_else(text: str, shown: str) -> None:
    assert escape_surrogates(text) == shown
