"""The match step of a ratings run: which item of side A goes with which of side B.

Pairs already linked (``auto``/``confirmed`` track links whose keys still exist) are kept as
they are; a confirmed pair whose item moved (new key, same tags) follows it; the rest go
through ``app.domain.matching`` (path, MusicBrainz id, fuzzy). Weak pairs are stored for review
and not synced; rejected pairs are never proposed again. A dry run stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.jobs import EventLevel
from app.domain.matching import MatchResult, match_tracks
from app.domain.ratings.records import NewTrackLink, TrackLinkRecord
from app.services.ports import RatingsRepositoryPort, Reporter, SideItem
from app.services.ratings.run.values import (
    LinkRules,
    MatchStatus,
    RatingsEvent,
    SyncSummary,
    item_label,
    item_name,
)

Pair = tuple[TrackLinkRecord | None, SideItem, SideItem]
"""A matched pair: its stored track link (``None`` for a new one in a dry run) and its items."""


@dataclass
class _Existing:
    """The stored track links of a link sorted against this run's items."""

    pairs: list[Pair] = field(default_factory=list)
    used_a: set[str] = field(default_factory=set)
    used_b: set[str] = field(default_factory=set)
    stale: list[int] = field(default_factory=list)
    moved: list[TrackLinkRecord] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    old_review: dict[tuple[str, str], TrackLinkRecord] = field(default_factory=dict)

    def keep(self, link: TrackLinkRecord, a_item: SideItem, b_item: SideItem) -> None:
        if link.a_key in self.used_a or link.b_key in self.used_b:
            self.stale.append(link.id)
            return
        self.pairs.append((link, a_item, b_item))
        self.used_a.add(link.a_key)
        self.used_b.add(link.b_key)


def _sort_existing(
    existing: Sequence[TrackLinkRecord],
    by_key_a: dict[str, SideItem],
    by_key_b: dict[str, SideItem],
) -> _Existing:
    sorted_links = _Existing()
    for link in existing:
        if link.status == MatchStatus.REJECTED:
            sorted_links.rejected.append((link.a_key, link.b_key))
            continue
        if link.status == MatchStatus.REVIEW:
            sorted_links.old_review[(link.a_key, link.b_key)] = link
            continue
        a_item, b_item = by_key_a.get(link.a_key), by_key_b.get(link.b_key)
        if a_item is not None and b_item is not None:
            sorted_links.keep(link, a_item, b_item)
        elif link.status == MatchStatus.CONFIRMED:
            sorted_links.moved.append(link)
        else:
            sorted_links.stale.append(link.id)
    return sorted_links


def _new_links(
    result: MatchResult,
    rest_by_a: dict[str, SideItem],
    rest_by_b: dict[str, SideItem],
) -> tuple[list[NewTrackLink], list[NewTrackLink]]:
    """The confident matches (synced from now on) and the weak ones (stored for review)."""
    new_links = [
        NewTrackLink(
            a_key=pair.a_id,
            b_key=pair.b_id,
            method=pair.method.value,
            score=pair.score,
            status=MatchStatus.AUTO.value,
            a_label=item_label(rest_by_a[pair.a_id]),
            b_label=item_label(rest_by_b[pair.b_id]),
        )
        for pair in result.confident
    ]
    review_links = [
        NewTrackLink(
            a_key=pair.a_id,
            b_key=pair.b_id,
            method=pair.method.value,
            score=pair.score,
            status=MatchStatus.REVIEW.value,
            a_label=item_label(rest_by_a[pair.a_id]),
            b_label=item_label(rest_by_b[pair.b_id]),
            note=pair.note or None,
        )
        for pair in result.review
    ]
    return new_links, review_links


def _report_matching(
    result: MatchResult,
    rest_by_a: dict[str, SideItem],
    rest_by_b: dict[str, SideItem],
    reporter: Reporter,
) -> None:
    for pair in result.review:
        reporter.event(
            RatingsEvent.REVIEW,
            item_label(rest_by_a[pair.a_id]),
            level=EventLevel.WARNING,
            after=item_label(rest_by_b[pair.b_id]),
            detail=f"{pair.method.value} match scored {pair.score:.0f}: {pair.note}".rstrip(": "),
        )
    for key in result.unmatched_a:
        reporter.event(RatingsEvent.UNMATCHED, item_label(rest_by_a[key]), detail="side A only")
    for key in result.unmatched_b:
        reporter.event(RatingsEvent.UNMATCHED, item_label(rest_by_b[key]), detail="side B only")


def _name(label: str) -> str:
    """``"Artist – Title (Album) [key]"`` -> ``"Artist – Title (Album)"``."""
    return label.rsplit(" [", 1)[0]


def _without_album(name: str) -> str:
    """``"Artist – Title (Album)"`` -> ``"Artist – Title"`` (labels stored before albums were
    part of them have none, and a title may hold parentheses of its own: both are tried)."""
    return name.rsplit(" (", 1)[0] if name.endswith(")") else name


def _by_name(items: Sequence[SideItem]) -> dict[str, list[SideItem]]:
    index: dict[str, list[SideItem]] = {}
    for item in items:
        name = item_name(item)
        if name:
            index.setdefault(name, []).append(item)
    return index


