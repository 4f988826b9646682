"""One playlists run's settings and state: the link's rules, its two sides, the summary it
closes with, and the state the steps of one run share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import InvalidInput
from app.domain.links import Direction
from app.domain.playlists.diff import PlaylistMode, Side
from app.services.playlists.matching import EntryResolver
from app.services.playlists.run.entry_keys import EntryKeys
from app.services.playlists.run.journal import PlaylistWriteJournal
from app.services.ports import PlaylistSide, Reporter


class PlaylistPolicy(StrEnum):
    """Who wins when a playlist changed on both sides since the last run."""

    PREFER_A = "prefer_a"
    PREFER_B = "prefer_b"
    NEWEST = "newest"
    ASK = "ask"


POLICIES: tuple[str, ...] = tuple(PlaylistPolicy)


class SideCount(StrEnum):
    """The per-side counters of :class:`PlaylistsSummary` (``created_a``, ``created_b``, ...)."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class PlaylistRules:
    """A playlists link's settings, as the sync needs them."""

    direction: Direction = Direction.BOTH
    policy: str = PlaylistPolicy.ASK
    first_run_primary: Side | None = None
    mode: PlaylistMode = PlaylistMode.MIRROR
    selected: tuple[str, ...] | None = None
    delete: bool = False

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise InvalidInput(f"playlists links take policy {', '.join(POLICIES)}")


@dataclass
class PlaylistSides:
    a: PlaylistSide
    b: PlaylistSide
    resolver: EntryResolver

    def side(self, which: Side) -> PlaylistSide:
        return self.a if which is Side.A else self.b

    def close(self) -> None:
        self.resolver.close()
        self.a.close()
        self.b.close()

    def __enter__(self) -> PlaylistSides:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class PlaylistsSummary:
    """The closing summary of a run (also stored as the job's counters)."""

    playlists_a: int = 0
    playlists_b: int = 0
    pairs: int = 0
    created_a: int = 0
    created_b: int = 0
    updated_a: int = 0
    updated_b: int = 0
    deleted_a: int = 0
    deleted_b: int = 0
    unchanged: int = 0
    conflicts: int = 0
    entries_added: int = 0
    entries_removed: int = 0
    entries_moved: int = 0
    unmatched: int = 0
    skipped: int = 0
    errors: int = 0

    def as_counters(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in self.__dataclass_fields__}

    def count(self, what: SideCount, side: Side) -> None:
        name = f"{what.value}_{side.value}"
        setattr(self, name, getattr(self, name) + 1)


class SyncRun:
    """State of one run."""

    def __init__(
        self,
        *,
        link_id: int,
        sides: PlaylistSides,
        rules: PlaylistRules,
        writable: frozenset[Side],
        dry_run: bool,
        job_id: int | None,
        reporter: Reporter,
        keys: EntryKeys,
        taken: dict[Side, set[str]],
        journal: PlaylistWriteJournal,
    ) -> None:
        self.journal = journal
        self.link_id = link_id
        self.sides = sides
        self.rules = rules
        self.writable = writable
        self.dry_run = dry_run
        self.job_id = job_id
        self.reporter = reporter
        self.keys = keys
        self.taken = taken
        self.summary = PlaylistsSummary()

    def where(self, side: Side) -> str:
        return f"on {side.value.upper()} ({self.sides.side(side).label})"
