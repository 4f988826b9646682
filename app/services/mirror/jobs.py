"""The ``mirror`` job kind: a run of a mirror link (movie folder A → movie folder B), and the
diff document for ``POST /api/v1/diffs``.

Per-file events are stored except ``skip`` (counted only: a library of 10,000 movies has
55,000 unchanged files). After a real run the changed target folders are rescanned by the
link's refresh library (``refresh_library_id``: a Plex library, or a Jellyfin server told of
the changed folders), through its path mappings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain.errors import InvalidInput, PathOutsideRoots, SetupError
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import LinkKind
from app.domain.mirror.reconcile import MirrorAction
from app.services.jobs.context import JobCancelled, JobContext
from app.services.jobs.kinds import JobKind
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.configs import MirrorLinkOptions, MovieFolderConfig
from app.services.libraries.kinds import (
    JellyfinClientFactory,
    KindRegistry,
    PlexClientFactory,
    RefreshClients,
)
from app.services.mirror.documents import diff_document, under
from app.services.mirror.model import (
    EXIT_FOLDER_CLASH,
    EXIT_SETUP_ERROR,
    MirrorRequest,
    SyncOutcome,
)
from app.services.mirror.service import diff, sync
from app.services.ports import LibraryRepositoryPort

MIRROR = "mirror"


class MirrorCounter(StrEnum):
    """The counters of a mirror job."""

    MOVIES_TOTAL = "movies_total"
    MOVIES_PROCESSED = "movies_processed"
    FILES_UPDATED = "files_updated"
    FILES_SKIPPED = "files_skipped"
    FILES_REMOVED = "files_removed"
    ITEMS_IGNORED = "items_ignored"
    CLASHES = "clashes"
    STRAYS_IN_TARGET = "strays_in_target"
    ERRORS = "errors"


class MirrorJobEvent(StrEnum):
    """The events of a mirror job besides the per-file ones (``MirrorAction``)."""

    IGNORED = "ignored"
    REFRESH_FAILED = "refresh_failed"


_SUMMARY_COUNTERS: tuple[tuple[str, MirrorCounter], ...] = (
    ("movies_total", MirrorCounter.MOVIES_TOTAL),
    ("movies_processed", MirrorCounter.MOVIES_PROCESSED),
    ("files_updated", MirrorCounter.FILES_UPDATED),
    ("files_removed", MirrorCounter.FILES_REMOVED),
    ("remove_errors", MirrorCounter.ERRORS),
    ("item_errors", MirrorCounter.ERRORS),
    ("clashes", MirrorCounter.CLASHES),
    ("strays_in_target", MirrorCounter.STRAYS_IN_TARGET),
)
"""Which field of the run's summary goes to which job counter (when it is not zero)."""


def parse_mirror_params(raw: dict[str, Any] | Any) -> dict[str, Any]:
    if raw:
        raise InvalidInput("a mirror run takes no parameters (the link holds its options)")
    return {}


class _JobReporter:
    """The mirror's events into a job's context: ``skip`` is counted, not stored; a stray's
    context (``after``) stands in for a missing detail. Remembers a cancellation."""

    def __init__(self, ctx: JobContext) -> None:
        self._ctx = ctx
        self.cancelled = False

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        self._ctx.progress(phase, done, total)

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
        if action == MirrorAction.SKIP:
            self._ctx.counter(MirrorCounter.FILES_SKIPPED)
            return
        self._ctx.event(
            action,
            subject,
            level=level,
            before=before,
            detail=detail or (None if after is None else str(after)),
        )

    def counter(self, name: str, n: int = 1) -> None:
        self._ctx.counter(name, n)

    def check_cancelled(self) -> None:
        try:
            self._ctx.check_cancelled()
        except JobCancelled:
            self.cancelled = True
            raise


