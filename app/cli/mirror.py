"""``crossfade mirror sync|diff|plan``: the movie library mirror, compatible with the command
line, the exit codes and the ``--json`` documents of jellyplex-sync 0.5.0 (a superset).

Logs go to stderr (``LEVEL: time -- message``); under ``--json`` they are quieted to warnings
unless ``-v``/``--debug``, and the document goes to stdout. The sync document is streamed:
each event is written as it happens (one compact line each), the summary follows the events,
so memory stays flat however large the library.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import typer

from app.domain.mirror import MirrorPlan, Mode, PlannedAsset, PlannedFile, PlannedMovie
from app.domain.movies import METADATA_SUFFIXES, Loss, printable
from app.services.mirror import (
    DEFAULT_MAX_SHRINK,
    EXIT_CANCELLED,
    DiffOutcome,
    FormatChoice,
    MirrorEvent,
    MirrorRequest,
    PlanOutcome,
    SyncOutcome,
)
from app.services.mirror import diff as run_diff
from app.services.mirror import plan as run_plan
from app.services.mirror import sync as run_sync

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


def _run(command: Any, debug: bool) -> int:
    """The boundary: anything unexpected becomes exit code 99 (10 for an interrupt).

    The cyclic garbage collector is off for the command: it is a short-lived process whose
    large snapshots hold no cycles, and a collection over them costs seconds for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        code: int = command()
    except KeyboardInterrupt:
        log.info("INTERRUPTED")
        return EXIT_CANCELLED
    except Exception as exc:
        log.error("Exception: %s", exc, exc_info=debug)
        return EXIT_UNEXPECTED
    finally:
        if was_enabled:
            gc.enable()
    return code


def _text(path: str | Path) -> str:
    return printable(str(path))


def _under(root: Path, relative: str) -> str:
    return _text(f"{root}/{relative}" if relative else root)


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
            self.lines.write(f"Keeping '{_text(event.target)}': {event.detail}", "WARNING")
            return
        if action == "error":
            self.lines.write(f"Failed: '{_text(event.target)}': {event.detail}", "WARNING")
            return
        if not self.info:
            return
        if action == "skip":
            if self.verbose:
                self.lines.write(f"Target '{_text(_leaf(event.target))}' is up to date")
        elif self.dry_run:
            word = "DELETE" if action == "remove" else action.upper()
            self.lines.write(f"{word.ljust(6)} {_text(event.target)}")
        elif action == "remove":
            self.lines.write(f"Removing stray item '{_text(_leaf(event.target))}'")
        else:
            verb = "Linking" if action == "link" else "Replacing"
            source = _text(_leaf(event.source or ""))
            self.lines.write(f"{verb} '{source}' → '{_text(_leaf(event.target))}'")


def _event_payload(event: MirrorEvent) -> dict[str, str]:
    item = {"action": event.action, "target": _text(event.target)}
    if event.source is not None:
        item["source"] = _text(event.source)
    if event.context is not None:
        item["context"] = event.context
    if event.detail is not None:
        item["detail"] = _text(event.detail)
    return item


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
        self.stream.item(_event_payload(event))
        super().event(event)


# --------------------------------------------------------------------------------------------
# payloads shared by the documents
# --------------------------------------------------------------------------------------------


def _endpoint(path: Path, fmt: str | None) -> dict[str, str]:
    return {"path": _text(path), "format": fmt or "?"}


def _loss(loss: Loss) -> dict[str, object]:
    return {"kind": loss.kind, "key": loss.key, "value": loss.value, "reason": loss.reason}


def _common_lists(
    plan: MirrorPlan | None, source: Path, target: Path, marked_root: str | None = None
) -> dict[str, list[Any]]:
    """The lists every document has, keyed by their names in the document."""
    if plan is None:
        return {
            "ignored": [],
            "marked_in_source": [_text(source)] if marked_root == "source" else [],
            "marked_in_target": [_text(target)] if marked_root == "target" else [],
            "translation_losses": [],
            "undecodable_names": [],
        }
    return {
        "ignored": [
            {"path": _under(source, i.path), "name": _text(i.name), "reason": i.reason}
            for i in plan.ignored
        ],
        "marked_in_source": [_under(source, p) for p in plan.marked_in_source],
        "marked_in_target": [_under(target, p) for p in plan.marked_in_target],
        "translation_losses": [_loss(loss) for loss in plan.losses()],
        "undecodable_names": [_under(source, p) for p in plan.undecodable],
    }


