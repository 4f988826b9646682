"""``crossfade mirror sync|diff|plan|import``: the movie library mirror, compatible with the
command line, the exit codes and the ``--json`` documents of jellyplex-sync 0.5.0 (a superset).
``crossfade mirror SRC DST`` (no command) is ``crossfade mirror sync SRC DST``, as
``jellyplex-sync SRC DST`` is ``jellyplex sync SRC DST``.

Logs go to stderr (``LEVEL: time -- message``); under ``--json`` they are quieted to warnings
unless ``-v``/``--debug``, and the document goes to stdout. The sync document is streamed:
each event is written as it happens (one compact line each), the summary follows the events,
so memory stays flat however large the library.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from app.adapters.gc_pause import paused_gc
from app.cli.mirror_jellyfin import jellyfin_check_command
from app.cli.mirror_output import (
    JsonReporter,
    JsonStream,
    LogReporter,
    dump,
    log_import_summary,
    log_sync_summary,
    print_diff,
    print_plan,
    write_plan_json,
)
from app.cli.mirror_plan import PlanTally, print_mirror_plan
from app.cli.plan_options import ALL, LIMIT
from app.cli.progress import PROGRESS, ShowingProgress, progress_display, progress_mode
from app.domain.mirror.naming import METADATA_SUFFIXES
from app.domain.mirror.reconcile import Mode
from app.services.mirror.documents import (
    diff_document,
    import_tail,
    sync_head,
    sync_tail,
)
from app.services.mirror.importing import import_media
from app.services.mirror.model import (
    DEFAULT_MAX_SHRINK,
    EXIT_CANCELLED,
    FormatChoice,
    MirrorRequest,
)
from app.services.mirror.service import diff as run_diff
from app.services.mirror.service import plan as run_plan
from app.services.mirror.service import sync as run_sync

log = logging.getLogger("crossfade.mirror")

EXIT_UNEXPECTED = 99

HELP_FLAGS = frozenset({"--help", "-h"})


class SyncByDefault(TyperGroup):
    """A command group whose arguments, when they do not start with one of its commands (or
    ask for help), are ``sync``'s: ``crossfade mirror SRC DST`` = ``crossfade mirror sync``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in HELP_FLAGS:
            args = ["sync", *args]
        return super().parse_args(ctx, args)


mirror_app = typer.Typer(
    name="mirror",
    cls=SyncByDefault,
    help="Mirror a movie library between Jellyfin and Plex layouts (jellyplex-sync compatible). "
    "Without a command, the arguments are sync's: 'mirror SRC DST' = 'mirror sync SRC DST'.",
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
# sync
# --------------------------------------------------------------------------------------------


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
    progress: bool = PROGRESS,
    limit: int = LIMIT,
    show_all: bool = ALL,
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
            with progress_display(progress_mode(progress)) as display:
                reporter = LogReporter(verbose=verbose, dry_run=dry_run)
                tally = PlanTally.for_run(
                    ShowingProgress(reporter, display),
                    limit=limit,
                    show_all=show_all,
                    dry_run=dry_run,
                )
                outcome = run_sync(request, tally)
                reporter.close()
            if outcome.error is None:
                log_sync_summary(outcome, delete)
                if dry_run:
                    print_mirror_plan(tally, outcome, mode=mode, delete=delete)
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
            dump(diff_document(outcome, request))
        else:
            print_diff(outcome, request, sys.stdout)
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------


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
            write_plan_json(outcome, request, sys.stdout.buffer)
        else:
            print_plan(outcome, sys.stdout)
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


# --------------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------------


@mirror_app.command("import")
def import_command(
    source: Path = typer.Argument(
        ..., help="Staging area: loose videos, flat or in any folders.", show_default=False
    ),
    target: Path = TARGET_ARG,
    source_format: LibraryFormat = SOURCE_FORMAT,
    target_format: LibraryFormat = TARGET_FORMAT,
    move: bool = typer.Option(
        False, "--move", help="Copy into the library, then delete each verified source (default)."
    ),
    copy: bool = typer.Option(
        False, "--copy", help="Copy; keep the source. Skip files whose size and mtime match."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be done only."),
    create: bool = typer.Option(False, "--create", help="Create the target if it is missing."),
    as_json: bool = JSON_OPT,
    verbose: bool = VERBOSE,
    debug: bool = DEBUG,
    metadata_suffixes: str = METADATA,
    limit: int = LIMIT,
    show_all: bool = ALL,
) -> None:
    """Import videos from a staging area into a library, grouped into movies by file name."""
    if move and copy:
        raise typer.BadParameter("--move and --copy are mutually exclusive")
    moving = not copy
    _setup_logging(as_json=as_json, verbose=verbose, debug=debug)
    request = MirrorRequest(
        source=source,
        target=target,
        source_format=_choice(source_format),
        target_format=_choice(target_format),
        mode="copy",
        dry_run=dry_run,
        create=create,
        metadata_suffixes=_suffixes(metadata_suffixes),
    )

    def command() -> int:
        if not as_json:
            reporter = LogReporter(verbose=verbose, dry_run=dry_run)
            tally = PlanTally.for_run(reporter, limit=limit, show_all=show_all, dry_run=dry_run)
            outcome = import_media(request, move=moving, reporter=tally)
            reporter.close()
            if outcome.error is None:
                log_import_summary(outcome, move=moving)
                if dry_run:
                    print_mirror_plan(tally, outcome, mode="copy", delete=False)
            return outcome.exit_code
        stream = JsonStream(sys.stdout.buffer)
        stream.open()
        stream.fields(sync_head(dry_run, "import"))
        stream.open_array("events")
        json_reporter = JsonReporter(stream, verbose=verbose, dry_run=dry_run)
        outcome = import_media(request, move=moving, reporter=json_reporter)
        json_reporter.close()
        stream.close_array()
        stream.fields(import_tail(outcome, request, move=moving))
        stream.close()
        return outcome.exit_code

    raise typer.Exit(_run(command, debug))


mirror_app.command("jellyfin-check")(jellyfin_check_command)


def main() -> None:
    """``python -m app.cli.mirror``: the mirror commands alone, without the other commands'
    imports (the benchmark runs it this way)."""
    mirror_app()


if __name__ == "__main__":
    main()
