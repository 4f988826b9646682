"""Keeping a target's own entries in place, and writing a file back in its own form."""

from __future__ import annotations

import pytest

from app.services.playlists.run.entries import (
    encode_like,
    entry_label,
    place_entries,
    uses_backslashes,
)


def _shared(current: str) -> list[bool]:
    """Lower-case letters are shared entries, upper-case ones only the target holds."""
    return [key.islower() for key in current]


@pytest.mark.parametrize(
    ("current", "result", "expected"),
    [
        ("abc", "abc", "abc"),
        ("aXbc", "abc", "aXbc"),  # kept after its predecessor
        ("Xab", "ba", "Xba"),  # kept at the top
        ("aXb", "ba", "baX"),  # travels with its predecessor
        ("aXbYc", "c", "XYc"),  # predecessors removed: the nearest survivor, or the top
        ("aXb", "b", "Xb"),
        ("abXc", "acd", "aXcd"),  # a removed predecessor: after the survivor before it
        ("aXaY", "a", "aXY"),  # the second copy of a is removed; Y follows the first
        ("aX", "", "X"),  # everything shared removed: the target's own entries stay
        ("", "ab", "ab"),
        ("XY", "ab", "XYab"),
    ],
)
def test_place_entries(current: str, result: str, expected: str) -> None:
    slots = place_entries(list(current), _shared(current), list(result))
    assert "".join(slot.key for slot in slots) == expected
    for slot in slots:
        if slot.index is not None:
            assert current[slot.index] == slot.key


def test_place_entries_reuses_the_nth_copy() -> None:
    slots = place_entries(["a", "b", "a"], [True, True, True], ["a", "a", "a"])
    assert [slot.index for slot in slots] == [0, 2, None]


def test_place_entries_needs_one_flag_per_entry() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        place_entries(["a"], [], ["a"])


RENDERED = "#EXTM3U\n#PLAYLIST:Café\n../music/a/Café.mp3\nhttp://x/y.mp3\n/abs/b.mp3\n".encode()


@pytest.mark.parametrize(
    ("encoding", "crlf", "backslashes", "expected"),
    [
        (None, False, False, RENDERED),
        ("utf-8", False, False, RENDERED),
        ("utf-8-sig", False, False, b"\xef\xbb\xbf" + RENDERED),
        ("cp1252", False, False, RENDERED.decode().encode("cp1252")),
        ("latin-1", True, False, RENDERED.decode().replace("\n", "\r\n").encode("latin-1")),
        (
            "cp1252",
            True,
            True,
            "#EXTM3U\r\n#PLAYLIST:Café\r\n..\\music\\a\\Café.mp3\r\nhttp://x/y.mp3\r\n"
            "/abs/b.mp3\r\n".encode("cp1252"),
        ),
    ],
)
def test_encode_like(encoding: str | None, crlf: bool, backslashes: bool, expected: bytes) -> None:
    assert encode_like(RENDERED, encoding=encoding, crlf=crlf, backslashes=backslashes) == (
        expected
    )


def test_encode_like_falls_back_to_utf8_with_a_bom() -> None:
    rendered = "#PLAYLIST:日本\n".encode()
    assert encode_like(rendered, encoding="cp1252", crlf=False) == b"\xef\xbb\xbf" + rendered


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([r"..\a\b.mp3"], True),
        (["../a/b.mp3", r"C:\a.mp3"], False),
        (["../a/b.mp3"], False),
        ([r"http://x/a\b"], False),
        ([], False),
    ],
)
def test_uses_backslashes(lines: list[str], expected: bool) -> None:
    assert uses_backslashes(lines) is expected


@pytest.mark.parametrize(
    ("artist", "title", "expected"),
    [("A", "T", "A – T"), (None, "T", "T"), ("A", None, "x.mp3"), (None, None, "x.mp3")],
)
def test_entry_label(artist: str | None, title: str | None, expected: str) -> None:
    assert entry_label(artist, title, "x.mp3") == expected


@pytest.mark.parametrize("encoding", [None, "utf-8-sig", "cp1252", "latin-1"])
def test_encode_like_keeps_raw_name_bytes(encoding: str | None) -> None:
    rendered = b"#EXTM3U\n/music/Caf\xe9.mp3\n"  # a name that is not UTF-8, as its bytes
    encoded = encode_like(rendered, encoding=encoding, crlf=False)
    assert encoded.removeprefix(b"\xef\xbb\xbf") == rendered