class MirrorJobs:
    def __init__(
        self,
        libraries: LibraryRepositoryPort,
        plex_client: PlexClientFactory,
        kinds: KindRegistry | None = None,
        jellyfin_client: JellyfinClientFactory | None = None,
    ) -> None:
        self._libraries = libraries
        self._clients = RefreshClients(plex_client, jellyfin_client)
        self._kinds = kinds if kinds is not None else builtin_kind_registry()

    def request(self, link: LinkRecord, *, dry_run: bool) -> MirrorRequest:
        if link.kind != LinkKind.MIRROR:
            raise InvalidInput(f"link {link.id} is a {link.kind} link, not a mirror link")
        source = self._libraries.library(link.library_a_id)
        target = self._libraries.library(link.library_b_id)
        options = MirrorLinkOptions.model_validate(link.options)
        source_config = MovieFolderConfig.model_validate(source.config)
        target_config = MovieFolderConfig.model_validate(target.config)
        return MirrorRequest(
            source=Path(source_config.root),
            target=Path(target_config.root),
            source_format=_choice(options.source_format, source_config.layout),
            target_format=_choice(options.target_format, target_config.layout),
            mode=options.materializer,
            dry_run=dry_run,
            delete=options.delete,
            create=True,
        )

    def run(self, ctx: JobContext) -> None:
        if ctx.link_id is None:
            raise SetupError(f"mirror job {ctx.job_id} has no link")
        link = self._libraries.link(ctx.link_id)
        request = self.request(link, dry_run=ctx.dry_run)
        options = MirrorLinkOptions.model_validate(link.options)
        reporter = _JobReporter(ctx)
        refresh = None
        if options.refresh_library_id is not None and not ctx.dry_run:
            refresh = self._refresher(self._libraries.library(options.refresh_library_id))
        outcome = sync(request, reporter, on_changed=refresh)
        _report_ignored(ctx, outcome)
        summary = outcome.summary
        for field_name, counter in _SUMMARY_COUNTERS:
            value = getattr(summary, field_name)
            if value:
                ctx.counter(counter, value)
        if outcome.refresh_error is not None:
            ctx.event(
                MirrorJobEvent.REFRESH_FAILED,
                str(request.target),
                level="warning",
                detail=str(outcome.refresh_error),
            )
        if reporter.cancelled or outcome.cancelled:
            raise JobCancelled
        if outcome.error is not None:
            raise outcome.error
        if outcome.exit_code == EXIT_FOLDER_CLASH:
            raise SetupError("two source folders map to one target folder; nothing was written")
        if outcome.exit_code == EXIT_SETUP_ERROR:
            raise SetupError("the mirror could not start; see the events")

    def _refresher(self, library: LibraryRecord) -> Callable[[Sequence[Path]], None]:
        refresh = self._kinds.entry(library.kind).refresh
        if refresh is None:
            raise InvalidInput(f"library {library.name!r} ({library.kind}) cannot be refreshed")
        secret = (
            self._libraries.secret(library.id) if self._kinds.entry(library.kind).secret else None
        )
        return refresh(library, secret, self._clients)

    def diff_link(self, link_id: int) -> dict[str, object]:
        link = self._libraries.link(link_id)
        request = self.request(link, dry_run=True)
        return diff_document(diff(request), request)

    def diff_paths(
        self, source: str, target: str, *, source_format: str = "auto", target_format: str = "auto"
    ) -> dict[str, object]:
        """A diff of two folders, each inside a configured movie library's root."""
        roots = [
            MovieFolderConfig.model_validate(library.config).root
            for library in self._libraries.libraries(kind=LibraryKind.MOVIE_FOLDER)
        ]
        for path in (source, target):
            _confine(path, roots)
        request = MirrorRequest(
            source=Path(source),
            target=Path(target),
            source_format=_choice(source_format, "auto"),
            target_format=_choice(target_format, "auto"),
            dry_run=True,
        )
        return diff_document(diff(request), request)

    def kind(self) -> JobKind:
        return JobKind(
            name=MIRROR,
            title="Movie mirror",
            handler=self.run,
            lock_key=MIRROR,
            parse_params=parse_mirror_params,
        )


def _report_ignored(ctx: JobContext, outcome: SyncOutcome) -> None:
    """One ``ignored`` event per source entry the plan left out: a warning for hazards (special
    files, symlinks not followed, unreadable folders), else for information."""
    if outcome.plan is None:
        return
    for item in outcome.plan.ignored:
        ctx.event(
            MirrorJobEvent.IGNORED,
            under(outcome.source_root, item.path),
            level="info" if item.kind is None else "warning",
            detail=item.reason,
        )
    if outcome.plan.ignored:
        ctx.counter(MirrorCounter.ITEMS_IGNORED, len(outcome.plan.ignored))


def _choice(option: str, layout: str) -> Any:
    """The link's explicit format wins; else the library's layout; else detect."""
    return option if option != "auto" else layout


def _confine(path: str, roots: Sequence[str]) -> None:
    if not os.path.isabs(path):
        raise InvalidInput(f"{path!r} is not an absolute path")
    real = os.path.realpath(path)
    for root in roots:
        real_root = os.path.realpath(root)
        if real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep):
            return
    raise PathOutsideRoots("the path is not inside a configured movie library's root", path=path)
