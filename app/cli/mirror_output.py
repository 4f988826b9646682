"""The mirror commands' output, compatible with jellyplex-sync 0.5.0: per-file lines on stderr
in the log's format, the summaries, the diff and plan texts on stdout, and the streamed
``--json`` documents (the documents' contents are :mod:`app.services.mirror.documents`)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO

from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import MirrorAction, StrayContext
from app.services.mirror.documents import (
    Fields,
    event_payload,
    movie_payload,
    plan_head,
    plan_tail,
    text,
)
from app.services.mirror.model import (
    DiffOutcome,
    MirrorEvent,
    MirrorRequest,
    PlanOutcome,
    SyncOutcome,
)

log = logging.getLogger("crossfade.mirror")

# --------------------------------------------------------------------------------------------
# reporters
# --------------------------------------------------------------------------------------------


def _leaf(path: str) -> str:
    return path.rsplit("/", 1)[-1]


class EventLines:
    """Per-file lines on stderr in the log's format, without the logging machinery: a first
    sync of a large library announces 50,000 files, and a ``LogRecord`` with a formatted time
    for each costs more than the sync's own work. Flushed at least every 0.2 s."""

    FLUSH_S = 0.2

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self._second = -1
        self._stamp = ""
        self._pending: list[str] = []
        self._flushed = time.monotonic()

    def _prefix(self, level: str) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{level}: {self._stamp},{int((now - second) * 1000):03d} -- "

    def write(self, message: str, level: str = "INFO") -> None:
        self._pending.append(f"{self._prefix(level)}{message}\n")
        if len(self._pending) >= 512 or time.monotonic() - self._flushed >= self.FLUSH_S:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.out.write("".join(self._pending))
            self._pending.clear()
        self.out.flush()
        self._flushed = time.monotonic()


def dry_run_word(action: str) -> str:
    """How a dry run names a change: ``LINK``, ``REPLACE``, ``DELETE`` (a removal)."""
    return "DELETE" if action == MirrorAction.REMOVE else action.upper()


class LogReporter:
    """Human output: one line per change (skips only with ``--verbose``) when the log level
    shows information, warnings for kept files and failures always."""

    def __init__(self, *, verbose: bool, dry_run: bool, lines: EventLines | None = None) -> None:
        self.verbose = verbose
        self.dry_run = dry_run
        self.lines = lines if lines is not None else EventLines(sys.stderr)
        self.info = log.isEnabledFor(logging.INFO)

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        if phase != "apply":
            log.debug("%s %d/%d", phase, done, total)

    def counter(self, name: str, n: int = 1) -> None:
        _ = (name, n)

    def check_cancelled(self) -> None:
        return None

    def close(self) -> None:
        self.lines.flush()

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
        if action == MirrorAction.KEEP:
            self.lines.write(f"Keeping '{text(subject)}': {detail}", "WARNING")
            return
        if action == MirrorAction.ERROR:
            self.lines.write(f"Failed: '{text(subject)}': {detail}", "WARNING")
            return
        if not self.info:
            return
        if action == MirrorAction.SKIP:
            if self.verbose:
                self.lines.write(f"Target '{text(_leaf(subject))}' is up to date")
        elif self.dry_run:
            self.lines.write(f"{dry_run_word(action).ljust(6)} {text(subject)}")
        elif action == MirrorAction.REMOVE and after == StrayContext.IMPORTED_SOURCE:
            self.lines.write(f"Removed source '{text(_leaf(subject))}'")
        elif action == MirrorAction.REMOVE:
            self.lines.write(f"Removing stray item '{text(_leaf(subject))}'")
        else:
            verb = "Linking" if action == MirrorAction.LINK else "Replacing"
            source = text(_leaf(str(before or "")))
            self.lines.write(f"{verb} '{source}' → '{text(_leaf(subject))}'")


