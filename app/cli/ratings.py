"""``crossfade ratings sync|import|export|run|undo``: the ratings sync for people who live in
cron. Works without a running server: the run is a job in the database, executed here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from app.cli.job_runs import follow, job_exit_code, local_container, print_summary
from app.cli.plan_options import ALL, DEFAULT_LIMIT, LIMIT, chosen_limit
from app.cli.plan_output import (
    all_events,
    event_document,
    plan_document,
    print_plan,
    side_names,
)
from app.cli.plan_output_ratings import RATINGS_PLAN
from app.cli.plex_options import PLEX_URL, SECTION, TOKEN
from app.cli.progress import PROGRESS, progress_mode
from app.cli.system import reported_errors
from app.domain.jobs import JobRecord, JobTrigger
from app.domain.links import LinkKind, Mode
from app.domain.ratings.merge import Policy
from app.domain.ratings.profiles import PresetName, WriteModeName
from app.domain.ratings.records import FileCache
from app.domain.ratings.resolution import ReadPolicyKind
from app.domain.ratings.scales import TextScale

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
    ("kept", "kept (unrated source clears nothing)"),
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


@dataclass(frozen=True, slots=True)
class AdhocSides:
    """Where an ad hoc run's sides are: a saved link, or a Plex server's sections and a folder."""

    link: str | None
    plex_url: str | None
    token: str | None
    sections: list[str]
    music_dir: str | None

    def check(self, policy: Policy | None, tags: TagChoices) -> None:
        """A saved link, or every ad hoc option: exit 2 naming what is missing or extra."""
        if self.link is not None:
            extra = [
                name
                for name, given in (
                    ("--plex-url", self.plex_url),
                    ("--section", self.sections),
                    ("--music-dir", self.music_dir),
                    ("--policy", policy),
                    ("tag options", tags.profile or tags.options()),
                )
                if given
            ]
            if extra:
                _usage(f"--link runs a saved link as it is configured; drop {', '.join(extra)}")
            return
        missing = [
            name
            for name, given in (
                ("--plex-url", self.plex_url),
                ("--token", self.token),
                ("--section", self.sections),
                ("--music-dir", self.music_dir),
            )
            if not given
        ]
        if missing:
            _usage(f"missing {', '.join(missing)} (or name a saved link with --link)")


def _usage(message: str) -> None:
    typer.secho(f"Error: {message}", err=True, fg="red")
    raise typer.Exit(2)


def _run_adhoc(
    mode: str,
    where: AdhocSides,
    path_map: list[str],
    policy: Policy | None,
    tags: TagChoices,
    dry_run: bool,
    as_json: bool,
    file_cache: FileCache,
    limit: int | None = DEFAULT_LIMIT,
    progress: bool = False,
) -> None:
    where.check(policy, tags)
    with reported_errors(), local_container() as container:
        if where.link is not None:
            link = container.domains.adhoc.saved_link(where.link, LinkKind.RATINGS)
        else:
            assert where.plex_url and where.token and where.music_dir
            link = container.domains.adhoc.ratings_link(
                plex_url=where.plex_url,
                token=where.token,
                section=where.sections,
                music_dir=where.music_dir,
                path_maps=path_map,
                policy=None if policy is None else policy.value,
                profile=None if tags.profile is None else tags.profile.value,
                tag_options=tags.options(),
            )
        job = container.link_runs.run(
            link.id,
            mode=mode,
            dry_run=dry_run,
            trigger=JobTrigger.CLI,
            file_cache=file_cache.value,
        )
        job = follow(container, job, mode=progress_mode(progress, enabled=not as_json))
        _report(container, job, as_json=as_json, limit=limit)
    raise typer.Exit(_exit_code(job))


LINK = typer.Option(
    None,
    "--link",
    help="Run a saved ratings link (its name or id) as it is configured, instead of naming "
    "the Plex server, sections and folder. Default: an ad hoc run of the options below.",
    show_default=False,
)
MUSIC_DIR = typer.Option(
    None,
    "--music-dir",
    help="The folder holding the audio files (needed without --link).",
    show_default=False,
)
PATH_MAP = typer.Option(
    [],
    "--path-map",
    help="PLEX_PREFIX=LOCAL_PREFIX, repeatable, tried in order. Default: none (paths as Plex "
    "reports them).",
    show_default=False,
)
POLICY = typer.Option(
    None,
    "--policy",
    help="How sync settles a track re-rated differently on both sides (or rated differently "
    "on a first run): prefer_a = Plex wins, prefer_b = the file wins. Default: the link's "
    "policy, prefer_a for a new ad hoc link. import and export ignore it: their source wins.",
    show_default=False,
)
PROFILE = typer.Option(
    None,
    "--profile",
    help="How the files' rating tags are written: a player's preset (pmrs writes "
    "PlexMusicRatingsSync's POPM 'Plex' frame). Default: the folder's, musicbee for a new one.",
    show_default=False,
)
WRITE_MODE = typer.Option(
    None,
    "--write-mode",
    help="update_existing: rewrite every rating tag a file has (or add the preset's); "
    "default_only: only the preset's tags; replace_all: the preset's, the others removed. "
    "Default: the folder's, update_existing for a new one.",
    show_default=False,
)
POPM_EMAIL = typer.Option(
    None,
    "--popm-email",
    help="Write MP3 ratings to the POPM frame of this email instead of the preset's (e.g. "
    "Plex, rating@winamp.com). Default: the folder's, none for a new one (the preset's).",
    show_default=False,
)
READ_POLICY = typer.Option(
    None,
    "--read-policy",
    help="When a file's rating tags disagree: priority (the --read-priority list, then the "
    "preset's tags), highest, lowest, average, or ask (the file goes to the conflict inbox). "
    "Default: the folder's, priority for a new one.",
    show_default=False,
)
READ_PRIORITY = typer.Option(
    None,
    "--read-priority",
    help="Comma-separated tags read first under read policy priority, e.g. "
    "'musicbee,windows,vorbis:rating' (plex-music-rating-sync's --tag-priority-order names "
    "WINDOWSMEDIAPLAYER, MEDIAMONKEY, MUSICBEE, WINAMP, TEXT, POPM:<email> work too). "
    "Default: the folder's, the preset's tags first for a new one.",
    show_default=False,
)
TEXT_SCALE = typer.Option(
    None,
    "--text-scale",
    help="Pin the scale of text ratings (Vorbis RATING, TXXX:RATING, MP4, APE). Default: the "
    "folder's; a new one infers ambiguous values from the library's other values.",
    show_default=False,
)


@dataclass(frozen=True, slots=True)
class TagChoices:
    """The tag writing and reading choices of an ad hoc run (None: keep the folder's)."""

    profile: PresetName | None = None
    write_mode: WriteModeName | None = None
    popm_email: str | None = None
    read_policy: ReadPolicyKind | None = None
    read_priority: str | None = None
    text_scale: TextScale | None = None

    def options(self) -> dict[str, str | None]:
        """The folder config keys these choices set (the ones given)."""
        given = {
            "write_mode": self.write_mode,
            "popm_email": self.popm_email,
            "read_policy": self.read_policy,
            "read_priority": self.read_priority,
            "pinned_scale": self.text_scale,
        }
        return {key: str(value) for key, value in given.items() if value is not None}


DRY_RUN = typer.Option(
    False, "--dry-run", help="Plan and report; write nothing anywhere. Default: a real run."
)
NO_CACHE = typer.Option(
    False,
    "--no-cache",
    help="Open every audio file, even one whose size and mtime say it did not change (a "
    "tagger that keeps mtimes hides its changes); the file-state cache is refreshed. "
    "Baselines are kept: they are not a cache. Default: use the cache.",
)
CLEAR_CACHE = typer.Option(
    False,
    "--clear-cache",
    help="As --no-cache, and forget every cached file state first (rebuilt by this run). "
    "Baselines are kept. Default: keep the cache.",
)


def file_cache(no_cache: bool, clear_cache: bool) -> FileCache:
    """The run's use of the file-state cache from the two flags (clear implies no-cache)."""
    if clear_cache:
        return FileCache.CLEAR
    return FileCache.IGNORE if no_cache else FileCache.USE


AS_JSON = typer.Option(
    False, "--json", help="Print one JSON document instead of a summary. Default: a summary."
)


def _adhoc_command(mode: str, summary: str) -> None:
    """Register ``crossfade ratings <mode>``: an ad hoc run (the three differ only in mode)."""

    def command(
        link: str | None = LINK,
        plex_url: str | None = PLEX_URL,
        token: str | None = TOKEN,
        section: list[str] = SECTION,
        music_dir: str | None = MUSIC_DIR,
        path_map: list[str] = PATH_MAP,
        policy: Policy | None = POLICY,
        profile: PresetName | None = PROFILE,
        write_mode: WriteModeName | None = WRITE_MODE,
        popm_email: str | None = POPM_EMAIL,
        read_policy: ReadPolicyKind | None = READ_POLICY,
        read_priority: str | None = READ_PRIORITY,
        text_scale: TextScale | None = TEXT_SCALE,
        dry_run: bool = DRY_RUN,
        as_json: bool = AS_JSON,
        no_cache: bool = NO_CACHE,
        clear_cache: bool = CLEAR_CACHE,
        limit: int = LIMIT,
        show_all: bool = ALL,
        progress: bool = PROGRESS,
    ) -> None:
        _run_adhoc(
            mode,
            AdhocSides(link, plex_url, token, section, music_dir),
            path_map,
            policy,
            TagChoices(profile, write_mode, popm_email, read_policy, read_priority, text_scale),
            dry_run,
            as_json,
            file_cache(no_cache, clear_cache),
            chosen_limit(limit, show_all),
            progress,
        )

    command.__doc__ = summary
    ratings_app.command(mode)(command)


_adhoc_command(
    "sync",
    "Two-way sync: a change on either side since the last run goes to the other; a track "
    "changed differently on both sides is settled by --policy.",
)
_adhoc_command(
    "import",
    "Files → Plex, as PlexMusicRatingsSync's import: every rated file whose rating differs "
    "from Plex is written into Plex (the file wins); an unrated file clears nothing; what both "
    "sides then hold is recorded so the next sync starts clean. Only Plex is written.",
)
_adhoc_command(
    "export",
    "Plex → files, as PlexMusicRatingsSync's export: every Plex rating that differs from the "
    "file is written into the file (Plex wins); an unrated Plex track clears nothing; what both "
    "sides then hold is recorded so the next sync starts clean. Only the files are written.",
)


@ratings_app.command("run")
def run(
    link: int = typer.Argument(..., help="A configured link's id."),
    mode: Mode = typer.Option(
        Mode.SYNC,
        help="sync (two-way, three-way merge), import (files win, into Plex) or export "
        "(Plex wins, into the files); see `crossfade ratings import --help`.",
    ),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
    no_cache: bool = NO_CACHE,
    clear_cache: bool = CLEAR_CACHE,
    limit: int = LIMIT,
    show_all: bool = ALL,
    progress: bool = PROGRESS,
) -> None:
    """Run a configured ratings link."""
    with reported_errors(), local_container() as container:
        job = container.link_runs.run(
            link,
            mode=mode,
            dry_run=dry_run,
            trigger=JobTrigger.CLI,
            file_cache=file_cache(no_cache, clear_cache).value,
        )
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
