"""The ``crossfade`` console script: one typer app whose commands load on first use.

Start-up cost is the import cost, so this module imports nothing of the app but the version.
Each top-level command is one row of ``COMMANDS``: its name, where its typer app or function
lives (``"module:attribute"``) and its one-line help. ``crossfade --help``, ``--version`` and
shell completion of command names read only this table; the module behind a command is
imported when that command runs (or its own ``--help`` is asked for). To add a command group,
write ``app/cli/<name>.py`` with a ``typer.Typer`` and append one row here (see
CONTRIBUTING.md, "Adding a CLI command").
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click as click  # the click that typer ships and builds on
from typer.core import TyperCommand, TyperGroup

from app import __version__
from app.cli import coercion

coercion.install()  # values converted without importing pydantic (app/cli/coercion.py)


@dataclass(frozen=True)
class CommandEntry:
    """One top-level command: ``target`` is ``"module:attribute"`` (a typer app or function).

    ``pick`` takes one command out of a typer app that holds several top-level commands (the
    ``system`` module's ``serve``, ``worker``, ``info`` and ``db``).
    """

    name: str
    target: str
    help: str
    pick: str | None = None


COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry(
        "emulator",
        "app.cli.plex:emulator",
        "Run a loopback Plex Media Server emulator over real folders until interrupted.",
    ),
    CommandEntry(
        "demo",
        "app.cli.demo:demo",
        "Sample music and movies, a Plex emulator, and the app configured for them.",
    ),
    CommandEntry(
        "serve",
        "app.cli.system:system_app",
        "Run the web app: migrate the database, recover dead jobs, start the job runner.",
        pick="serve",
    ),
    CommandEntry(
        "worker",
        "app.cli.system:system_app",
        "Run an arq worker: take jobs from redis (CROSSFADE_REDIS_URL) and run them.",
        pick="worker",
    ),
    CommandEntry(
        "info",
        "app.cli.system:system_app",
        "Version, paths, database, queue and the effective settings (secrets masked).",
        pick="info",
    ),
    CommandEntry(
        "db",
        "app.cli.system:system_app",
        "The database schema (Alembic migrations).",
        pick="db",
    ),
    CommandEntry(
        "tags", "app.cli.tags:tags_app", "Read, write and survey rating tags in audio files."
    ),
    CommandEntry("plex", "app.cli.plex:plex_app", "Plex servers: diagnostics."),
    CommandEntry(
        "mirror",
        "app.cli.mirror:mirror_app",
        "Mirror a movie library between Jellyfin and Plex layouts (jellyplex-sync compatible).",
    ),
    CommandEntry(
        "ratings",
        "app.cli.ratings:ratings_app",
        "Music ratings: Plex ⇄ the rating tags in your audio files.",
    ),
    CommandEntry(
        "playlists",
        "app.cli.playlists:playlists_app",
        "Playlists: Plex audio playlists ⇄ M3U/M3U8 files, both ways.",
    ),
    CommandEntry(
        "token",
        "app.cli.token:token_app",
        "API tokens for scripts and Home Assistant (sent as 'Authorization: Bearer ...').",
    ),
    CommandEntry(
        "admin", "app.cli.admin:admin_app", "The admin account (the dashboard's one user)."
    ),
    CommandEntry(
        "import",
        "app.cli.importers:import_app",
        "Bring in another tool's configuration: PlexMusicRatingsSync, plex-music-rating-sync.",
    ),
    CommandEntry("libraries", "app.cli.catalog:libraries_app", "Saved libraries."),
    CommandEntry("links", "app.cli.catalog:links_app", "Saved links between libraries."),
    CommandEntry("subsonic", "app.cli.subsonic:subsonic_app", "Subsonic servers: connection test."),
    CommandEntry(
        "mediamonkey",
        "app.cli.mediamonkey:mediamonkey_app",
        "MediaMonkey 4 and 5 databases (MM.DB, MM5.DB).",
    ),
)


def load_command(entry: CommandEntry) -> click.Command:
    """Import the module behind ``entry`` and build its click command (the slow part)."""
    module_name, _, attribute = entry.target.partition(":")
    target: Any = getattr(importlib.import_module(module_name), attribute)
    command: click.Command
    if isinstance(target, typer.Typer):
        target.rich_markup_mode = None  # plain help: no rich import, no ``<bool>`` metavars
        command = typer.main.get_group(target)  # a group even with one command (as add_typer)
    else:
        wrapper = typer.Typer(rich_markup_mode=None)
        wrapper.command(entry.name)(target)
        command = typer.main.get_command(wrapper)
    if entry.pick is not None:
        assert isinstance(command, TyperGroup)
        picked = command.get_command(click.Context(command), entry.pick)
        if picked is None:
            raise LookupError(f"{entry.target} has no command {entry.pick!r}")
        command = picked
    command.name = entry.name
    return command


class LazyGroup(TyperGroup):
    """A typer group whose subcommands are ``COMMANDS`` rows, imported only when used.

    Listing (help, completion of names) sees light placeholders carrying the row's help;
    resolving a command for a run, its own help or completion of its options imports it.
    """

    entries: tuple[CommandEntry, ...] = COMMANDS

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._by_name = {entry.name: entry for entry in self.entries}
        self._loaded: dict[str, click.Command] = {}
        for entry in self.entries:
            self.commands.setdefault(entry.name, TyperCommand(name=entry.name, help=entry.help))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in self._by_name:
            command = self.real_command(name)
        return name, command, rest

    def real_command(self, name: str) -> click.Command:
        if name not in self._loaded:
            self._loaded[name] = load_command(self._by_name[name])
        return self._loaded[name]


app = typer.Typer(
    name="crossfade",
    help="Keep music ratings, playlists and movie layouts in step across Plex, Jellyfin and disk.",
    no_args_is_help=True,
    cls=LazyGroup,
    rich_markup_mode=None,
    context_settings={"show_default": True},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"crossfade {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version."
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Also print informational logs (migrations, scheduler) on stderr.",
        show_default=False,
    ),
) -> None:
    """Crossfade command line."""
    if verbose:
        from app.cli.system import set_verbose

        set_verbose()


def main() -> None:
    app()
