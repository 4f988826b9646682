"""``crossfade tags read | write | scan``: where is my rating, set one, survey a folder.

One bad file never stops the others. Exit status: ``read`` and ``write`` end 1 when any file
failed; ``scan`` ends 3 when it finished but some files could not be read (0: all read); 2 is a
usage error.

File names are bytes; a name that is not valid UTF-8 (or holds a control character) is shown in
its display form (``09 Caf\\xe9.flac``, ``app.domain.names.display_form``). With ``--json``
every line is valid UTF-8 JSON: ``path`` holds the display form and, only when that differs
from the name, ``path_bytes_b64`` holds the name's exact bytes in base64 (``root`` and the
scan's ``failures`` likewise).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import typer

from app.adapters.tags import (
    FileTags,
    WriteOptions,
    WriteOutcome,
    iter_audio_files,
    read_file,
    write_rating,
)
from app.cli.progress import PROGRESS, progress_display, progress_mode
from app.domain.errors import CrossfadeError, InvalidInput, MediaFileError
from app.domain.names import display_form
from app.domain.problems import ExitCode
from app.domain.ratings.dialects import TagReading
from app.domain.ratings.profiles import PresetName, WriteModeName, preset, with_popm_email
from app.domain.ratings.resolution import ReadPolicy, Resolution
from app.domain.ratings.scales import parse_scale
from app.domain.ratings.value import Rating
from app.services.tags.scan import TagScanSummary, scan_tags

tags_app = typer.Typer(
    help="Read, write and survey rating tags in audio files.",
    no_args_is_help=True,
    add_completion=False,
)

DEFAULT_PROFILE = PresetName.MUSICBEE
PROFILE_HELP = "Write profile preset (pmrs: PlexMusicRatingsSync's POPM 'Plex' frame)."
SCALE_HELP = "Pin the text scale (percent, stars5, tenths, unit); default: detect per value."


def _shown(path: str) -> str:
    """A path for people: a raw byte of a non-UTF-8 name shows as ``\\xe9``."""
    return display_form(path)


def _path_fields(path: str, key: str = "path") -> dict[str, str]:
    """``{key: display form}``, plus ``{key}_bytes_b64`` with the exact bytes when the
    display form is not the name itself."""
    shown = display_form(path)
    if shown == path:
        return {key: path}
    exact = base64.b64encode(os.fsencode(path)).decode("ascii")
    return {key: shown, f"{key}_bytes_b64": exact}


def _json_line(record: dict[str, Any]) -> str:
    # Every string is in its display form already: the line is valid UTF-8 (and ASCII).
    return json.dumps(record, ensure_ascii=True)


def _half_stars(rating: Rating | None) -> int | None:
    return None if rating is None else rating.half_stars


def _stars(rating: Rating | None) -> str:
    return "unrated" if rating is None else str(rating)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def _read_policy(policy: str, profile_name: str) -> ReadPolicy:
    parsed = ReadPolicy.parse(policy)
    return ReadPolicy.for_profile(preset(profile_name), parsed.kind)


def _read_record(tags: FileTags, resolution: Resolution) -> dict[str, Any]:
    return {
        **_path_fields(tags.path),
        "format": tags.format,
        "tags": [
            {"dialect": r.dialect, "raw": r.raw, "rating": _half_stars(r.rating)} for r in tags.tags
        ],
        "rating": _half_stars(resolution.rating),
        "disagreement": resolution.disagreement,
    }


def _reading_line(reading: TagReading) -> str:
    scale = f"  ({reading.scale.value})" if reading.scale is not None else ""
    invalid = "  (not a rating)" if not reading.valid else ""
    return f"  {reading.dialect:<28} {reading.raw!r:<8} {_stars(reading.rating)}{scale}{invalid}"


def _print_read(tags: FileTags, resolution: Resolution) -> None:
    typer.echo(f"{_shown(tags.path)}  [{tags.format}]")
    if not tags.tags:
        typer.echo("  no rating tags")
    for reading in tags.tags:
        typer.echo(_reading_line(reading))
    verdict = _stars(resolution.rating)
    if resolution.needs_decision:
        verdict = "undecided: the tags disagree and the policy is ask"
    typer.echo(f"  => {verdict}  ({resolution.decided_by})")
    if resolution.disagreement:
        typer.secho("  the tags disagree", fg=typer.colors.YELLOW)


@tags_app.command("read")
def read_command(
    paths: list[Path] = typer.Argument(..., help="Audio files to read."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    scale: str | None = typer.Option(None, "--scale", help=SCALE_HELP),
    policy: str = typer.Option(
        "priority", "--policy", help="Settle disagreeing tags: priority|highest|lowest|average|ask."
    ),
    profile: PresetName = typer.Option(
        DEFAULT_PROFILE, "--profile", help="Its write tags come first in the priority order."
    ),
) -> None:
    """Show every rating tag of each file, its decoded stars and the file's rating."""
    try:
        pinned = parse_scale(scale)
        read_policy = _read_policy(policy, profile)
    except InvalidInput as exc:
        raise _fail(str(exc)) from exc
    failed = False
    for path in paths:
        name = str(path)
        try:
            tags = read_file(name, pinned_scale=pinned)
        except MediaFileError as exc:
            failed = True
            if as_json:
                record: dict[str, Any] = {
                    **_path_fields(name),
                    "format": None,
                    "tags": [],
                    "rating": None,
                }
                typer.echo(
                    _json_line({**record, "disagreement": False, "error": _shown(exc.reason)})
                )
            else:
                typer.secho(f"{_shown(name)}: error: {_shown(exc.reason)}", err=True, fg="red")
            continue
        resolution = tags.resolve(read_policy)
        if as_json:
            typer.echo(_json_line(_read_record(tags, resolution)))
        else:
            _print_read(tags, resolution)
    if failed:
        raise typer.Exit(1)


