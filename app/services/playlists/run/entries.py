"""Pure helpers of the playlists sync: keeping a target's own entries in place, and writing a
rewritten file in the encoding and line ends it had.

**Entries only one side can hold.** A file entry that matches no Plex track (a web URL, a file
Plex does not know) cannot go to Plex, and a Plex track without a local file cannot go to a
file. The sync compares and copies only the entries both sides can hold (the *shared* ones);
an entry only the target can hold is never removed by a sync, not even in mirror mode: it stays
where it was, right after the shared entry it followed (or at the top), and it is reported as
unmatched on every run. :func:`place_entries` computes that order.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Slot(Generic[K]):
    """One entry of the new list: ``key``, and ``index`` of the target's current entry it
    reuses (None for an entry the target does not hold yet)."""

    key: K
    index: int | None


def place_entries(
    current: Sequence[K], shared: Sequence[bool], result: Sequence[K]
) -> list[Slot[K]]:
    """The target's new entries: ``result`` (shared keys, in order) with every entry of
    ``current`` that is not shared kept after the same predecessor.

    ``shared[i]`` says whether ``current[i]`` takes part in the comparison. The n-th copy of a
    key in ``result`` reuses the n-th shared copy in ``current``. A kept entry whose
    predecessor is removed follows the nearest earlier shared entry that survives.
    """
    if len(current) != len(shared):
        raise ValueError("current and shared differ in length")
    wanted = Counter(result)
    seen: Counter[K] = Counter()
    copies: defaultdict[K, list[int]] = defaultdict(list)
    anchored: defaultdict[int | None, list[int]] = defaultdict(list)
    anchor: int | None = None
    for index, key in enumerate(current):
        if not shared[index]:
            anchored[anchor].append(index)
            continue
        copies[key].append(index)
        seen[key] += 1
        if seen[key] <= wanted[key]:
            anchor = index
    slots: list[Slot[K]] = [Slot(current[i], i) for i in anchored.pop(None, [])]
    used: Counter[K] = Counter()
    for key in result:
        n = used[key]
        used[key] += 1
        reused = copies[key][n] if n < len(copies[key]) else None
        slots.append(Slot(key, reused))
        if reused is not None:
            slots.extend(Slot(current[i], i) for i in anchored.pop(reused, []))
    return slots


_WINDOWS_FAMILY = ("cp1252", "latin-1")


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _backslashed(line: str) -> str:
    """A relative location line with Windows separators (they read back as the same path)."""
    if not line or line.startswith(("#", "/")) or _SCHEME.match(line):
        return line
    return line.replace("/", "\\")


def encode_like(
    rendered: bytes, *, encoding: str | None, crlf: bool, backslashes: bool = False
) -> bytes:
    """Rendered UTF-8 playlist bytes in the form of the file they replace.

    A file that was read as cp1252 or Latin-1 (an ``.m3u`` from a Windows player) is written
    back in that encoding when every character fits, else as UTF-8 with a BOM so that the
    player can tell; a file that had a BOM keeps it. ``crlf`` keeps Windows line ends,
    ``backslashes`` Windows separators in relative entries.
    """
    text = rendered.decode("utf-8", "surrogateescape")  # raw bytes of non-UTF-8 file names
    if backslashes:
        ending = "\r\n" if "\r\n" in text else "\n"
        text = ending.join(_backslashed(line) for line in text.split(ending))
    if crlf and "\r\n" not in text:
        text = text.replace("\n", "\r\n")
    if encoding in _WINDOWS_FAMILY:
        try:
            return text.encode(encoding, "surrogateescape")
        except UnicodeEncodeError:
            return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogateescape")
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogateescape")
    return text.encode("utf-8", "surrogateescape")


def uses_crlf(data: bytes) -> bool:
    return b"\r\n" in data


def uses_backslashes(raw_lines: Iterable[str]) -> bool:
    """Whether a file's relative entries were written with Windows separators."""
    return any("\\" in line and not _SCHEME.match(line) for line in raw_lines)


def entry_label(artist: str | None, title: str | None, fallback: str) -> str:
    """``"Artist – Title"`` for people; ``fallback`` (a file name, a URL) when untagged."""
    if title:
        return f"{artist} – {title}" if artist else title
    return fallback
