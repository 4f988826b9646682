"""``crossfade import pmrs|pmrs-s``: switch from PlexMusicRatingsSync or plex-music-rating-sync
in one command. Reads the old tool's configuration file, saves the libraries and the link it
describes, and prints them with the dry-run command to run next."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from app.services.importers.service import ImportResult

import_app = typer.Typer(
    help="Bring in another tool's configuration: PlexMusicRatingsSync, plex-music-rating-sync.",
    no_args_is_help=True,
)

JSON_HELP = "Print what was saved as JSON."


def _read(config: Path) -> str:
    try:
        return config.read_text(encoding="utf-8-sig")
    except OSError as error:
        typer.secho(f"error: cannot read {config}: {error.strerror}", err=True, fg="red")
        raise typer.Exit(1) from None


def _show(result: ImportResult, *, as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "tool": result.plan.tool,
                    "libraries": [
                        {"id": lib.id, "kind": lib.kind, "name": lib.name, "created": created}
                        for lib, created in result.libraries
                    ],
                    "links": [
                        {
                            "id": link.id,
                            "kind": link.kind,
                            "direction": link.direction,
                            "created": created,
                        }
                        for link, created in result.links
                    ],
                    "kept": list(result.plan.kept),
                    "not_kept": list(result.plan.dropped),
                    "next": list(result.next_commands),
                },
                indent=2,
            )
        )
        return
    typer.echo(f"From {result.plan.tool}:")
    for library, created in result.libraries:
        verb = "created" if created else "reused "
        typer.echo(f"  {verb} library {library.id}: {library.name} ({library.kind})")
    for link, created in result.links:
        verb = "created" if created else "reused "
        typer.echo(f"  {verb} {link.kind} link {link.id} ({link.direction})")
    for note in result.plan.kept:
        typer.echo(f"  kept: {note}")
    for note in result.plan.dropped:
        typer.echo(f"  not kept: {note}")
    typer.echo("Next, see what it would change (nothing is written):")
    for command in result.next_commands:
        typer.echo(f"  {command}")


def _run(action: str, config_text: str, *, as_json: bool, **options: str | None) -> None:
    from app.bootstrap import build_container
    from app.cli.system import configure_logging, reported_errors
    from app.cli.where import announcing_new_database
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
    with reported_errors(), announcing_new_database(settings):
        container = build_container(settings, runner="inline")
        try:
            container.startup()
            importer = container.domains.importer
            if action == "pmrs":
                result = importer.pmrs(config_text, os.environ, music_dir=options.get("music_dir"))
            else:
                result = importer.pmrs_s(
                    config_text,
                    plex_url=options.get("plex_url"),
                    music_dir=options.get("music_dir"),
                    mediamonkey_db=options.get("mediamonkey_db"),
                )
        finally:
            container.close()
    _show(result, as_json=as_json)


@import_app.command("pmrs")
def import_pmrs(
    config: Path = typer.Argument(
        ..., help="PMRS's config.yml (plex.url, plex.token, plex.libraries)."
    ),
    music_dir: str | None = typer.Option(
        None,
        "--music-dir",
        help="The folder holding the music files (default: the one folder Plex's libraries use).",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """PlexMusicRatingsSync: its config.yml (PMRS_PLEX_URL, PMRS_PLEX_TOKEN and
    PMRS_PLEX_LIBRARIES override it, as in PMRS) becomes a Plex library, a music folder and a
    two-way ratings link writing PMRS's own POPM frame."""
    _run("pmrs", _read(config), as_json=as_json, music_dir=music_dir)


@import_app.command("pmrs-s")
def import_pmrs_s(
    config: Path = typer.Argument(..., help="plex-music-rating-sync's config.ini."),
    plex_url: str | None = typer.Option(
        None, "--plex-url", help="The Plex server's address, when [plex] server is a name."
    ),
    music_dir: str | None = typer.Option(
        None, "--music-dir", help="The music folder (default: [filesystem] path)."
    ),
    mediamonkey_db: str | None = typer.Option(
        None, "--mediamonkey-db", help="MediaMonkey's database (MM.DB or MM5.DB), if it syncs one."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """plex-music-rating-sync (patzm, smilerz): its config.ini's source, destination and sync
    items become libraries and one-way links; tag strategies become write and read choices."""
    _run(
        "pmrs-s",
        _read(config),
        as_json=as_json,
        plex_url=plex_url,
        music_dir=music_dir,
        mediamonkey_db=mediamonkey_db,
    )