def _only(index: dict[str, list[SideItem]], label: str | None) -> SideItem | None:
    """The one item named like ``label`` (a moved file keeps its tags); None if not unique."""
    if not label:
        return None
    name = _name(label)
    candidates = index.get(name) or index.get(_without_album(name), [])
    return candidates[0] if len(candidates) == 1 else None


class Pairing:
    """The match step of a run of one ratings link."""

    def __init__(self, repository: RatingsRepositoryPort) -> None:
        self._repository = repository

    def match(
        self,
        link_id: int,
        existing: Sequence[TrackLinkRecord],
        items_a: Sequence[SideItem],
        items_b: Sequence[SideItem],
        rules: LinkRules,
        dry_run: bool,
        reporter: Reporter,
        summary: SyncSummary,
    ) -> list[Pair]:
        by_key_a = {item.key: item for item in items_a}
        by_key_b = {item.key: item for item in items_b}
        known = _sort_existing(existing, by_key_a, by_key_b)
        pairs = known.pairs
        used_a, used_b = known.used_a, known.used_b

        rest_a = [item for item in items_a if item.key not in used_a]
        rest_b = [item for item in items_b if item.key not in used_b]
        followed = self._follow_moves(
            known.moved, rest_a, rest_b, used_a, used_b, dry_run, reporter
        )
        if followed:
            pairs.extend(followed)
            rest_a = [item for item in rest_a if item.key not in used_a]
            rest_b = [item for item in rest_b if item.key not in used_b]

        result = match_tracks(
            [item.track for item in rest_a],
            [item.track for item in rest_b],
            rejected=known.rejected,
            thresholds=rules.thresholds,
        )
        rest_by_a = {item.key: item for item in rest_a}
        rest_by_b = {item.key: item for item in rest_b}
        new_links, review_links = _new_links(result, rest_by_a, rest_by_b)
        summary.matched_new = len(new_links)
        summary.review = len(review_links)
        _report_matching(result, rest_by_a, rest_by_b, reporter)
        summary.unmatched_a = len(result.unmatched_a)
        summary.unmatched_b = len(result.unmatched_b)

        if dry_run:
            pairs.extend((None, rest_by_a[p.a_id], rest_by_b[p.b_id]) for p in result.confident)
            return pairs
        self._store_review(link_id, known, review_links)
        pairs.extend(self._store_new(link_id, new_links, rest_by_a, rest_by_b))
        return pairs

    def _follow_moves(
        self,
        moved: Sequence[TrackLinkRecord],
        rest_a: Sequence[SideItem],
        rest_b: Sequence[SideItem],
        used_a: set[str],
        used_b: set[str],
        dry_run: bool,
        reporter: Reporter,
    ) -> list[Pair]:
        """A confirmed pair whose item moved (new key, same tags and duration) follows it."""
        if not moved:
            return []
        by_name_a = _by_name(rest_a)
        by_name_b = _by_name(rest_b)
        keys_a = {item.key: item for item in rest_a}
        keys_b = {item.key: item for item in rest_b}
        followed: list[Pair] = []
        for link in moved:
            a_item = keys_a.get(link.a_key) or _only(by_name_a, link.a_label)
            b_item = keys_b.get(link.b_key) or _only(by_name_b, link.b_label)
            if a_item is None or b_item is None or a_item.key in used_a or b_item.key in used_b:
                reporter.event(
                    RatingsEvent.MATCH_LOST,
                    link.a_label or link.a_key,
                    level=EventLevel.WARNING,
                    detail="a confirmed match lost its track; kept for when it comes back",
                )
                continue
            used_a.add(a_item.key)
            used_b.add(b_item.key)
            reporter.event(
                RatingsEvent.MATCH_MOVED,
                item_label(a_item),
                before=f"{link.a_key} ⇄ {link.b_key}",
                after=f"{a_item.key} ⇄ {b_item.key}",
            )
            if not dry_run:
                self._repository.rekey(link.id, a_key=a_item.key, b_key=b_item.key)
            followed.append((link, a_item, b_item))
        return followed

    def _store_review(
        self, link_id: int, known: _Existing, review_links: Sequence[NewTrackLink]
    ) -> None:
        """Drops stale links and old review pairs not proposed again; adds new review pairs."""
        self._repository.delete_track_links(known.stale)
        keep_review = {(link.a_key, link.b_key) for link in review_links}
        self._repository.delete_track_links(
            [link.id for key, link in known.old_review.items() if key not in keep_review]
        )
        self._repository.add_track_links(
            link_id,
            [link for link in review_links if (link.a_key, link.b_key) not in known.old_review],
        )

    def _store_new(
        self,
        link_id: int,
        new_links: Sequence[NewTrackLink],
        rest_by_a: dict[str, SideItem],
        rest_by_b: dict[str, SideItem],
    ) -> list[Pair]:
        """Stores the confident new matches; their pairs, linked."""
        ids = self._repository.add_track_links(link_id, new_links)
        pairs: list[Pair] = []
        for track_link_id, new in zip(ids, new_links, strict=True):
            record = TrackLinkRecord(
                id=track_link_id,
                link_id=link_id,
                a_key=new.a_key,
                b_key=new.b_key,
                method=new.method,
                score=new.score,
                status=new.status,
                baseline_known=False,
                baseline_rating=None,
            )
            pairs.append((record, rest_by_a[new.a_key], rest_by_b[new.b_key]))
        return pairs
