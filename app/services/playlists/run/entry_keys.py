"""Matching a run's entries: every entry of both sides gets a key (``a:<A id>`` for an entry both
sides can hold, ``b:<location>`` for a file entry only B can hold), and each side knows which
entry stands for a key when it has to write it."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.errors import InvalidInput
from app.domain.playlists.diff import Side
from app.services.playlists.matching import EntryResolver
from app.services.ports import Reporter, SideEntry, SideListing


@dataclass
class EntryKeys:
    """Every entry's key, and what stands for a key on each side."""

    b_found: dict[str, SideEntry]
    b_missing: dict[str, str]
    a_missing: dict[str, str]
    on_a: dict[str, SideEntry] = field(default_factory=dict)
    on_b: dict[str, SideEntry] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def key(self, side: Side, entry: SideEntry) -> str:
        if side is Side.A:
            return "a:" + entry.ident
        found = self.b_found.get(entry.ident)
        return "a:" + found.ident if found is not None else "b:" + entry.ident

    def shared(self, side: Side, entry: SideEntry) -> bool:
        """Whether the other side can hold the entry too."""
        if side is Side.A:
            return "a:" + entry.ident in self.on_b
        return entry.ident in self.b_found

    def why_not(self, side: Side, entry: SideEntry) -> str:
        missing = self.a_missing if side is Side.A else self.b_missing
        return missing.get(entry.ident, "not found on the other side")

    def entry_for(self, side: Side, key: str) -> SideEntry:
        entry = (self.on_a if side is Side.A else self.on_b).get(key)
        if entry is None:
            raise InvalidInput(f"entry {self.labels.get(key, key)!r} cannot go to side {side}")
        return entry


@dataclass
class SideLists:
    """One playlist's entries on one side: all keys, which are shared, the shared ones."""

    keys: list[str]
    shared: list[bool]

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(k for k, s in zip(self.keys, self.shared, strict=True) if s)


def resolve_keys(
    resolver: EntryResolver, listing_a: SideListing, listing_b: SideListing, reporter: Reporter
) -> EntryKeys:
    """Match the entries of both listings to the other side and key them all."""
    entries_a = [entry for playlist in listing_a.playlists for entry in playlist.entries]
    entries_b = [entry for playlist in listing_b.playlists for entry in playlist.entries]
    from_b = resolver.b_to_a(entries_b, reporter, known=entries_a)
    from_a = resolver.a_to_b(entries_a, reporter)
    keys = EntryKeys(b_found=from_b.found, b_missing=from_b.missing, a_missing=from_a.missing)
    for entry in entries_a:
        key = keys.key(Side.A, entry)
        keys.on_a.setdefault(key, entry)
        keys.labels.setdefault(key, entry.label)
    for found in from_b.found.values():
        keys.on_a.setdefault("a:" + found.ident, found)
        keys.labels.setdefault("a:" + found.ident, found.label)
    own_b: dict[str, SideEntry] = {}
    for entry in entries_b:
        key = keys.key(Side.B, entry)
        own_b.setdefault(key, entry)  # an entry as B already writes it wins
        keys.labels.setdefault(key, entry.label)
    keys.on_b = {**{"a:" + ident: e for ident, e in from_a.found.items()}, **own_b}
    return keys
