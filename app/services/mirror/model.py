"""A mirror run's request and what it reports and returns: the :class:`MirrorRequest`, one
:class:`MirrorEvent` per file, the reporter the events go to, and the outcomes of a sync, a
diff and a plan with their exit codes (jellyplex-sync's)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.domain.errors import CrossfadeError
from app.domain.mirror.diff import DiffReport
from app.domain.mirror.naming import METADATA_SUFFIXES, Format
from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import MirrorAction, Mode, StrayContext

if TYPE_CHECKING:  # the CLI imports this module: no runtime cost for a protocol
    from app.services.ports import Reporter

FormatChoice = Literal["plex", "jellyfin", "auto"]
Side = Literal["source", "target"]

STATE_DIR = ".crossfade"
INDEX_NAME = "mirror-index.json"
LOCK_NAME = "mirror.lock"

EXIT_OK = 0
EXIT_SETUP_ERROR = 1
EXIT_FOLDER_CLASH = 2
EXIT_ITEM_ERRORS = 3
EXIT_CANCELLED = 10
DIFF_IN_SYNC = 0
DIFF_DIFFERENT = 1
DIFF_SETUP_ERROR = 2
PLAN_OK = 0
PLAN_SETUP_ERROR = 2

DEFAULT_MAX_SHRINK = 0.25


@dataclass(frozen=True)
class MirrorRequest:
    """One mirror run. ``max_shrink`` is the fraction of the last run's movies the source may
    lose before ``--delete`` is refused; ``full_scan`` walks and plans everything even when
    the index says a movie is unchanged."""

    source: Path
    target: Path
    source_format: FormatChoice = "auto"
    target_format: FormatChoice = "auto"
    mode: Mode = "hardlink"
    dry_run: bool = False
    delete: bool = False
    create: bool = False
    delete_last_copies: bool = False
    max_shrink: float = DEFAULT_MAX_SHRINK
    metadata_suffixes: frozenset[str] = METADATA_SUFFIXES
    index_path: Path | None = None
    full_scan: bool = False


@dataclass(frozen=True, slots=True)
class MirrorEvent:
    """One per file: ``link``, ``replace``, ``skip``, ``remove`` (with ``context``
    ``library_stray``/``movie_stray``/``asset_stray``), ``keep`` (a stray kept because it is
    the last link to its data) and ``error`` (``detail`` says why). Paths are absolute."""

    action: MirrorAction
    target: str
    source: str | None = None
    context: StrayContext | None = None
    detail: str | None = None

    @classmethod
    def reported(
        cls,
        action: str,
        subject: str,
        *,
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> MirrorEvent:
        """The event as :func:`report` handed it to a jobs-level ``Reporter``."""
        return cls(
            MirrorAction(action),
            subject,
            None if before is None else str(before),
            None if after is None else StrayContext(str(after)),
            detail,
        )


def report(reporter: Reporter, event: MirrorEvent) -> None:
    """Hand ``event`` to the jobs-level reporter (``app.services.ports.Reporter``): the target
    is the subject, the source file goes in ``before``, the stray context in ``after``; errors
    at level ``error``, the rest at ``info``."""
    reporter.event(
        event.action,
        event.target,
        level="error" if event.action is MirrorAction.ERROR else "info",
        before=event.source,
        after=event.context,
        detail=event.detail,
    )


class NullReporter:
    """Discards everything; never cancels."""

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        _ = (phase, done, total)

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        _ = (action, subject, level, before, after, detail)

    def counter(self, name: str, n: int = 1) -> None:
        _ = (name, n)

    def check_cancelled(self) -> None:
        return None


ChangedFolders = Callable[[Sequence[Path]], None]
"""Port: told the target movie folders a real run changed (e.g. a Plex partial refresh)."""


@dataclass(frozen=True)
class SyncSummary:
    movies_total: int = 0
    movies_processed: int = 0
    movies_settled: int = 0
    files_updated: int = 0
    files_skipped: int = 0
    files_removed: int = 0
    remove_errors: int = 0
    removals_refused: int = 0
    item_errors: int = 0
    items_ignored: int = 0
    strays_in_target: int = 0
    clashes: int = 0
    marked_in_source: int = 0
    marked_in_target: int = 0
    sources_removed: int = 0
    """Staged videos an import moved (removed from the staging area once their copy was
    verified)."""


@dataclass(frozen=True)
class SyncOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    dry_run: bool
    source_format: Format | None = None
    target_format: Format | None = None
    summary: SyncSummary = field(default_factory=SyncSummary)
    plan: MirrorPlan | None = None
    strays_in_target: tuple[str, ...] = ()
    nested_strays: tuple[str, ...] = ()
    changed_folders: tuple[Path, ...] = ()
    error: CrossfadeError | None = None
    refresh_error: CrossfadeError | None = None
    cancelled: bool = False
    marked_root: Side | None = None


@dataclass(frozen=True)
class DiffOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    source_format: Format | None = None
    target_format: Format | None = None
    report: DiffReport | None = None
    plan: MirrorPlan | None = None
    error: CrossfadeError | None = None
    marked_root: Side | None = None


@dataclass(frozen=True)
class PlanOutcome:
    exit_code: int
    source_root: Path
    target_root: Path
    source_format: Format | None = None
    target_format: Format | None = None
    plan: MirrorPlan | None = None
    error: CrossfadeError | None = None
    marked_root: Side | None = None