def _write_record(outcome: WriteOutcome) -> dict[str, Any]:
    return {
        **_path_fields(outcome.path),
        "format": outcome.format,
        "method": outcome.method,
        "rating": _half_stars(outcome.requested),
        "changes": [
            {
                "dialect": c.dialect,
                "before": list(c.before),
                "after": c.after,
                "rating": _half_stars(c.rating),
            }
            for c in outcome.changes
        ],
    }


def _describe_write(outcome: WriteOutcome) -> str:
    changes = ", ".join(
        f"{c.dialect} {'/'.join(c.before) or '-'} -> {'(removed)' if c.after is None else c.after}"
        for c in outcome.changes
    )
    what = {
        "unchanged": "already so",
        "dry_run": "would write",
        "in_place": "written in place",
        "rewrite": "written (file rewritten)",
        "rewrite_in_place": "written (hardlinked file rewritten in place)",
    }[outcome.method]
    lossy = "  (stored as whole stars)" if outcome.lossy else ""
    detail = f": {changes}" if changes else ""
    return f"{_shown(outcome.path)}: {_stars(outcome.requested)} {what}{detail}{lossy}"


@tags_app.command("write")
def write_command(
    paths: list[Path] = typer.Argument(..., help="Audio files to write."),
    stars: str | None = typer.Option(
        None, "--stars", help="Stars 0.5..5 in half steps (0 clears)."
    ),
    clear: bool = typer.Option(False, "--clear", help="Remove the rating instead."),
    profile: PresetName = typer.Option(DEFAULT_PROFILE, "--profile", help=PROFILE_HELP),
    mode: WriteModeName = typer.Option(
        WriteModeName.UPDATE_EXISTING,
        "--mode",
        help="Which rating tags: every one the file has (or the preset's), only the preset's, "
        "or the preset's with the others removed.",
    ),
    popm_email: str | None = typer.Option(
        None,
        "--popm-email",
        help="Write MP3 ratings to this POPM email's frame instead of the preset's (e.g. Plex, "
        "rating@winamp.com). Default: the preset's.",
        show_default=False,
    ),
    scale: str | None = typer.Option(None, "--scale", help=SCALE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Set (or clear) the rating of each file through a write profile, verified by re-reading.

    Uses CROSSFADE_PRESERVE_MTIME and CROSSFADE_HARDLINKED_WRITES from the settings.
    """
    if (stars is None) == (not clear):
        raise _fail("give --stars N or --clear")
    try:
        rating = None if clear or stars is None else Rating.from_stars(stars)
        write_profile = preset(profile, mode.value)
        if popm_email is not None:
            write_profile = with_popm_email(write_profile, popm_email)
        pinned = parse_scale(scale)
        from app.settings import load_settings  # pydantic-settings: only the writes need it

        settings = load_settings()
    except CrossfadeError as exc:
        raise _fail(str(exc)) from exc
    options = WriteOptions(
        preserve_mtime=settings.preserve_mtime,
        hardlinks=settings.hardlinked_writes,
        dry_run=dry_run,
    )
    failed = False
    for path in paths:
        name = str(path)
        try:
            outcome = write_rating(
                name, rating, write_profile, options=options, pinned_scale=pinned
            )
        except MediaFileError as exc:
            failed = True
            if as_json:
                record = {**_path_fields(name), "error": _shown(exc.reason), "code": exc.code}
                typer.echo(_json_line(record))
            else:
                typer.secho(f"{_shown(name)}: error: {_shown(exc.reason)}", err=True, fg="red")
            continue
        if as_json:
            typer.echo(_json_line(_write_record(outcome)))
        else:
            typer.echo(_describe_write(outcome))
    if failed:
        raise typer.Exit(1)


def _scan_record(summary: TagScanSummary) -> dict[str, Any]:
    return {
        **_path_fields(summary.root, "root"),
        "files": summary.files,
        "read": summary.read,
        "failed": summary.failed,
        "rated": summary.rated,
        "disagreements": summary.disagreements,
        "formats": dict(summary.formats),
        "dialects": {
            d.dialect: {"files": d.files, "scales": dict(d.scales), "inferred_scale": d.inferred}
            for d in summary.dialects
        },
        "errors": dict(summary.errors),
        "failures": [{**_path_fields(p), "error": display_form(e)} for p, e in summary.failures],
    }


@tags_app.command("scan")
def scan_command(
    directory: Path = typer.Argument(..., help="Folder to survey (recursively)."),
    as_json: bool = typer.Option(False, "--json", help="The summary as one JSON object."),
    progress: bool = PROGRESS,
) -> None:
    """Count rating tags under a folder per dialect and per detected text scale, and show the
    scale inferred for ambiguous text values ("10": percent ½★ or tenths 5★) from the same
    field's unambiguous values.

    Exit status 3 when some files could not be read (listed on stderr), 0 when all were."""
    try:
        with progress_display(progress_mode(progress, enabled=not as_json)) as display:
            summary = scan_tags(
                directory,
                read=read_file,
                list_files=iter_audio_files,
                progress=lambda done: display.update("reading tags", done),
            )
    except CrossfadeError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(_json_line(_scan_record(summary)))
    else:
        for line in summary.lines():
            typer.echo(_shown(line))
        for path, error in summary.failures:
            typer.secho(f"  {_shown(path)}: {_shown(error)}", err=True, fg="red")
    if summary.failed:
        raise typer.Exit(ExitCode.PROBLEMS)
