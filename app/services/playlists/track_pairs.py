"""How an entry of one track side is found on another, for a playlists link whose two sides
both hold tracks (Plex, MediaMonkey, a Subsonic server; no playlist files on either side).

Each side lists its whole library once per run (:meth:`TrackSide.track_catalog`) as
:class:`~app.domain.match_keys.TrackInfo` (its local path through the library's path mappings,
and its tags). An entry of one side is then paired with a track of the other by
:func:`app.domain.matching.match_tracks`, the matcher the ratings sync pairs tracks with: the same
local path first (exactly, then ignoring case and Unicode form), then the MusicBrainz id, then
tags. Only confident pairs count; a weak or missing one leaves the entry unmatched with the
reason, and the playlist keeps it on its own side.

When a ratings link joins the same two libraries, its stored track pairs come first
(:class:`KnownPairs`): a pair it synced (matched, or confirmed by a person in its review) is
taken as is, a pair a person rejected is never made, so both links agree on which track is
which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from app.domain.library_records import LinkRecord
from app.domain.match_keys import TrackInfo
from app.domain.matching import MatchThresholds
from app.domain.ratings.records import MatchStatus, TrackLinkRecord
from app.services.playlists.matching import Resolution, match_confident
from app.services.ports import Reporter, SideEntry


@runtime_checkable
class TrackSide(Protocol):
    """A playlist side whose entries are tracks of its own library (an id per track)."""

    label: str

    def track_catalog(self, reporter: Reporter) -> Mapping[str, TrackInfo]:
        """Every track of the library by its entry ident (listed once per run)."""
        ...

    def track_entry(self, ident: str) -> SideEntry:
        """The playlist entry for track ``ident`` of :meth:`track_catalog`."""
        ...


@dataclass(frozen=True, slots=True)
class KnownPairs:
    """Track pairs as (A ident, B ident) that a ratings link between the same two libraries
    holds: ``paired`` it syncs, ``rejected`` a person refused."""

    paired: tuple[tuple[str, str], ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()

    def flipped(self) -> KnownPairs:
        """The same pairs as (B ident, A ident)."""
        return KnownPairs(
            paired=tuple((b, a) for a, b in self.paired),
            rejected=tuple((b, a) for a, b in self.rejected),
        )

    def __add__(self, other: KnownPairs) -> KnownPairs:
        return KnownPairs(self.paired + other.paired, self.rejected + other.rejected)


class TrackLinkStore(Protocol):
    """Where a ratings link's track pairs are kept (``RatingsRepositoryPort`` is one)."""

    def track_links(self, link_id: int, *, status: str | None = None) -> list[TrackLinkRecord]: ...


def known_pairs(
    store: TrackLinkStore, ratings_links: Sequence[LinkRecord], library_a_id: int, library_b_id: int
) -> KnownPairs:
    """The pairs of every ratings link between the two libraries (either way round), as
    (A ident, B ident) of a playlists link from ``library_a_id`` to ``library_b_id``."""
    known = KnownPairs()
    for link in ratings_links:
        ends = (link.library_a_id, link.library_b_id)
        if ends not in ((library_a_id, library_b_id), (library_b_id, library_a_id)):
            continue
        paired: list[tuple[str, str]] = []
        rejected: list[tuple[str, str]] = []
        for pair in store.track_links(link.id):
            if pair.status in (MatchStatus.AUTO, MatchStatus.CONFIRMED):
                paired.append((pair.a_key, pair.b_key))
            elif pair.status == MatchStatus.REJECTED:
                rejected.append((pair.a_key, pair.b_key))
        found = KnownPairs(tuple(paired), tuple(rejected))
        known += found if ends == (library_a_id, library_b_id) else found.flipped()
    return known


def _distinct(entries: Sequence[SideEntry]) -> list[SideEntry]:
    seen: dict[str, SideEntry] = {}
    for entry in entries:
        seen.setdefault(entry.ident, entry)
    return list(seen.values())


