"""``crossfade ratings sync|import|export|run|undo``: the ratings sync for people who live in
cron. Works without a running server: the run is a job in the database, executed here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from app.cli.job_runs import follow, job_exit_code, local_container, print_summary
from app.cli.plan_output import (
    ALL,
    DEFAULT_LIMIT,
    LIMIT,
    all_events,
    chosen_limit,
    event_document,
    plan_document,
    print_plan,
    side_names,
)
from app.cli.plan_output_ratings import RATINGS_PLAN
from app.cli.progress import PROGRESS, progress_mode
from app.cli.system import reported_errors
from app.domain.jobs import JobRecord, JobTrigger

if TYPE_CHECKING:
    from app.bootstrap import Container  # a heavy import: only for the annotations

ratings_app = typer.Typer(
    help="Music ratings: Plex ⇄ the rating tags in your audio files.", no_args_is_help=True
)

SUMMARY_LINES = (
    ("items_a", "tracks on side A"),
    ("items_b", "tracks on side B"),
    ("pairs", "matched pairs"),
    ("files_read", "files read"),
    ("files_cached", "files unchanged (cached)"),
    ("written_a", "ratings changed on side A"),
    ("written_b", "ratings changed on side B"),
    ("unchanged", "unchanged"),
    ("conflicts", "conflicts"),
    ("review", "matches to review"),
    ("unmatched_a", "unmatched on side A"),
    ("unmatched_b", "unmatched on side B"),
    ("skipped", "skipped"),
    ("errors", "errors"),
)


def _report(
    container: Container, job: JobRecord, *, as_json: bool, limit: int | None = DEFAULT_LIMIT
) -> None:
    counters = job.counters
    events = all_events(container, job)
    sides = side_names(container, job)
    if as_json:
        document = {
            "job": job.id,
            "status": job.status.value,
            "dry_run": job.dry_run,
            "error": job.error,
            "problems": job.problems,
            "counters": counters,
            **plan_document(RATINGS_PLAN, job, events, sides),
            "events": [event_document(event) for event in events],
        }
        typer.echo(json.dumps(document, ensure_ascii=False))
        return
    print_summary(job, "Sync", SUMMARY_LINES)
    print_plan(RATINGS_PLAN, job, events, sides, limit=limit)


def _exit_code(job: JobRecord) -> int:
    """0 clean, 1 failed, 3 succeeded with problems (``app.cli.job_runs.job_exit_code``)."""
    return job_exit_code(job)


def _run_adhoc(
    mode: str,
    plex_url: str,
    token: str,
    section: str,
    music_dir: str,
    path_map: list[str],
    policy: str | None,
    profile: str | None,
    dry_run: bool,
    as_json: bool,
    limit: int | None = DEFAULT_LIMIT,
    progress: bool = False,
) -> None:
    with reported_errors(), local_container() as container:
        link = container.domains.adhoc.ratings_link(
            plex_url=plex_url,
            token=token,
            section=section,
            music_dir=music_dir,
            path_maps=path_map,
            policy=policy,
            profile=profile,
        )
        job = container.link_runs.run(link.id, mode=mode, dry_run=dry_run, trigger=JobTrigger.CLI)
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json, limit=limit)
    raise typer.Exit(_exit_code(job))


PLEX_URL = typer.Option(..., "--plex-url", help="The Plex server, e.g. http://127.0.0.1:32400.")
TOKEN = typer.Option(..., "--token", envvar="CROSSFADE_PLEX_TOKEN", help="A Plex token.")
SECTION = typer.Option(..., "--section", help="The music section's title (or id).")
MUSIC_DIR = typer.Option(..., "--music-dir", help="The folder holding the audio files.")
PATH_MAP = typer.Option(
    [], "--path-map", help="PLEX_PREFIX=LOCAL_PREFIX, repeatable, tried in order."
)
POLICY = typer.Option(
    None, "--policy", help="prefer_a (Plex) | prefer_b (files) | newest | highest | lowest | ask."
)
PROFILE = typer.Option(None, "--profile", help="Tag write profile, e.g. musicbee, windows.")
DRY_RUN = typer.Option(False, "--dry-run", help="Plan and report; write nothing anywhere.")
AS_JSON = typer.Option(False, "--json", help="Print one JSON document instead of a summary.")


def _adhoc_command(mode: str, summary: str) -> None:
    """Register ``crossfade ratings <mode>``: an ad hoc run (the three differ only in mode)."""

    def command(
        plex_url: str = PLEX_URL,
        token: str = TOKEN,
        section: str = SECTION,
        music_dir: str = MUSIC_DIR,
        path_map: list[str] = PATH_MAP,
        policy: str | None = POLICY,
        profile: str | None = PROFILE,
        dry_run: bool = DRY_RUN,
        as_json: bool = AS_JSON,
        limit: int = LIMIT,
        show_all: bool = ALL,
        progress: bool = PROGRESS,
    ) -> None:
        _run_adhoc(
            mode,
            plex_url,
            token,
            section,
            music_dir,
            path_map,
            policy,
            profile,
            dry_run,
            as_json,
            chosen_limit(limit, show_all),
            progress,
        )

    command.__doc__ = summary
    ratings_app.command(mode)(command)


_adhoc_command(
    "sync", "Two-way sync: a change on either side since the last run goes to the other."
)
_adhoc_command("import", "Files → Plex: only Plex is written.")
_adhoc_command("export", "Plex → files: only the files are written.")


@ratings_app.command("run")
def run(
    link: int = typer.Argument(..., help="A configured link's id."),
    mode: str = typer.Option("sync", help="sync | import | export."),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Run a configured ratings link."""
    with reported_errors(), local_container() as container:
        job = container.link_runs.run(link, mode=mode, dry_run=dry_run, trigger=JobTrigger.CLI)
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json, limit=chosen_limit(limit, show_all))
    raise typer.Exit(_exit_code(job))


@ratings_app.command("undo")
def undo(
    job_id: int = typer.Argument(..., help="The ratings sync job to undo."),
    as_json: bool = AS_JSON,
    progress: bool = PROGRESS,
) -> None:
    """Restore every rating a job changed, on both sides, unless it changed again since."""
    with reported_errors(), local_container() as container:
        job = container.link_runs.undo(job_id, trigger=JobTrigger.CLI)
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json)
    raise typer.Exit(_exit_code(job))
