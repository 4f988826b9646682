"""``crossfade playlists sync|import|export|run``: Plex playlists ⇄ M3U/M3U8 files for people who
live in cron. Works without a running server: the run is a job in the database, executed here.

An ad hoc run (``sync``, ``import``, ``export``) finds or creates the Plex library, the music
folder library and the playlists link for its arguments, so that the next run with the same
arguments continues from the same pairs and baselines. Exit status: 0 done, 1 failed (or a
setup error), 3 done with errors on some playlists.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from app.cli.choices import PlaylistPolicyChoice
from app.cli.job_runs import follow, job_exit_code, local_container, print_summary
from app.cli.plan_options import ALL, LIMIT, chosen_limit
from app.cli.plan_output import (
    CountSource,
    PlanVocabulary,
    Total,
    all_events,
    event_document,
    plan_document,
    print_plan,
    side_names,
)
from app.cli.playlists_options import (
    AS_JSON,
    DRY_RUN,
    LINK,
    MODE,
    MUSIC_DIR,
    PATH_MAP,
    PLAYLIST_DIR,
    POLICY,
)
from app.cli.plex_options import PLEX_URL, SECTION, TOKEN
from app.cli.progress import PROGRESS, progress_mode
from app.cli.system import reported_errors
from app.domain.jobs import JobEventRecord, JobRecord, JobTrigger
from app.domain.links import LinkKind, Mode
from app.domain.playlists.diff import PlaylistMode

if TYPE_CHECKING:
    from app.bootstrap import Container  # a heavy import: only for the annotations

playlists_app = typer.Typer(
    help="Playlists: Plex audio playlists ⇄ M3U/M3U8 files, both ways.", no_args_is_help=True
)

SUMMARY_LINES = (
    ("playlists_a", "playlists on side A"),
    ("playlists_b", "playlists on side B"),
    ("pairs", "playlists compared"),
    ("created_a", "created on side A"),
    ("created_b", "created on side B"),
    ("updated_a", "changed on side A"),
    ("updated_b", "changed on side B"),
    ("deleted_a", "deleted on side A"),
    ("deleted_b", "deleted on side B"),
    ("unchanged", "unchanged"),
    ("entries_added", "entries added"),
    ("entries_removed", "entries removed"),
    ("entries_moved", "entries moved"),
    ("unmatched", "entries unmatched"),
    ("conflicts", "conflicts"),
    ("restored_a", "restored on side A"),
    ("restored_b", "restored on side B"),
    ("skipped", "skipped"),
    ("errors", "errors"),
)
C = CountSource.COUNTERS
MARKS = {
    "entry_added": "+",
    "entry_removed": "-",
    "entry_moved": "~",
    "entry_unmatched": "?",
    "playlist_create": "*",
    "playlist_update": "*",
    "playlist_delete": "x",
    "playlist_kept": "=",
    "playlist_skipped": "=",
    "conflict": "!",
    "conflict_settled": "!",
    "playlist_restore": "<",
    "changed_since": "=",
    "not_applied": "=",
    "error": "E",
}


PLAN = PlanVocabulary(
    totals=(
        Total("created_a", "would create {n} playlists in {a}", "created {n} playlists in {a}", C),
        Total("created_b", "would create {n} playlists in {b}", "created {n} playlists in {b}", C),
        Total("updated_a", "would change {n} playlists in {a}", "changed {n} playlists in {a}", C),
        Total("updated_b", "would change {n} playlists in {b}", "changed {n} playlists in {b}", C),
        Total("deleted_a", "would delete {n} playlists in {a}", "deleted {n} playlists in {a}", C),
        Total("deleted_b", "would delete {n} playlists in {b}", "deleted {n} playlists in {b}", C),
        Total("entries_added", "{n} entries to add", "{n} entries added", C),
        Total("entries_removed", "{n} entries to remove", "{n} entries removed", C),
        Total("entries_moved", "{n} entries to move", "{n} entries moved", C),
        Total("conflicts", "{n} conflicts", "{n} conflicts", C),
        Total("unmatched", "{n} entries unmatched", "{n} entries unmatched", C),
        Total("errors", "{n} errors", "{n} errors", C),
    ),
    changes=frozenset(
        {
            "entry_added",
            "entry_removed",
            "entry_moved",
            "playlist_create",
            "playlist_update",
            "playlist_delete",
            "playlist_restore",
            "entry_unmatched",
            "conflict",
            "error",
        }
    ),
    line=lambda event, _sides: _plan_line(event),
    grouped=True,
)


def _plan_line(event: JobEventRecord) -> str:
    mark = MARKS.get(event.action, " ")
    if event.action == "entry_moved":
        what = f"{event.before} → {event.after}"
    else:
        what = " ".join(str(part) for part in (event.before, event.after) if part) or ""
    detail = f" ({event.detail})" if event.detail else ""
    return f"  {mark} {what}{detail}".rstrip()


def _report(container: Container, job: JobRecord, *, as_json: bool, limit: int | None) -> None:
    events = all_events(container, job)
    sides = side_names(container, job)
    if as_json:
        document = {
            "job": job.id,
            "status": job.status.value,
            "dry_run": job.dry_run,
            "error": job.error,
            "problems": job.problems,
            "counters": job.counters,
            **plan_document(PLAN, job, events, sides),
            "events": [event_document(event, "playlist") for event in events],
        }
        typer.echo(json.dumps(document, ensure_ascii=False))
        return
    print_summary(job, "Playlists sync", SUMMARY_LINES)
    print_plan(PLAN, job, events, sides, limit=limit)


def _exit_code(job: JobRecord) -> int:
    """0 clean, 1 failed, 3 succeeded with problems (``app.cli.job_runs.job_exit_code``)."""
    return job_exit_code(job)


def _check_sides(
    link: str | None,
    given: dict[str, object],
    ad_hoc_only: dict[str, object],
) -> None:
    """A saved link, or every ad hoc option: exit 2 naming what is missing or extra."""
    if link is not None:
        extra = [name for name, value in {**given, **ad_hoc_only}.items() if value]
        if extra:
            typer.secho(
                f"Error: --link runs a saved link as it is configured; drop {', '.join(extra)}",
                err=True,
                fg="red",
            )
            raise typer.Exit(2)
        return
    missing = [name for name, value in given.items() if not value]
    if missing:
        typer.secho(
            f"Error: missing {', '.join(missing)} (or name a saved link with --link)",
            err=True,
            fg="red",
        )
        raise typer.Exit(2)


def _run_adhoc(
    run_mode: Mode,
    *,
    link: str | None,
    plex_url: str | None,
    token: str | None,
    section: list[str],
    playlist_dir: str | None,
    music_dir: str | None,
    path_map: list[str],
    mode: PlaylistMode | None,
    policy: PlaylistPolicyChoice | None,
    dry_run: bool,
    as_json: bool,
    limit: int | None,
    progress: bool,
) -> None:
    _check_sides(
        link,
        {
            "--plex-url": plex_url,
            "--token": token,
            "--section": section,
            "--playlist-dir": playlist_dir,
        },
        {"--music-dir": music_dir, "--path-map": path_map, "--mode": mode, "--policy": policy},
    )
    with reported_errors(), local_container() as container:
        if link is not None:
            saved = container.domains.adhoc.saved_link(link, LinkKind.PLAYLISTS)
        else:
            assert plex_url and token and playlist_dir
            saved = container.domains.playlists.adhoc.link(
                plex_url=plex_url,
                token=token,
                section=section,
                playlist_dir=playlist_dir,
                music_dir=music_dir,
                path_maps=path_map,
                mode=None if mode is None else mode.value,
                policy=None if policy is None else policy.value,
            )
        job = container.link_runs.run(
            saved.id, mode=run_mode.value, dry_run=dry_run, trigger=JobTrigger.CLI
        )
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json, limit=limit)
    raise typer.Exit(_exit_code(job))


@playlists_app.command("sync")
def sync(
    link: str | None = LINK,
    plex_url: str | None = PLEX_URL,
    token: str | None = TOKEN,
    section: list[str] = SECTION,
    playlist_dir: str | None = PLAYLIST_DIR,
    music_dir: str | None = MUSIC_DIR,
    path_map: list[str] = PATH_MAP,
    mode: PlaylistMode | None = MODE,
    policy: PlaylistPolicyChoice | None = POLICY,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Both ways: a playlist changed on either side since the last run goes to the other."""
    _run_adhoc(
        Mode.SYNC,
        link=link,
        plex_url=plex_url,
        token=token,
        section=section,
        playlist_dir=playlist_dir,
        music_dir=music_dir,
        path_map=path_map,
        mode=mode,
        policy=policy,
        dry_run=dry_run,
        as_json=as_json,
        limit=chosen_limit(limit, show_all),
        progress=progress,
    )


