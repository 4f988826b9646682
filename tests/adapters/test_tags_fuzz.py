"""Fault tests: truncated and bit-flipped real files. Whatever the bytes, reading and writing end
in a result or in one of our MediaFileErrors carrying the path, never a mutagen exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.errors import MediaFileError
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import ALL_FIXTURES, Fixture

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILES = [preset("everything", "replace_all"), preset("musicbee"), preset("foobar2000")]


def _exercise(path: Path, data: bytes, half_stars: int, profile_index: int) -> None:
    path.write_bytes(data)
    try:
        read_file(path)
    except MediaFileError as exc:
        assert exc.path == str(path)
    try:
        write_rating(path, Rating(half_stars), PROFILES[profile_index], options=WriteOptions())
    except MediaFileError as exc:
        assert exc.path == str(path)
        return
    read_file(path)  # a write that succeeded left a file we can read


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    if draw(st.booleans()):
        return original[: draw(st.integers(0, len(original) - 1))]
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_damaged_files_only_raise_our_errors(
    fixture: Fixture, tmp_path_factory: pytest.TempPathFactory
) -> None:
    original = fixture.path.read_bytes()
    path = tmp_path_factory.mktemp("fuzz") / fixture.name

    @FUZZ
    @given(data=damaged(original), half_stars=st.integers(1, 10), profile=st.integers(0, 2))
    def run(data: bytes, half_stars: int, profile: int) -> None:
        _exercise(path, data, half_stars, profile)

    run()


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_every_truncation_of_the_header_region(
    fixture: Fixture, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Systematic: every cut in the first 160 bytes (headers and tag starts) is handled."""
    original = fixture.path.read_bytes()
    path = tmp_path_factory.mktemp("cut") / fixture.name
    failures = 0
    for size in range(0, min(len(original), 160), 3):
        path.write_bytes(original[:size])
        try:
            read_file(path)
        except MediaFileError as exc:
            assert exc.path == str(path)
            failures += 1
    assert failures > 0  # at least the empty and the tiny files are refused
