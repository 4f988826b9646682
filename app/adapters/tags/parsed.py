"""What the tag family functions read of a parsed file, typed: mutagen's file object, or the
stand-in a lean reader builds in its place (``lean_id3``, ``lean_vorbis``, ``lean_mp4``).

Every stand-in has ``info.length`` (seconds) and ``tags`` (the family's own shape: ID3 frames
by key, Vorbis ``(name, value)`` pairs, MP4 item lists by key; None for a file without a tag),
exactly as mutagen's object has them; the differential tests
(``tests/adapters/test_tags_lean_*``) hold them to that. A lean reader is a
:data:`LeanReader`: it returns its stand-in, or None to decline the file (mutagen parses it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Protocol


class StreamInfo(Protocol):
    """The stream facts read of a parsed file."""

    @property
    def length(self) -> float: ...


class ParsedAudio(Protocol):
    """A parsed file as the family functions (``readings``, ``meta``) read it."""

    @property
    def info(self) -> StreamInfo: ...

    @property
    def tags(self) -> object: ...


LeanReader = Callable[[BinaryIO, int], ParsedAudio | None]
"""``(file object, size in bytes)`` -> the stand-in, or None to decline. Never raises for a
malformed file."""