@playlists_app.command("import")
def import_(
    link: str | None = LINK,
    plex_url: str | None = PLEX_URL,
    token: str | None = TOKEN,
    section: list[str] = SECTION,
    playlist_dir: str | None = PLAYLIST_DIR,
    music_dir: str | None = MUSIC_DIR,
    path_map: list[str] = PATH_MAP,
    mode: PlaylistMode | None = MODE,
    policy: PlaylistPolicyChoice | None = POLICY,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Files → Plex: only Plex is written."""
    _run_adhoc(
        Mode.IMPORT,
        link=link,
        plex_url=plex_url,
        token=token,
        section=section,
        playlist_dir=playlist_dir,
        music_dir=music_dir,
        path_map=path_map,
        mode=mode,
        policy=policy,
        dry_run=dry_run,
        as_json=as_json,
        limit=chosen_limit(limit, show_all),
        progress=progress,
    )


@playlists_app.command("export")
def export(
    link: str | None = LINK,
    plex_url: str | None = PLEX_URL,
    token: str | None = TOKEN,
    section: list[str] = SECTION,
    playlist_dir: str | None = PLAYLIST_DIR,
    music_dir: str | None = MUSIC_DIR,
    path_map: list[str] = PATH_MAP,
    mode: PlaylistMode | None = MODE,
    policy: PlaylistPolicyChoice | None = POLICY,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Plex → files: only the files are written."""
    _run_adhoc(
        Mode.EXPORT,
        link=link,
        plex_url=plex_url,
        token=token,
        section=section,
        playlist_dir=playlist_dir,
        music_dir=music_dir,
        path_map=path_map,
        mode=mode,
        policy=policy,
        dry_run=dry_run,
        as_json=as_json,
        limit=chosen_limit(limit, show_all),
        progress=progress,
    )


@playlists_app.command("run")
def run(
    link: int = typer.Argument(..., help="A configured playlists link's id."),
    run_mode: Mode = typer.Option(
        Mode.SYNC, "--run", help="sync: both ways; import: files → Plex; export: Plex → files."
    ),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Run a configured playlists link."""
    with reported_errors(), local_container() as container:
        job = container.link_runs.run(
            link, mode=run_mode.value, dry_run=dry_run, trigger=JobTrigger.CLI
        )
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json, limit=chosen_limit(limit, show_all))
    raise typer.Exit(_exit_code(job))


@playlists_app.command("undo")
def undo(
    job_id: int = typer.Argument(..., help="The playlists sync job to undo (an undo job: redo)."),
    as_json: bool = AS_JSON,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Put back every playlist a job changed (Plex playlists' items in order, playlist files'
    bytes), unless it changed again since."""
    with reported_errors(), local_container() as container:
        job = container.link_runs.undo(job_id, trigger=JobTrigger.CLI)
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json, limit=chosen_limit(limit, show_all))
    raise typer.Exit(_exit_code(job))
