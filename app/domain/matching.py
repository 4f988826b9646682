"""Match the tracks of side A to the tracks of side B, one to one, with scores (pure).

:func:`match_tracks` works in stages; each stage only sees tracks no earlier stage took (the
normalised keys and the tag score are in :mod:`app.domain.match_keys`):

1. **confirmed** pairs a person accepted, by ids (they survive a file move when the caller's ids
   are stable); method ``manual``, score 100.
2. **path**: the same (already mapped to local form) path, exactly (score 100), then ignoring
   case, Unicode normal form and slash direction (score 99). A path shared by several tracks on
   the other side is not a match here; such tracks go on to the next stages.
3. **mbid**: the same MusicBrainz recording id on both sides. One track per side with that id:
   score 100. Several (the same recording on an album and on a compilation): the tag score
   below chooses, with the same bands and ambiguity check as the fuzzy stage.
4. **fuzzy**: on normalised artist, album and title (:mod:`app.domain.normalize`), with track
   number, disc number, duration and differing MusicBrainz ids as penalties. Two steps keep the
   cost near-linear, never N x M:

   a. tracks whose (artist, album, title) keys occur exactly once on each side and that score a
      full 100 are paired directly (the common case: the same library seen twice);
   b. the rest are *blocked*: a track is compared only with tracks sharing a block key: the
      same title, the same album, or the same artist and first four letters of the title (the
      title's first letters alone when the artist is unknown). A block with more than
      ``max_block_pairs`` pairs is split once by a second key; a split part still too big is
      skipped and counted in ``MatchResult.skipped_blocks``.

   Pairs are then assigned **greedily by score, highest first** (ties broken by input order):
   not an optimal assignment, but with clean data the best pair of a track is almost always
   mutual, and every pair that could be wrong is flagged for review instead.

A proposed pair is *confident* when its score is at least ``accept_score`` and no track left
unmatched at the end of its stage scores within ``ambiguity_margin`` of it against either of
its two tracks (a duplicate on one side, say). Otherwise, with a score of at least
``review_score``, it is listed for *review*: not synced until a person confirms it. Pairs
scoring less are not proposed. Rejected pairs are never proposed by any stage; a pair that is
both confirmed and rejected counts as rejected.

Score (0..100): ``0.5 * title + 0.3 * artist + 0.2 * album`` similarity (rapidfuzz ``ratio``
for title and album, ``token_set_ratio`` for the artist so that "A" vs "A & B" stays high; a
field missing on either side counts 50; a title missing on either side scores 0 overall),
minus 8 for a different track number, 8 for a different disc number, ``10 + min(20, excess)``
for a duration differing by more than ``duration_tolerance_s`` (excess in seconds), and 20 for
different MusicBrainz recording ids. Numbers unknown on either side cost nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import InvalidInput
from app.domain.match_keys import (
    TITLE_PREFIX_CHARS,
    KeyMaker,
    TrackInfo,
    TrackKeys,
    mbid_key,
    path_fold,
    score_keys,
)


class MatchMethod(StrEnum):
    MANUAL = "manual"
    PATH = "path"
    MBID = "mbid"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class MatchPair:
    """A proposed pair. ``note`` says why a review pair needs a person ("" when confident)."""

    a_id: str
    b_id: str
    method: MatchMethod
    score: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class MatchThresholds:
    """Knobs of :func:`match_tracks`; the defaults suit a music library."""

    accept_score: float = 85.0
    review_score: float = 60.0
    ambiguity_margin: float = 5.0
    duration_tolerance_s: float = 3.0
    max_block_pairs: int = 2_500

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_score <= self.accept_score <= 100.0:
            raise InvalidInput(
                "match thresholds need 0 <= review_score <= accept_score <= 100, got "
                f"review_score={self.review_score}, accept_score={self.accept_score}"
            )
        if self.ambiguity_margin < 0 or self.duration_tolerance_s < 0:
            raise InvalidInput("ambiguity_margin and duration_tolerance_s cannot be negative")
        if self.max_block_pairs < 1:
            raise InvalidInput("max_block_pairs must be at least 1")


@dataclass(frozen=True, slots=True)
class MatchResult:
    """``confident`` pairs may be synced; ``review`` pairs wait for a person. Every input
    track is in exactly one place: a pair, or ``unmatched_a`` / ``unmatched_b`` (input order).
    ``compared_pairs`` counts tag comparisons (the cost); ``skipped_blocks`` counts oversized
    blocks that were not compared."""

    confident: tuple[MatchPair, ...]
    review: tuple[MatchPair, ...]
    unmatched_a: tuple[str, ...]
    unmatched_b: tuple[str, ...]
    compared_pairs: int = 0
    skipped_blocks: int = 0


# --- the matcher ----------------------------------------------------------------------------


def score_pair(a: TrackInfo, b: TrackInfo, *, duration_tolerance_s: float = 3.0) -> float:
    """The tag score (0..100) of two tracks, as the fuzzy stage computes it."""
    maker = KeyMaker()
    return score_keys(maker.keys(a), maker.keys(b), duration_tolerance_s)


def match_tracks(
    side_a: Sequence[TrackInfo],
    side_b: Sequence[TrackInfo],
    *,
    confirmed: Iterable[tuple[str, str]] = (),
    rejected: Iterable[tuple[str, str]] = (),
    thresholds: MatchThresholds | None = None,
) -> MatchResult:
    """Match ``side_a`` to ``side_b`` one to one (see the module docstring for the stages).

    ``confirmed`` and ``rejected`` are earlier decisions as ``(a_id, b_id)``; ids not present
    on their side are ignored. Raises :class:`InvalidInput` when an id occurs twice on a side.
    """
    run = _Run(side_a, side_b, rejected, thresholds or MatchThresholds())
    run.take_confirmed(confirmed)
    run.match_paths()
    run.match_mbids()
    run.match_fuzzy()
    return run.result()


class _Run:
    """State of one :func:`match_tracks` call: which tracks are taken, and the pairs so far."""

    def __init__(
        self,
        side_a: Sequence[TrackInfo],
        side_b: Sequence[TrackInfo],
        rejected: Iterable[tuple[str, str]],
        thresholds: MatchThresholds,
    ) -> None:
        self.a = side_a
        self.b = side_b
        self.a_index = _index_ids(side_a, "A")
        self.b_index = _index_ids(side_b, "B")
        self.thresholds = thresholds
        self.rejected = {
            (self.a_index[a_id], self.b_index[b_id])
            for a_id, b_id in rejected
            if a_id in self.a_index and b_id in self.b_index
        }
        self.a_taken = [False] * len(side_a)
        self.b_taken = [False] * len(side_b)
        self.confident: list[MatchPair] = []
        self.review: list[MatchPair] = []
        self.compared_pairs = 0
        self.skipped_blocks = 0
        self._a_keys: list[TrackKeys | None] = [None] * len(side_a)
        self._b_keys: list[TrackKeys | None] = [None] * len(side_b)
        self._key_maker = KeyMaker()

    # stage 1
    def take_confirmed(self, confirmed: Iterable[tuple[str, str]]) -> None:
        for a_id, b_id in confirmed:
            ai, bi = self.a_index.get(a_id), self.b_index.get(b_id)
            if ai is None or bi is None or (ai, bi) in self.rejected:
                continue
            if not self.a_taken[ai] and not self.b_taken[bi]:
                self._take(ai, bi, MatchMethod.MANUAL, 100.0)

    # stage 2
    def match_paths(self) -> None:
        self._match_unique(lambda t: t.path or "", MatchMethod.PATH, 100.0)
        self._match_unique(lambda t: path_fold(t.path) if t.path else "", MatchMethod.PATH, 99.0)

    def _match_unique(
        self, key_of: Callable[[TrackInfo], str], method: MatchMethod, score: float
    ) -> None:
        """Pair tracks whose key is shared by exactly one free track on each side."""
        b_groups: dict[str, list[int]] = defaultdict(list)
        for bi, track in enumerate(self.b):
            if not self.b_taken[bi] and (key := key_of(track)):
                b_groups[key].append(bi)
        a_groups: dict[str, list[int]] = defaultdict(list)
        for ai, track in enumerate(self.a):
            if not self.a_taken[ai] and (key := key_of(track)) and key in b_groups:
                a_groups[key].append(ai)
        for key, a_list in a_groups.items():
            b_list = b_groups[key]
            if (
                len(a_list) == 1
                and len(b_list) == 1
                and (a_list[0], b_list[0]) not in self.rejected
            ):
                self._take(a_list[0], b_list[0], method, score)

    # stage 3
    def match_mbids(self) -> None:
        self._match_unique(lambda t: mbid_key(t.mbid), MatchMethod.MBID, 100.0)
        b_groups: dict[str, list[int]] = defaultdict(list)
        for bi in self._free_b():
            if mbid := mbid_key(self.b[bi].mbid):
                b_groups[mbid].append(bi)
        a_groups: dict[str, list[int]] = defaultdict(list)
        for ai in self._free_a():
            if (mbid := mbid_key(self.a[ai].mbid)) and mbid in b_groups:
                a_groups[mbid].append(ai)
        width = len(self.b)
        pairs = [
            ai * width + bi
            for mbid, a_list in a_groups.items()
            for ai in a_list
            for bi in b_groups[mbid]
        ]
        self._assign(self._scored(pairs), MatchMethod.MBID)

    # stage 4
    def match_fuzzy(self) -> None:
        free_a, free_b = self._free_a(), self._free_b()
        a_keys = {ai: self._key_of_a(ai) for ai in free_a}
        b_keys = {bi: self._key_of_b(bi) for bi in free_b}

        # a. the same (artist, album, title) once on each side, scoring 100
        a_groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        b_groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for ai, k in a_keys.items():
            if k.title:
                a_groups[(k.artist, k.album, k.title)].append(ai)
        for bi, k in b_keys.items():
            if k.title:
                b_groups[(k.artist, k.album, k.title)].append(bi)
        tolerance_s = self.thresholds.duration_tolerance_s
        for key, a_list in a_groups.items():
            b_list = b_groups.get(key)
            if b_list is None or len(a_list) != 1 or len(b_list) != 1:
                continue
            ai, bi = a_list[0], b_list[0]
            if (ai, bi) in self.rejected:
                continue
            self.compared_pairs += 1
            if score_keys(a_keys[ai], b_keys[bi], tolerance_s) == 100.0:
                self._take(ai, bi, MatchMethod.FUZZY, 100.0)

        # b. blocking on what is left
        a_rest = {ai: k for ai, k in a_keys.items() if not self.a_taken[ai] and k.title}
        b_rest = {bi: k for bi, k in b_keys.items() if not self.b_taken[bi] and k.title}
        candidates = self._block_pairs(a_rest, b_rest)
        self._assign(self._scored(candidates), MatchMethod.FUZZY)

    def _block_pairs(self, a_rest: dict[int, TrackKeys], b_rest: dict[int, TrackKeys]) -> set[int]:
        """Candidate pairs from blocking, as ``ai * len(b) + bi`` (cheap to deduplicate)."""
        blocks: dict[tuple[str, str, str], tuple[list[int], list[int]]] = defaultdict(
            lambda: ([], [])
        )
        for side, rest in ((0, a_rest), (1, b_rest)):
            for index, k in rest.items():
                for block_key in _block_keys(k):
                    blocks[block_key][side].append(index)
        width = len(self.b)
        limit = self.thresholds.max_block_pairs
        pairs: set[int] = set()
        for (kind, _, _), (a_list, b_list) in blocks.items():
            if not a_list or not b_list:
                continue
            parts = [(a_list, b_list)]
            if len(a_list) * len(b_list) > limit:
                parts = _split_block(a_list, b_list, a_rest, b_rest, _SPLIT_KEYS[kind])
            for part_a, part_b in parts:
                if len(part_a) * len(part_b) > limit:
                    self.skipped_blocks += 1
                    continue
                pairs.update(ai * width + bi for ai in part_a for bi in part_b)
        return pairs

    def _scored(self, pairs: Iterable[int]) -> list[tuple[float, int, int]]:
        """Score candidate pairs (``ai * len(b) + bi``); keep those that could be proposed or
        compete with one."""
        floor = self.thresholds.review_score - self.thresholds.ambiguity_margin
        tolerance_s = self.thresholds.duration_tolerance_s
        width = len(self.b)
        scored: list[tuple[float, int, int]] = []
        a_keys, b_keys = self._a_keys, self._b_keys
        for pair in pairs:
            ai, bi = divmod(pair, width)
            if (ai, bi) in self.rejected:
                continue
            self.compared_pairs += 1
            score = score_keys(
                a_keys[ai] or self._key_of_a(ai), b_keys[bi] or self._key_of_b(bi), tolerance_s
            )
            if score >= floor:
                scored.append((score, ai, bi))
        return scored

    def _assign(self, scored: list[tuple[float, int, int]], method: MatchMethod) -> None:
        """Greedy one-to-one assignment by score, then classification into confident and
        review (see the module docstring)."""
        thresholds = self.thresholds
        scored.sort(key=lambda item: (-item[0], item[1], item[2]))
        chosen: list[tuple[float, int, int]] = []
        for score, ai, bi in scored:
            if score < thresholds.review_score:
                break
            if not self.a_taken[ai] and not self.b_taken[bi]:
                self.a_taken[ai] = self.b_taken[bi] = True
                chosen.append((score, ai, bi))
        by_a: dict[int, list[tuple[float, int]]] = defaultdict(list)
        by_b: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for score, ai, bi in scored:
            by_a[ai].append((score, bi))
            by_b[bi].append((score, ai))
        for score, ai, bi in chosen:
            close = score - thresholds.ambiguity_margin
            rival_b = next(
                (b for s, b in by_a[ai] if b != bi and s >= close and not self.b_taken[b]), None
            )
            rival_a = next(
                (a for s, a in by_b[bi] if a != ai and s >= close and not self.a_taken[a]), None
            )
            pair = (self.a[ai].id, self.b[bi].id)
            if rival_b is not None:
                note = f"ambiguous: B {self.b[rival_b].id!r} is as close a match for A"
            elif rival_a is not None:
                note = f"ambiguous: A {self.a[rival_a].id!r} is as close a match for B"
            elif score < thresholds.accept_score:
                note = f"score {score:.1f} is below {thresholds.accept_score:.1f}"
            else:
                self.confident.append(MatchPair(*pair, method, score))
                continue
            self.review.append(MatchPair(*pair, method, score, note))

    def _take(self, ai: int, bi: int, method: MatchMethod, score: float) -> None:
        self.a_taken[ai] = self.b_taken[bi] = True
        self.confident.append(MatchPair(self.a[ai].id, self.b[bi].id, method, score))

    def _key_of_a(self, ai: int) -> TrackKeys:
        keys = self._a_keys[ai]
        if keys is None:
            keys = self._a_keys[ai] = self._key_maker.keys(self.a[ai])
        return keys

    def _key_of_b(self, bi: int) -> TrackKeys:
        keys = self._b_keys[bi]
        if keys is None:
            keys = self._b_keys[bi] = self._key_maker.keys(self.b[bi])
        return keys

    def _free_a(self) -> list[int]:
        return [ai for ai, taken in enumerate(self.a_taken) if not taken]

    def _free_b(self) -> list[int]:
        return [bi for bi, taken in enumerate(self.b_taken) if not taken]

    def result(self) -> MatchResult:
        return MatchResult(
            confident=tuple(self.confident),
            review=tuple(self.review),
            unmatched_a=tuple(self.a[ai].id for ai in self._free_a()),
            unmatched_b=tuple(self.b[bi].id for bi in self._free_b()),
            compared_pairs=self.compared_pairs,
            skipped_blocks=self.skipped_blocks,
        )


def _index_ids(tracks: Sequence[TrackInfo], side: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, track in enumerate(tracks):
        if track.id in index:
            raise InvalidInput(f"track id {track.id!r} occurs twice on side {side}")
        index[track.id] = position
    return index


def _block_keys(k: TrackKeys) -> list[tuple[str, str, str]]:
    keys = [("title", k.title, ""), ("prefix", k.artist, k.title[:TITLE_PREFIX_CHARS])]
    if k.album:
        keys.append(("album", k.album, ""))
    return keys


# How an oversized block of each kind is split: by a key its members do not already share.
_SPLIT_KEYS: dict[str, Callable[[TrackKeys], str]] = {
    "title": lambda k: k.artist[:2],
    "prefix": lambda k: k.album[:2],
    "album": lambda k: k.artist[:2],
}


def _split_block(
    a_list: list[int],
    b_list: list[int],
    a_rest: dict[int, TrackKeys],
    b_rest: dict[int, TrackKeys],
    split_key: Callable[[TrackKeys], str],
) -> list[tuple[list[int], list[int]]]:
    parts: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for ai in a_list:
        parts[split_key(a_rest[ai])][0].append(ai)
    for bi in b_list:
        parts[split_key(b_rest[bi])][1].append(bi)
    return [(pa, pb) for pa, pb in parts.values() if pa and pb]
