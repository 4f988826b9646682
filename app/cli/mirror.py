"""``crossfade mirror sync|diff|plan``: the movie library mirror, compatible with the command
line, the exit codes and the ``--json`` documents of jellyplex-sync 0.5.0 (a superset).

Logs go to stderr (``LEVEL: time -- message``); under ``--json`` they are quieted to warnings
unless ``-v``/``--debug``, and the document goes to stdout. The sync document is streamed:
each event is written as it happens (one compact line each), the summary follows the events,
so memory stays flat however large the library.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import IO

import typer

from app.adapters.gc_pause import paused_gc
from app.domain.mirror.naming import METADATA_SUFFIXES
from app.domain.mirror.planned import MirrorPlan
from app.domain.mirror.reconcile import Mode
from app.services.mirror.documents import (
    Fields,
    diff_document,
    event_payload,
    movie_payload,
    plan_head,
    plan_tail,
    sync_head,
    sync_tail,
    text,
)
from app.services.mirror.model import (
    DEFAULT_MAX_SHRINK,
    EXIT_CANCELLED,
    DiffOutcome,
    FormatChoice,
    MirrorEvent,
    MirrorRequest,
    PlanOutcome,
    SyncOutcome,
)
from app.services.mirror.service import diff as run_diff
from app.services.mirror.service import plan as run_plan
from app.services.mirror.service import sync as run_sync

log = logging.getLogger("crossfade.mirror")

EXIT_UNEXPECTED = 99

mirror_app = typer.Typer(
    name="mirror",
    help="Mirror a movie library between Jellyfin and Plex layouts (jellyplex-sync compatible).",
    no_args_is_help=True,
    add_completion=False,
)


class LibraryFormat(StrEnum):
    jellyfin = "jellyfin"
    plex = "plex"
    auto = "auto"


# --------------------------------------------------------------------------------------------
# options shared by the commands
# --------------------------------------------------------------------------------------------

SOURCE_ARG = typer.Argument(..., help="Source media library path.", show_default=False)
TARGET_ARG = typer.Argument(..., help="Target media library path.", show_default=False)
SOURCE_FORMAT = typer.Option(
    LibraryFormat.auto, "--source-format", help="Source library format ('auto' detects it)."
)
TARGET_FORMAT = typer.Option(
    LibraryFormat.auto,
    "--target-format",
    help="Target library format ('auto' picks the opposite of the source).",
)
JSON_OPT = typer.Option(False, "--json", help="Emit a machine-readable JSON document on stdout.")
VERBOSE = typer.Option(False, "-v", "--verbose", help="Show more information messages.")
DEBUG = typer.Option(False, "--debug", help="Show debug messages.")
HARDLINK = typer.Option(False, "--hardlink", help="Use hardlinks (default).")
COPY = typer.Option(False, "--copy", help="Copy; skip files whose size and mtime match.")
FORCE_COPY = typer.Option(False, "--force-copy", help="Always copy and replace.")
INDEX = typer.Option(
    None, "--index", help="Where to keep the index of the last run (default: TARGET/.crossfade)."
)
FULL_SCAN = typer.Option(
    False, "--full-scan", help="Read and compare everything, even movies the index shows unchanged."
)
METADATA = typer.Option(
    ",".join(sorted(METADATA_SUFFIXES)),
    "--metadata-suffixes",
    help="Comma-separated suffixes of small metadata files that are copied, never hardlinked.",
)


def _setup_logging(*, as_json: bool, verbose: bool, debug: bool) -> None:
    if debug:
        level = logging.DEBUG
    elif as_json and not verbose:
        level = logging.WARNING
    else:
        level = logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(asctime)s -- %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _mode(hardlink: bool, copy: bool, force_copy: bool) -> Mode:
    if hardlink + copy + force_copy > 1:
        raise typer.BadParameter("--hardlink, --copy and --force-copy are mutually exclusive")
    if copy:
        return "copy"
    if force_copy:
        return "force-copy"
    return "hardlink"


def _suffixes(text: str) -> frozenset[str]:
    items = (s.strip().lower() for s in text.split(","))
    return frozenset(s if s.startswith(".") else f".{s}" for s in items if s)


def _choice(value: LibraryFormat) -> FormatChoice:
    if value is LibraryFormat.plex:
        return "plex"
    if value is LibraryFormat.jellyfin:
        return "jellyfin"
    return "auto"


def _run(command: Callable[[], int], debug: bool) -> int:
    """The boundary: anything unexpected becomes exit code 99 (10 for an interrupt).

    The cyclic garbage collector is off for the command: it is a short-lived process whose
    large snapshots hold no cycles, and a collection over them costs seconds for nothing."""
    with paused_gc():
        try:
            code = command()
        except KeyboardInterrupt:
            log.info("INTERRUPTED")
            return EXIT_CANCELLED
        except Exception as exc:
            log.error("Exception: %s", exc, exc_info=debug)
            return EXIT_UNEXPECTED
    return code


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


class LogReporter:
    """Human output: one line per change (skips only with ``--verbose``) when the log level
    shows information, warnings for kept files and failures always."""

    def __init__(self, *, verbose: bool, dry_run: bool, lines: EventLines | None = None) -> None:
        self.verbose = verbose
        self.dry_run = dry_run
        self.lines = lines if lines is not None else EventLines(sys.stderr)
        self.info = log.isEnabledFor(logging.INFO)

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase != "apply":
            log.debug("%s %d/%d", phase, done, total)

    def is_cancelled(self) -> bool:
        return False

    def close(self) -> None:
        self.lines.flush()

    def event(self, event: MirrorEvent) -> None:
        action = event.action
        if action == "keep":
            self.lines.write(f"Keeping '{text(event.target)}': {event.detail}", "WARNING")
            return
        if action == "error":
            self.lines.write(f"Failed: '{text(event.target)}': {event.detail}", "WARNING")
            return
        if not self.info:
            return
        if action == "skip":
            if self.verbose:
                self.lines.write(f"Target '{text(_leaf(event.target))}' is up to date")
        elif self.dry_run:
            word = "DELETE" if action == "remove" else action.upper()
            self.lines.write(f"{word.ljust(6)} {text(event.target)}")
        elif action == "remove":
            self.lines.write(f"Removing stray item '{text(_leaf(event.target))}'")
        else:
            verb = "Linking" if action == "link" else "Replacing"
            source = text(_leaf(event.source or ""))
            self.lines.write(f"{verb} '{source}' → '{text(_leaf(event.target))}'")


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

    def event(self, event: MirrorEvent) -> None:
        self.stream.item(event_payload(event))
        super().event(event)


# --------------------------------------------------------------------------------------------
# sync
# --------------------------------------------------------------------------------------------


def _log_sync_summary(outcome: SyncOutcome, delete: bool) -> None:
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


@mirror_app.command("sync")
def sync_command(
    source: Path = SOURCE_ARG,
    target: Path = TARGET_ARG,
    source_format: LibraryFormat = SOURCE_FORMAT,
    target_format: LibraryFormat = TARGET_FORMAT,
    hardlink: bool = HARDLINK,
    copy: bool = COPY,
    force_copy: bool = FORCE_COPY,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be done only."),
    delete: bool = typer.Option(False, "--delete", help="Remove strays from the target."),
    create: bool = typer.Option(False, "--create", help="Create the target if it is missing."),
    delete_last_copies: bool = typer.Option(
        False,
        "--delete-last-copies",
        help="With --delete, also remove stray files that are the last link to their data.",
    ),
    max_shrink: float = typer.Option(
        DEFAULT_MAX_SHRINK * 100,
        "--max-shrink",
        min=0,
        max=100,
        help="Refuse --delete when the source lost more than this percentage of its movies "
        "since the last run.",
    ),
    as_json: bool = JSON_OPT,
    verbose: bool = VERBOSE,
    debug: bool = DEBUG,
    index: Path | None = INDEX,
    full_scan: bool = FULL_SCAN,
    metadata_suffixes: str = METADATA,
) -> None:
    """Mirror a source library into the target layout."""
    mode = _mode(hardlink, copy, force_copy)
    _setup_logging(as_json=as_json, verbose=verbose, debug=debug)
    request = MirrorRequest(
        source=source,
        target=target,
        source_format=_choice(source_format),
        target_format=_choice(target_format),
        mode=mode,
        dry_run=dry_run,
        delete=delete,
        create=create,
        delete_last_copies=delete_last_copies,
        max_shrink=max_shrink / 100,
        metadata_suffixes=_suffixes(metadata_suffixes),
        index_path=index,
        full_scan=full_scan,
    )

    def command() -> int:
        if not as_json:
            reporter = LogReporter(verbose=verbose, dry_run=dry_run)
            outcome = run_sync(request, reporter)
            reporter.close()
            if outcome.error is None:
                _log_sync_summary(outcome, delete)
            return outcome.exit_code
        stream = JsonStream(sys.stdout.buffer)
        stream.open()
        stream.fields(sync_head(dry_run))
        stream.open_array("events")
        reporter = JsonReporter(stream, verbose=verbose, dry_run=dry_run)
        outcome = run_sync(request, reporter)
        reporter.close()
        stream.close_array()
        stream.fields(sync_tail(outcome, request))
        stream.close()
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


# --------------------------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------------------------


def _print_diff(outcome: DiffOutcome, request: MirrorRequest, out: IO[str]) -> None:
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
    _print_common(outcome.plan, out)
    if report.in_sync:
        print("In sync. No differences found.", file=out)


def _print_common(plan: MirrorPlan | None, out: IO[str]) -> None:
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


@mirror_app.command("diff")
def diff_command(
    source: Path = SOURCE_ARG,
    target: Path = TARGET_ARG,
    source_format: LibraryFormat = SOURCE_FORMAT,
    target_format: LibraryFormat = TARGET_FORMAT,
    hardlink: bool = HARDLINK,
    copy: bool = COPY,
    force_copy: bool = FORCE_COPY,
    as_json: bool = JSON_OPT,
    verbose: bool = VERBOSE,
    debug: bool = DEBUG,
    index: Path | None = INDEX,
    full_scan: bool = FULL_SCAN,
    metadata_suffixes: str = METADATA,
) -> None:
    """Compare source and target without writing anything (exit 0 in sync, 1 differences)."""
    mode = _mode(hardlink, copy, force_copy)
    _setup_logging(as_json=as_json, verbose=verbose, debug=debug)
    request = MirrorRequest(
        source=source,
        target=target,
        source_format=_choice(source_format),
        target_format=_choice(target_format),
        mode=mode,
        metadata_suffixes=_suffixes(metadata_suffixes),
        index_path=index,
        full_scan=full_scan,
    )

    def command() -> int:
        outcome = run_diff(request)
        if as_json:
            _dump(diff_document(outcome, request))
        else:
            _print_diff(outcome, request, sys.stdout)
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------


def _write_plan_json(outcome: PlanOutcome, request: MirrorRequest, out: IO[bytes]) -> None:
    stream = JsonStream(out)
    stream.open()
    stream.fields(plan_head(outcome, request))
    stream.open_array("movies")
    for movie in outcome.plan.movies if outcome.plan else ():
        stream.item(movie_payload(movie, outcome.source_root, outcome.target_root))
    stream.close_array()
    stream.fields(plan_tail(outcome))
    stream.close()


def _print_plan(outcome: PlanOutcome, out: IO[str]) -> None:
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
    _print_common(plan, out)
    if not (plan.movies or plan.folder_clashes or plan.clashes or plan.ignored):
        print("Empty plan. Nothing to sync.", file=out)


@mirror_app.command("plan")
def plan_command(
    source: Path = SOURCE_ARG,
    target: Path = TARGET_ARG,
    source_format: LibraryFormat = SOURCE_FORMAT,
    target_format: LibraryFormat = TARGET_FORMAT,
    as_json: bool = JSON_OPT,
    verbose: bool = VERBOSE,
    debug: bool = DEBUG,
    metadata_suffixes: str = METADATA,
) -> None:
    """Show the plan a sync would carry out, without touching either library."""
    _setup_logging(as_json=as_json, verbose=verbose, debug=debug)
    request = MirrorRequest(
        source=source,
        target=target,
        source_format=_choice(source_format),
        target_format=_choice(target_format),
        metadata_suffixes=_suffixes(metadata_suffixes),
    )

    def command() -> int:
        outcome = run_plan(request)
        if as_json:
            _write_plan_json(outcome, request, sys.stdout.buffer)
        else:
            _print_plan(outcome, sys.stdout)
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


def _dump(document: dict[str, object]) -> None:
    out = sys.stdout.buffer
    text = json.dumps(document, indent=2, ensure_ascii=False)
    out.write(text.encode("utf-8", "backslashreplace"))
    out.write(b"\n")
    out.flush()


def main() -> None:
    """``python -m app.cli.mirror``: the mirror commands alone, without the other commands'
    imports (the benchmark runs it this way)."""
    mirror_app()


if __name__ == "__main__":
    main()