def _clashes(plan: MirrorPlan | None) -> list[dict[str, object]]:
    if plan is None:
        return []
    return [
        {
            "movie_folder": _text(c.movie_folder),
            "target_filename": _text(c.target_filename),
            "source_filenames": [_text(n) for n in c.source_filenames],
        }
        for c in plan.clashes
    ]


def _folder_clashes(plan: MirrorPlan | None) -> list[dict[str, object]]:
    if plan is None:
        return []
    return [
        {
            "target_folder_name": _text(c.target_folder_name),
            "source_folder_names": [_text(n) for n in c.source_folder_names],
        }
        for c in plan.folder_clashes
    ]


# --------------------------------------------------------------------------------------------
# sync
# --------------------------------------------------------------------------------------------


def _sync_document_tail(stream: JsonStream, outcome: SyncOutcome, request: MirrorRequest) -> None:
    summary = outcome.summary
    stream.key("exit_code", outcome.exit_code)
    stream.key("source", _endpoint(request.source, outcome.source_format))
    stream.key("target", _endpoint(request.target, outcome.target_format))
    stream.key(
        "summary",
        {
            "movies_total": summary.movies_total,
            "movies_processed": summary.movies_processed,
            "files_updated": summary.files_updated,
            "files_removed": summary.files_removed,
            "remove_errors": summary.remove_errors,
            "items_ignored": summary.items_ignored,
            "strays_in_target": summary.strays_in_target,
            "clashes": summary.clashes,
            "marked_in_source": summary.marked_in_source + (outcome.marked_root == "source"),
            "marked_in_target": summary.marked_in_target + (outcome.marked_root == "target"),
            "files_skipped": summary.files_skipped,
            "movies_settled": summary.movies_settled,
            "removals_refused": summary.removals_refused,
            "item_errors": summary.item_errors,
        },
    )
    lists = _common_lists(
        outcome.plan, outcome.source_root, outcome.target_root, outcome.marked_root
    )
    for name in ("ignored", "marked_in_source", "marked_in_target"):
        stream.key(name, lists[name])
    stream.key("strays_in_target", [_text(s) for s in outcome.strays_in_target])
    stream.key("translation_losses", lists["translation_losses"])
    stream.key("clashes", _clashes(outcome.plan))
    stream.key("folder_clashes", _folder_clashes(outcome.plan))
    stream.key("nested_strays", [_under(outcome.target_root, p) for p in outcome.nested_strays])
    stream.key("undecodable_names", lists["undecodable_names"])
    stream.key("changed_folders", [_text(p) for p in outcome.changed_folders])
    stream.key("error", _text(str(outcome.error)) if outcome.error is not None else None)


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
            log.info("  '%s' (%s)", _text(item.path), item.reason)
    if plan is not None and (plan.marked_in_source or plan.marked_in_target):
        count = len(plan.marked_in_source) + len(plan.marked_in_target)
        log.info("%d folder(s) skipped because they contain an ignore marker", count)
    if plan is not None and plan.undecodable:
        log.warning("%d name(s) are not valid UTF-8 (mirrored as they are):", len(plan.undecodable))
        for path in plan.undecodable:
            log.warning("  '%s'", _text(path))
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
        stream.key("operation", "sync")
        stream.key("dry_run", dry_run)
        stream.open_array("events")
        reporter = JsonReporter(stream, verbose=verbose, dry_run=dry_run)
        outcome = run_sync(request, reporter)
        reporter.close()
        stream.close_array()
        _sync_document_tail(stream, outcome, request)
        stream.close()
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


# --------------------------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------------------------