class TrackPairResolver:
    """Entries between two track sides; see the module docstring."""

    def __init__(
        self,
        side_a: TrackSide,
        side_b: TrackSide,
        thresholds: MatchThresholds,
        known: KnownPairs = KnownPairs(),
    ) -> None:
        self._side_a = side_a
        self._side_b = side_b
        self._thresholds = thresholds
        self._known = known
        self._from_a = Resolution()  # A's entries paired so far, by A ident

    def a_to_b(self, entries: Sequence[SideEntry], reporter: Reporter) -> Resolution:
        self._pair_a(entries, reporter)
        wanted = {entry.ident for entry in entries}
        return Resolution(
            found={k: v for k, v in self._from_a.found.items() if k in wanted},
            missing={k: v for k, v in self._from_a.missing.items() if k in wanted},
        )

    def b_to_a(
        self, entries: Sequence[SideEntry], reporter: Reporter, known: Sequence[SideEntry] = ()
    ) -> Resolution:
        """``known``: A's playlist entries. They are paired first, and a B entry one of them
        paired with goes back to it, so both ways agree (a second run writes nothing); the
        other B entries are matched against the rest of A's library."""
        self._pair_a(known, reporter)
        known_by_ident = {entry.ident: entry for entry in known}
        back = {found.ident: a_ident for a_ident, found in self._from_a.found.items()}
        resolution = Resolution()
        rest: list[SideEntry] = []
        for entry in _distinct(entries):
            a_ident = back.get(entry.ident)
            if a_ident is None:
                rest.append(entry)
            else:
                resolution.found[entry.ident] = known_by_ident.get(
                    a_ident
                ) or self._side_a.track_entry(a_ident)
        more = self._pair(
            rest,
            self._side_b,
            self._side_a,
            reporter,
            known=self._known.flipped(),
            taken=set(back.values()),
        )
        resolution.found.update(more.found)
        resolution.missing.update(more.missing)
        return resolution

    def _pair_a(self, entries: Sequence[SideEntry], reporter: Reporter) -> None:
        done = self._from_a
        new = [e for e in entries if e.ident not in done.found and e.ident not in done.missing]
        paired = self._pair(new, self._side_a, self._side_b, reporter, known=self._known)
        done.found.update(paired.found)
        done.missing.update(paired.missing)

    def _pair(
        self,
        entries: Sequence[SideEntry],
        source: TrackSide,
        target: TrackSide,
        reporter: Reporter,
        *,
        known: KnownPairs,
        taken: set[str] | None = None,
    ) -> Resolution:
        """Match ``entries`` of ``source`` with the tracks of ``target`` (but ``taken``);
        ``known`` as (source ident, target ident)."""
        resolution = Resolution()
        pending = _distinct(entries)
        if not pending:
            return resolution
        own = source.track_catalog(reporter)
        # Keyed by the entry's ident, whatever id the catalog or the listing gave the track.
        sources = [
            replace(own.get(e.ident) or e.track or TrackInfo(id=e.ident), id=e.ident)
            for e in pending
        ]
        catalog = [t for k, t in target.track_catalog(reporter).items() if k not in (taken or ())]
        reporter.progress(f"matching entries with {target.label}", 0, len(pending))
        found, why = match_confident(
            sources, catalog, self._thresholds, confirmed=known.paired, rejected=known.rejected
        )
        for source_id, target_id in found.items():
            resolution.found[source_id] = target.track_entry(target_id)
        for entry in pending:
            if entry.ident not in resolution.found:
                resolution.missing[entry.ident] = why.get(
                    entry.ident, f"no track of {target.label} matches it"
                )
        return resolution

    def commit(self) -> None:
        """Nothing learnt to keep: both catalogs are listed per run."""

    def close(self) -> None:
        """Nothing to release: the sides close their own clients."""
