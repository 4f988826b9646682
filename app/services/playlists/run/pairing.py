"""Pairing a run's playlists: pairs stored by earlier runs (a Plex playlist keeps its pair when
renamed, its id does not change), then by title (a title and a file name match when the
title's safe file name does, ignoring case), then the playlists found on one side only."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from app.domain.playlists.m3u import safe_file_name, title_from_file_name
from app.domain.playlists.records import PlaylistPairRecord
from app.services.playlists.run.events import PlaylistsEvent
from app.services.ports import Reporter, SideListing, SidePlaylist


def title_key(title: str) -> str:
    """Titles and file names that stand for the same playlist share this key."""
    stem = title_from_file_name(safe_file_name(title))
    return unicodedata.normalize("NFC", stem).casefold()


def selector(titles: Sequence[str] | None) -> Callable[[Sequence[str]], bool]:
    """Whether a playlist answering to some names is selected (None: all are)."""
    if titles is None:
        return lambda names: True
    wanted = {title_key(title) for title in titles}
    return lambda names: any(title_key(name) in wanted for name in names)


@dataclass
class PairWork:
    """One playlist to sync: its stored pair (if any) and its copy on each side (if any)."""

    pair: PlaylistPairRecord | None
    a: SidePlaylist | None
    b: SidePlaylist | None

    @property
    def title(self) -> str:
        if self.a is not None:
            return self.a.title
        if self.b is not None:
            return self.b.title
        return self.pair.title if self.pair is not None else ""


@dataclass
class _Pairing:
    """Accumulators while one run's playlists are paired."""

    used_a: set[str] = field(default_factory=set)
    used_b: set[str] = field(default_factory=set)
    work: list[PairWork] = field(default_factory=list)
    blocked: int = 0


def pair_playlists(
    pairs: Iterable[PlaylistPairRecord],
    listing_a: SideListing,
    listing_b: SideListing,
    reporter: Reporter,
) -> tuple[list[PairWork], int]:
    """The playlists to sync (stored pairs, then pairs by title, then the rest), and how
    many wait because the other side could not read one of the same name."""
    acc = _Pairing()
    _stored_pairs(pairs, listing_a, listing_b, acc)
    _pairs_by_title(listing_a, listing_b, reporter, acc)
    unreadable_a = {title_key(name) for name in listing_a.unreadable.values()}
    for playlist in listing_b.playlists:
        if playlist.ref in acc.used_b:
            continue
        if _blocked(playlist, unreadable_a, reporter):
            acc.blocked += 1
            continue
        acc.used_b.add(playlist.ref)
        acc.work.append(PairWork(None, None, playlist))
    return acc.work, acc.blocked


def _stored_pairs(
    pairs: Iterable[PlaylistPairRecord],
    listing_a: SideListing,
    listing_b: SideListing,
    acc: _Pairing,
) -> None:
    a_by_ref = {p.ref: p for p in listing_a.playlists}
    b_by_ref = {p.ref: p for p in listing_b.playlists}
    for pair in pairs:
        a_idle = pair.a_ref in listing_a.present and pair.a_ref not in a_by_ref
        b_idle = pair.b_ref in listing_b.present and pair.b_ref not in b_by_ref
        if pair.a_ref is not None:
            acc.used_a.add(pair.a_ref)
        if pair.b_ref is not None:
            acc.used_b.add(pair.b_ref)
        if a_idle or b_idle:
            continue  # not selected, or unreadable this time: left alone
        a = a_by_ref.get(pair.a_ref) if pair.a_ref is not None else None
        b = b_by_ref.get(pair.b_ref) if pair.b_ref is not None else None
        acc.work.append(PairWork(pair, a, b))


def _pairs_by_title(
    listing_a: SideListing, listing_b: SideListing, reporter: Reporter, acc: _Pairing
) -> None:
    free_b: dict[str, list[SidePlaylist]] = defaultdict(list)
    for playlist in listing_b.playlists:
        if playlist.ref not in acc.used_b:
            for name_key in dict.fromkeys(title_key(name) for name in playlist.names):
                free_b[name_key].append(playlist)
    unreadable_b = {title_key(name) for name in listing_b.unreadable.values()}
    for playlist in listing_a.playlists:
        if playlist.ref in acc.used_a:
            continue
        if _blocked(playlist, unreadable_b, reporter):
            acc.blocked += 1
            continue
        partner = None
        for name_key in dict.fromkeys(title_key(name) for name in playlist.names):
            partner = next((b for b in free_b.get(name_key, []) if b.ref not in acc.used_b), None)
            if partner is not None:
                break
        if partner is not None:
            acc.used_b.add(partner.ref)
        acc.work.append(PairWork(None, playlist, partner))


def _blocked(playlist: SidePlaylist, unreadable: set[str], reporter: Reporter) -> bool:
    """An unpaired playlist named like one the other side could not read waits: creating
    it would make a second copy there."""
    if not any(title_key(name) in unreadable for name in playlist.names):
        return False
    reporter.event(
        PlaylistsEvent.PLAYLIST_SKIPPED,
        playlist.title,
        level="warning",
        detail="the other side has a playlist of that name it could not read",
    )
    return True