def _diff_document(outcome: DiffOutcome, request: MirrorRequest) -> dict[str, object]:
    report = outcome.report
    lists = _common_lists(
        outcome.plan, outcome.source_root, outcome.target_root, outcome.marked_root
    )
    return {
        "operation": "diff",
        "exit_code": outcome.exit_code,
        "source": _endpoint(request.source, outcome.source_format),
        "target": _endpoint(request.target, outcome.target_format),
        "in_sync": report.in_sync if report is not None else False,
        "movies_only_in_source": [
            {"source_folder": _text(m.source_folder), "expected_target": _text(m.expected_target)}
            for m in (report.movies_only_in_source if report else ())
        ],
        "movies_only_in_target": [
            _text(n) for n in (report.movies_only_in_target if report else ())
        ],
        "differing_movies": [
            {
                "target_movie_name": _text(d.target_movie_name),
                "only_in_source": [_text(n) for n in d.only_in_source],
                "only_in_target": [_text(n) for n in d.only_in_target],
                "differing": [_text(n) for n in d.differing],
            }
            for d in (report.differing_movies if report else ())
        ],
        **lists,
        "error": _text(str(outcome.error)) if outcome.error is not None else None,
    }


def _print_diff(outcome: DiffOutcome, request: MirrorRequest, out: IO[str]) -> None:
    report = outcome.report
    if report is None:
        return
    source_format = (outcome.source_format or "?").capitalize()
    target_format = (outcome.target_format or "?").capitalize()
    print(
        f"Comparing source '{_text(request.source)}' ({source_format}) "
        f"against target '{_text(request.target)}' ({target_format})",
        file=out,
    )
    print(file=out)
    if report.movies_only_in_source:
        print(f"Movies only in source ({len(report.movies_only_in_source)}):", file=out)
        for movie in report.movies_only_in_source:
            print(f"  + '{_text(movie.source_folder)}'", file=out)
            print(f"      → would be '{_text(movie.expected_target)}'", file=out)
        print(file=out)
    if report.movies_only_in_target:
        print(f"Movies only in target ({len(report.movies_only_in_target)}):", file=out)
        for name in report.movies_only_in_target:
            print(f"  - {_text(name)}", file=out)
        print(file=out)
    if report.differing_movies:
        print(f"Movies with file differences ({len(report.differing_movies)}):", file=out)
        for entry in report.differing_movies:
            print(f"  ~ {_text(entry.target_movie_name)}", file=out)
            for name in entry.only_in_source:
                print(f"      + {_text(name)}", file=out)
            for name in entry.only_in_target:
                print(f"      - {_text(name)}", file=out)
            for name in entry.differing:
                print(f"      ≠ {_text(name)}", file=out)
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
            print(f"  ! '{_text(item.path)}': {item.reason}", file=out)
        print(file=out)
    marked = [*(("source", p) for p in plan.marked_in_source)]
    marked += [("target", p) for p in plan.marked_in_target]
    if marked:
        print(f"Skipped because they contain an ignore marker ({len(marked)}):", file=out)
        for side, path in marked:
            print(f"  {side} '{_text(path)}'", file=out)
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
            _dump(_diff_document(outcome, request))
        else:
            _print_diff(outcome, request, sys.stdout)
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------


def _file_payload(planned: PlannedFile, source_root: Path) -> dict[str, object]:
    item: dict[str, object] = {
        "source": _under(source_root, planned.source),
        "target_name": _text(planned.target_name),
    }
    if planned.drops:
        item["drops"] = [_loss(loss) for loss in planned.drops]
    if planned.disambiguation is not None:
        item["disambiguation"] = {
            "strategy": planned.disambiguation.strategy,
            "detail": _text(planned.disambiguation.detail),
        }
    if planned.copy:
        item["copy"] = True
    return item


def _asset_payload(asset: PlannedAsset, source_root: Path) -> dict[str, object]:
    return {
        "source": _under(source_root, asset.source),
        "folder_name": _text(asset.folder_name),
        "files": [_file_payload(f, source_root) for f in asset.files],
        "subfolders": [_asset_payload(s, source_root) for s in asset.subfolders],
    }


