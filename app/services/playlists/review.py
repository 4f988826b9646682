"""What the playlists sync needs a person for: its conflicts, shown as a diff of entries, and
the choice that settles one.

Settling a conflict does not write anything itself: ``keep_a`` records B's version (as it was
when the conflict was found) as the pair's baseline, so the next run sees only A as changed
and copies it to B, the same way as any one-sided change; ``keep_b`` the other way round. If
the losing side changed again since, the next run finds a new conflict instead of overwriting
that change. ``skip`` closes the conflict; the next run finds it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

from app.domain.errors import InvalidInput
from app.domain.jobs import JobEventRecord
from app.domain.library_records import LinkRecord
from app.domain.playlists.records import ConflictEntry, PlaylistConflictRecord, PlaylistPairRecord
from app.services.playlists.run.events import PlaylistsEvent
from app.services.ports import LibraryRepositoryPort, PlaylistRepositoryPort


class PlaylistChoice(StrEnum):
    """How a person settles a playlist conflict (see the module doc)."""

    KEEP_A = "keep_a"
    KEEP_B = "keep_b"
    SKIP = "skip"


CHOICES = tuple(choice.value for choice in PlaylistChoice)


class DiffRowKind(StrEnum):
    """Where a line of a conflict's diff is: in both versions, only in A, only in B."""

    SAME = "same"
    A = "a"
    B = "b"


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One line of a conflict's diff: in both versions (``same``), only in A, or only in B."""

    kind: DiffRowKind
    a: str | None
    b: str | None


def diff_rows(a: tuple[ConflictEntry, ...], b: tuple[ConflictEntry, ...]) -> list[DiffRow]:
    """A line diff of the two versions by entry key (the longest common runs line up)."""
    a_keys = [entry.key for entry in a]
    b_keys = [entry.key for entry in b]
    rows: list[DiffRow] = []
    matcher = SequenceMatcher(a=a_keys, b=b_keys, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffRow(DiffRowKind.SAME, a[i].label, b[j].label)
                for i, j in zip(range(a_start, a_end), range(b_start, b_end), strict=True)
            )
            continue
        rows.extend(DiffRow(DiffRowKind.A, a[i].label, None) for i in range(a_start, a_end))
        rows.extend(DiffRow(DiffRowKind.B, None, b[j].label) for j in range(b_start, b_end))
    return rows


@dataclass(frozen=True, slots=True)
class PlaylistLinkView:
    link: LinkRecord
    a_name: str
    b_name: str
    pairs: list[PlaylistPairRecord]
    open_conflicts: int


class PlaylistsReview:
    def __init__(
        self, repository: PlaylistRepositoryPort, libraries: LibraryRepositoryPort
    ) -> None:
        self._repository = repository
        self._libraries = libraries

    def links(self) -> list[PlaylistLinkView]:
        """Every playlists link with its pairs and the number of open conflicts."""
        names = {library.id: library.name for library in self._libraries.libraries()}
        views: list[PlaylistLinkView] = []
        for link in self._libraries.links(kind="playlists"):
            _, open_conflicts = self._repository.conflicts(link_id=link.id, limit=1)
            views.append(
                PlaylistLinkView(
                    link=link,
                    a_name=names.get(link.library_a_id, f"library {link.library_a_id}"),
                    b_name=names.get(link.library_b_id, f"library {link.library_b_id}"),
                    pairs=self._repository.pairs(link.id),
                    open_conflicts=open_conflicts,
                )
            )
        return views

    def conflicts(
        self,
        *,
        status: str | None = "open",
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[PlaylistConflictRecord], int]:
        return self._repository.conflicts(
            status=status, link_id=link_id, limit=limit, offset=offset
        )

    def conflict(self, conflict_id: int) -> PlaylistConflictRecord:
        return self._repository.conflict(conflict_id)

    def resolve(self, conflict_id: int, choice: str) -> PlaylistConflictRecord:
        """Record a person's choice; the link's next run applies it (see the module doc)."""
        if choice not in CHOICES:
            raise InvalidInput(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
        conflict = self._repository.conflict(conflict_id)
        if conflict.status != "open":
            raise InvalidInput(f"playlist conflict {conflict_id} is already {conflict.status}")
        if choice == PlaylistChoice.SKIP:
            return self._repository.finish_conflict(
                conflict_id, status="skipped", resolution=choice
            )
        loser = conflict.b_entries if choice == PlaylistChoice.KEEP_A else conflict.a_entries
        self._repository.update_pair(conflict.pair_id, baseline=[entry.key for entry in loser])
        return self._repository.finish_conflict(conflict_id, status="resolved", resolution=choice)


# --- the plan of a run, per playlist ---------------------------------------------------------

PLAYLIST_ACTIONS = frozenset(
    {
        PlaylistsEvent.PLAYLIST_CREATE,
        PlaylistsEvent.PLAYLIST_UPDATE,
        PlaylistsEvent.PLAYLIST_DELETE,
        PlaylistsEvent.PLAYLIST_KEPT,
        PlaylistsEvent.PLAYLIST_SKIPPED,
        PlaylistsEvent.PLAYLIST_FORGOTTEN,
        PlaylistsEvent.CONFLICT,
        PlaylistsEvent.CONFLICT_SETTLED,
        PlaylistsEvent.ERROR,
    }
)


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One event of a run as a line of a playlist's plan."""

    action: str
    level: str
    before: str | None
    after: str | None
    detail: str | None


@dataclass
class PlaylistPlan:
    """What a run did (or, dry, would do) to one playlist, from the run's events."""

    title: str
    notes: list[PlanLine] = field(default_factory=list)
    added: list[PlanLine] = field(default_factory=list)
    removed: list[PlanLine] = field(default_factory=list)
    moved: list[PlanLine] = field(default_factory=list)
    unmatched: list[PlanLine] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.removed) + len(self.moved)


_ENTRY_LISTS: dict[str, str] = {
    PlaylistsEvent.ENTRY_ADDED: "added",
    PlaylistsEvent.ENTRY_REMOVED: "removed",
    PlaylistsEvent.ENTRY_MOVED: "moved",
    PlaylistsEvent.ENTRY_UNMATCHED: "unmatched",
}


def plan_by_playlist(events: Iterable[JobEventRecord]) -> list[PlaylistPlan]:
    """A run's events grouped per playlist (by event subject), in the order first seen."""
    plans: dict[str, PlaylistPlan] = {}
    for event in events:
        target = _ENTRY_LISTS.get(event.action)
        if target is None and event.action not in PLAYLIST_ACTIONS:
            continue
        plan = plans.setdefault(event.subject, PlaylistPlan(event.subject))
        line = PlanLine(event.action, event.level.value, event.before, event.after, event.detail)
        lines: list[PlanLine] = getattr(plan, target) if target else plan.notes
        lines.append(line)
    return list(plans.values())