class JsonStream:
    """Writes one JSON document to a byte stream, arrays item by item."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self._first_key = True
        self._first_item = True

    def _write(self, text: str) -> None:
        # Names are made printable before they get here; the error handler is a safety net.
        self.out.write(text.encode("utf-8", "backslashreplace"))

    def open(self) -> None:
        self._write("{")

    def fields(self, fields: Fields) -> None:
        for name, value in fields:
            self.key(name, value)

    def key(self, name: str, value: object) -> None:
        body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        self._write(f'{"" if self._first_key else ","}\n  "{name}": {body}')
        self._first_key = False

    def open_array(self, name: str) -> None:
        self._write(f'{"" if self._first_key else ","}\n  "{name}": [')
        self._first_key = False
        self._first_item = True

    def item(self, value: object) -> None:
        body = json.dumps(value, ensure_ascii=False)
        self._write(f"{'' if self._first_item else ','}\n    {body}")
        self._first_item = False

    def close_array(self) -> None:
        self._write("\n  ]" if not self._first_item else "]")

    def close(self) -> None:
        self._write("\n}\n")
        self.out.flush()


class JsonReporter(LogReporter):
    """Streams each event into the ``events`` array; logs like :class:`LogReporter` (which,
    under ``--json``, means warnings only unless ``-v``)."""

    def __init__(self, stream: JsonStream, *, verbose: bool, dry_run: bool) -> None:
        super().__init__(verbose=verbose, dry_run=dry_run)
        self.stream = stream

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
        reported = MirrorEvent.reported(action, subject, before=before, after=after, detail=detail)
        self.stream.item(event_payload(reported))
        super().event(action, subject, level=level, before=before, after=after, detail=detail)


def log_import_summary(outcome: SyncOutcome, *, move: bool) -> None:
    summary = outcome.summary
    log.info(
        "Summary: %d movies imported, %d files %s, %d ignored, %d skipped due to clash.",
        summary.movies_processed,
        summary.files_updated,
        "moved" if move else "copied",
        summary.items_ignored,
        summary.clashes,
    )
    plan = outcome.plan
    if plan is not None and plan.ignored:
        log.info("Ignored item(s) in source (not imported):")
        for item in plan.ignored:
            log.info("  '%s' (%s)", text(item.path), item.reason)
    if plan is not None and (plan.marked_in_source or plan.marked_in_target):
        count = len(plan.marked_in_source) + len(plan.marked_in_target)
        log.info("%d folder(s) skipped because they contain an ignore marker", count)
    if summary.item_errors or summary.remove_errors:
        log.warning(
            "%d item(s) failed and stay in the staging area (see the warnings above).",
            summary.item_errors + summary.remove_errors,
        )


def log_sync_summary(outcome: SyncOutcome, delete: bool) -> None:
    summary = outcome.summary
    strays_kept = summary.strays_in_target if not delete else 0
    log.info(
        "Summary: %d of %d movies synced, %d files updated, %d files removed, %d ignored, "
        "%d strays kept in target, %d skipped due to clash.",
        summary.movies_processed,
        summary.movies_total,
        summary.files_updated,
        summary.files_removed,
        summary.items_ignored,
        strays_kept,
        summary.clashes,
    )
    plan = outcome.plan
    if plan is not None and plan.ignored:
        log.info("Ignored item(s) — these are NOT in the target:")
        for item in plan.ignored:
            log.info("  '%s' (%s)", text(item.path), item.reason)
    if plan is not None and (plan.marked_in_source or plan.marked_in_target):
        count = len(plan.marked_in_source) + len(plan.marked_in_target)
        log.info("%d folder(s) skipped because they contain an ignore marker", count)
    if plan is not None and plan.undecodable:
        log.warning("%d name(s) are not valid UTF-8 (mirrored as they are):", len(plan.undecodable))
        for path in plan.undecodable:
            log.warning("  '%s'", text(path))
    if strays_kept:
        log.warning(
            "%d item(s) in target are not in the source library. Pass --delete to remove "
            "them (target then becomes a clean mirror).",
            strays_kept,
        )
    if summary.clashes:
        log.warning(
            "%d file(s) skipped because two or more source files map to the same target "
            "name. Rename one side and re-run.",
            summary.clashes,
        )
    if summary.removals_refused:
        log.warning(
            "%d stray file(s) kept: they are the last link to their data. Pass "
            "--delete-last-copies to remove them.",
            summary.removals_refused,
        )
    if summary.remove_errors or summary.item_errors:
        log.warning(
            "%d item(s) could not be removed and %d could not be written; see the warnings "
            "above, fix what blocks them and re-run.",
            summary.remove_errors,
            summary.item_errors,
        )


def print_diff(outcome: DiffOutcome, request: MirrorRequest, out: IO[str]) -> None:
    report = outcome.report
    if report is None:
        return
    source_format = (outcome.source_format or "?").capitalize()
    target_format = (outcome.target_format or "?").capitalize()
    print(
        f"Comparing source '{text(request.source)}' ({source_format}) "
        f"against target '{text(request.target)}' ({target_format})",
        file=out,
    )
    print(file=out)
    if report.movies_only_in_source:
        print(f"Movies only in source ({len(report.movies_only_in_source)}):", file=out)
        for movie in report.movies_only_in_source:
            print(f"  + '{text(movie.source_folder)}'", file=out)
            print(f"      → would be '{text(movie.expected_target)}'", file=out)
        print(file=out)
    if report.movies_only_in_target:
        print(f"Movies only in target ({len(report.movies_only_in_target)}):", file=out)
        for name in report.movies_only_in_target:
            print(f"  - {text(name)}", file=out)
        print(file=out)
    if report.differing_movies:
        print(f"Movies with file differences ({len(report.differing_movies)}):", file=out)
        for entry in report.differing_movies:
            print(f"  ~ {text(entry.target_movie_name)}", file=out)
            for name in entry.only_in_source:
                print(f"      + {text(name)}", file=out)
            for name in entry.only_in_target:
                print(f"      - {text(name)}", file=out)
            for name in entry.differing:
                print(f"      ≠ {text(name)}", file=out)
        print(file=out)
    print_common(outcome.plan, out)
    if report.in_sync:
        print("In sync. No differences found.", file=out)


def print_common(plan: MirrorPlan | None, out: IO[str]) -> None:
    if plan is None:
        return
    losses = plan.losses()
    if losses:
        print(f"Translation losses ({len(losses)} distinct):", file=out)
        for loss in losses:
            key = f"{loss.key}=" if loss.key else ""
            print(f"  ! {loss.kind} {key}{loss.value!r}: {loss.reason}", file=out)
        print(file=out)
    if plan.ignored:
        print(f"Ignored in source ({len(plan.ignored)}):", file=out)
        for item in plan.ignored:
            print(f"  ! '{text(item.path)}': {item.reason}", file=out)
        print(file=out)
    marked = [*(("source", p) for p in plan.marked_in_source)]
    marked += [("target", p) for p in plan.marked_in_target]
    if marked:
        print(f"Skipped because they contain an ignore marker ({len(marked)}):", file=out)
        for side, path in marked:
            print(f"  {side} '{text(path)}'", file=out)
        print(file=out)


def write_plan_json(outcome: PlanOutcome, request: MirrorRequest, out: IO[bytes]) -> None:
    stream = JsonStream(out)
    stream.open()
    stream.fields(plan_head(outcome, request))
    stream.open_array("movies")
    for movie in outcome.plan.movies if outcome.plan else ():
        stream.item(movie_payload(movie, outcome.source_root, outcome.target_root))
    stream.close_array()
    stream.fields(plan_tail(outcome))
    stream.close()


def print_plan(outcome: PlanOutcome, out: IO[str]) -> None:
    plan = outcome.plan
    if outcome.marked_root is not None:
        print(
            f"Empty plan: the {outcome.marked_root} library contains an ignore marker, a sync "
            "would change nothing. Delete that file to include the library.",
            file=out,
        )
        return
    if plan is None:
        return
    print(
        f"Plan for source '{text(outcome.source_root)}' ({plan.source_format.capitalize()}) → "
        f"target '{text(outcome.target_root)}' ({plan.target_format.capitalize()})",
        file=out,
    )
    print(file=out)
    if plan.locked is not None:
        print(
            f"Empty plan: the {plan.locked} library contains an ignore marker, a sync would "
            "change nothing. Delete that file to include the library.",
            file=out,
        )
        return
    _print_movies(plan, out)
    _print_clashes(plan, out)
    print_common(plan, out)
    if not (plan.movies or plan.folder_clashes or plan.clashes or plan.ignored):
        print("Empty plan. Nothing to sync.", file=out)


def _print_movies(plan: MirrorPlan, out: IO[str]) -> None:
    if plan.movies:
        print(f"Movies ({len(plan.movies)}):", file=out)
        for movie in plan.movies:
            print(f"  ~ '{text(movie.source_folder)}' → '{text(movie.target_folder)}'", file=out)
            for video in movie.videos:
                line = f"      '{text(_leaf(video.source))}' → '{text(video.target_name)}'"
                if video.disambiguation is not None:
                    line += f"  [{video.disambiguation.strategy}]"
                print(line, file=out)
            for extra in movie.extras:
                target = extra.target.split("/", 1)[1]
                print(f"      extra '{text(_leaf(extra.source))}' → '{text(target)}'", file=out)
            if movie.loose_files:
                names = ", ".join(f"'{text(f.target_name)}'" for f in movie.loose_files)
                print(f"      loose: {names}", file=out)
            for asset in movie.assets:
                count = asset.file_count()
                noun = "file" if count == 1 else "files"
                print(f"      assets: '{text(asset.folder_name)}' ({count} {noun})", file=out)
        print(file=out)


def _print_clashes(plan: MirrorPlan, out: IO[str]) -> None:
    if plan.folder_clashes:
        print(f"Folder clashes ({len(plan.folder_clashes)}):", file=out)
        for clash in plan.folder_clashes:
            names = ", ".join(f"'{text(n)}'" for n in clash.source_folder_names)
            print(f"  ! {names} → '{text(clash.target_folder_name)}'", file=out)
        print(file=out)
    if plan.clashes:
        print(f"Movie clashes ({len(plan.clashes)}):", file=out)
        for movie_clash in plan.clashes:
            names = ", ".join(f"'{text(n)}'" for n in movie_clash.source_filenames)
            print(
                f"  ! in '{text(movie_clash.movie_folder)}': {names} → "
                f"'{text(movie_clash.target_filename)}'",
                file=out,
            )
        print(file=out)


def dump(document: dict[str, object]) -> None:
    out = sys.stdout.buffer
    text = json.dumps(document, indent=2, ensure_ascii=False)
    out.write(text.encode("utf-8", "backslashreplace"))
    out.write(b"\n")
    out.flush()