def _movie_payload(movie: PlannedMovie, source_root: Path, target_root: Path) -> dict[str, object]:
    item: dict[str, object] = {
        "source_folder": _text(movie.source_folder),
        "source_path": _under(source_root, movie.source_folder),
        "target_folder": _text(movie.target_folder),
        "target_path": _under(target_root, movie.target_folder),
        "videos": [_file_payload(f, source_root) for f in movie.videos],
        "loose_files": [_file_payload(f, source_root) for f in movie.loose_files],
        "assets": [_asset_payload(a, source_root) for a in movie.assets],
    }
    if movie.extras:
        item["extras"] = [
            {**_file_payload(f, source_root), "target": _text(f.target)} for f in movie.extras
        ]
    if movie.folder_drops:
        item["folder_drops"] = [_loss(loss) for loss in movie.folder_drops]
    return item


def _write_plan_json(outcome: PlanOutcome, request: MirrorRequest, out: IO[bytes]) -> None:
    plan = outcome.plan
    stream = JsonStream(out)
    stream.open()
    stream.key("operation", "plan")
    stream.key("exit_code", outcome.exit_code)
    stream.key("source", _endpoint(request.source, outcome.source_format))
    stream.key("target", _endpoint(request.target, outcome.target_format))
    lists = _common_lists(plan, outcome.source_root, outcome.target_root, outcome.marked_root)
    stream.key(
        "summary",
        {
            "movies": len(plan.movies) if plan else 0,
            "folder_clashes": len(plan.folder_clashes) if plan else 0,
            "movie_clashes": len(plan.clashes) if plan else 0,
            "translation_losses": len(plan.losses()) if plan else 0,
            "ignored": len(plan.ignored) if plan else 0,
            "marked_in_source": len(lists["marked_in_source"]),
            "marked_in_target": len(lists["marked_in_target"]),
        },
    )
    stream.open_array("movies")
    for movie in plan.movies if plan else ():
        stream.item(_movie_payload(movie, outcome.source_root, outcome.target_root))
    stream.close_array()
    stream.key("folder_clashes", _folder_clashes(plan))
    stream.key("movie_clashes", _clashes(plan))
    for name in ("translation_losses", "ignored", "marked_in_source", "marked_in_target"):
        stream.key(name, lists[name])
    stream.key("undecodable_names", lists["undecodable_names"])
    stream.key("error", _text(str(outcome.error)) if outcome.error is not None else None)
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
        f"Plan for source '{_text(outcome.source_root)}' ({plan.source_format.capitalize()}) → "
        f"target '{_text(outcome.target_root)}' ({plan.target_format.capitalize()})",
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
            print(f"  ~ '{_text(movie.source_folder)}' → '{_text(movie.target_folder)}'", file=out)
            for video in movie.videos:
                line = f"      '{_text(_leaf(video.source))}' → '{_text(video.target_name)}'"
                if video.disambiguation is not None:
                    line += f"  [{video.disambiguation.strategy}]"
                print(line, file=out)
            for extra in movie.extras:
                target = extra.target.split("/", 1)[1]
                print(f"      extra '{_text(_leaf(extra.source))}' → '{_text(target)}'", file=out)
            if movie.loose_files:
                names = ", ".join(f"'{_text(f.target_name)}'" for f in movie.loose_files)
                print(f"      loose: {names}", file=out)
            for asset in movie.assets:
                count = asset.file_count()
                noun = "file" if count == 1 else "files"
                print(f"      assets: '{_text(asset.folder_name)}' ({count} {noun})", file=out)
        print(file=out)
    if plan.folder_clashes:
        print(f"Folder clashes ({len(plan.folder_clashes)}):", file=out)
        for clash in plan.folder_clashes:
            names = ", ".join(f"'{_text(n)}'" for n in clash.source_folder_names)
            print(f"  ! {names} → '{_text(clash.target_folder_name)}'", file=out)
        print(file=out)
    if plan.clashes:
        print(f"Movie clashes ({len(plan.clashes)}):", file=out)
        for movie_clash in plan.clashes:
            names = ", ".join(f"'{_text(n)}'" for n in movie_clash.source_filenames)
            print(
                f"  ! in '{_text(movie_clash.movie_folder)}': {names} → "
                f"'{_text(movie_clash.target_filename)}'",
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
