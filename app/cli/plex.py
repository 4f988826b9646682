"""``crossfade plex check`` (the path diagnostic) and ``crossfade emulator`` (a loopback PMS)."""

from __future__ import annotations

import secrets
import signal
from types import FrameType
from typing import TYPE_CHECKING

import typer

from app.domain.errors import CrossfadeError
from app.domain.paths import PathMapping, is_windows_path

if TYPE_CHECKING:
    from app.services.libraries.plex_check import PlexCheckReport
    from plex_emulator.builder import Folder

plex_app = typer.Typer(help="Plex servers: diagnostics.", no_args_is_help=True)


def _mapping(text: str) -> PathMapping:
    plex, sep, local = text.partition("=")
    if not sep or not plex or not local:
        raise typer.BadParameter(f"expected PLEX_PREFIX=LOCAL_PREFIX, got {text!r}")
    return PathMapping(plex, local)


@plex_app.command("check")
def check(
    url: str = typer.Option(..., "--url", help="Base URL of the Plex server."),
    token: str = typer.Option(
        ..., "--token", envvar="CROSSFADE_PLEX_TOKEN", help="X-Plex-Token of the account."
    ),
    section: str | None = typer.Option(None, "--section", help="Only this section (title)."),
    root: list[str] = typer.Option([], "--root", help="Local folder holding the files."),
    mapping: list[str] = typer.Option(
        [], "--map", help="Existing mapping PLEX_PREFIX=LOCAL_PREFIX (repeatable, in order)."
    ),
    sample: int = typer.Option(50, "--sample", min=1, help="Tracks to sample per section."),
    timeout_s: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
) -> None:
    """List sections, check sampled tracks' files locally, and propose path mappings."""
    from app.adapters.plex import PlexServerClient
    from app.services.libraries.plex_check import OsFileProbe, check_plex

    mappings = [_mapping(m) for m in mapping]
    try:
        with PlexServerClient(url, token, timeout_s=timeout_s) as client:
            report = check_plex(
                client,
                OsFileProbe(),
                mappings=mappings,
                roots=root,
                section_title=section,
                sample_size=sample,
            )
    except CrossfadeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    _print_report(report, has_roots=bool(root))
    if any(not c.ok for c in report.checks):
        raise typer.Exit(1)


def _print_report(report: PlexCheckReport, *, has_roots: bool) -> None:
    typer.echo("Sections:")
    for s in report.sections:
        typer.echo(f"  [{s.section_id}] {s.title} ({s.kind}): {', '.join(s.locations) or '-'}")
    for c in report.checks:
        typer.echo("")
        typer.echo(
            f"Section {c.section.title!r}: {c.total_tracks} tracks; sampled {c.sampled}, "
            f"{c.resolved} found locally, {len(c.misses)} missing"
        )
        for miss in c.misses[:5]:
            where = miss.local_path or "(no mapping applies)"
            typer.echo(f"  missing: {miss.plex_path} -> {where}")
        if c.proposals:
            typer.echo("  Proposed mappings:")
            for p in c.proposals:
                typer.echo(
                    f"    --map '{p.mapping.plex_prefix}={p.mapping.local_prefix}'"
                    f"  ({p.supporting} sampled tracks agree)"
                )
            typer.echo(f"  With them, {c.fixed_by_proposals} of {len(c.misses)} misses resolve.")
        elif c.misses and not has_roots:
            typer.echo("  Give --root DIR (where the files are here) to get a proposed mapping.")
        elif c.misses:
            typer.echo("  No mapping found: no file under the roots shares a path suffix.")


def _folder(text: str) -> Folder:
    """``DIR`` or ``DIR=PLEX_PATH`` (the server shows the folder as PLEX_PATH)."""
    from plex_emulator.builder import Folder

    local, sep, shown = text.rpartition("=")
    if sep and local and (shown.startswith("/") or is_windows_path(shown)):
        return Folder(local, shown)
    return Folder(text)


def _user(text: str) -> tuple[str, str]:
    name, sep, token = text.partition("=")
    if not sep or not name or not token:
        raise typer.BadParameter(f"expected NAME=TOKEN, got {text!r}")
    return name, token


def emulator(
    music: list[str] = typer.Option(
        [], "--music", help="Music folder, or DIR=PLEX_PATH to show it under another path."
    ),
    movies: list[str] = typer.Option([], "--movies", help="Movie folder (same forms)."),
    port: int = typer.Option(32400, "--port", help="Port on 127.0.0.1 (0: any free port)."),
    token: str | None = typer.Option(
        None, "--token", envvar="CROSSFADE_EMULATOR_TOKEN", help="Owner token (default: random)."
    ),
    user: list[str] = typer.Option([], "--user", help="Shared user NAME=TOKEN (repeatable)."),
    state: str | None = typer.Option(None, "--state", help="JSON file keeping ratings etc."),
    synthetic: int = typer.Option(0, "--synthetic", min=0, help="Add N synthetic tracks."),
) -> None:
    """Run a loopback Plex Media Server emulator over real folders until interrupted."""
    from plex_emulator.builder import EmulatorConfig, build_emulator

    if not music and not movies and not synthetic:
        raise typer.BadParameter("give --music, --movies or --synthetic")
    owner_token = token or secrets.token_urlsafe(16)
    config = EmulatorConfig(
        owner_token=owner_token,
        music=[_folder(m) for m in music],
        movies=[_folder(m) for m in movies],
        users=[_user(u) for u in user],
        synthetic_tracks=synthetic,
        state_file=state,
        port=port,
    )
    server = build_emulator(config)
    server.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    typer.echo(f"Plex emulator at {server.url}")
    typer.echo(f"owner token: {owner_token}")
    for name, _ in config.users:
        typer.echo(f"user: {name}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
        typer.echo("stopped")
