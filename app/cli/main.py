"""The ``crossfade`` console script: one typer app, one sub-app or command set per module."""

from __future__ import annotations

import typer

from app import __version__
from app.cli.admin import admin_app
from app.cli.catalog import libraries_app, links_app
from app.cli.demo import demo
from app.cli.importers import import_app
from app.cli.mirror import mirror_app
from app.cli.playlists import playlists_app
from app.cli.plex import emulator, plex_app
from app.cli.ratings import ratings_app
from app.cli.subsonic import subsonic_app
from app.cli.system import system_app
from app.cli.tags import tags_app
from app.cli.token import token_app

app = typer.Typer(
    name="crossfade",
    help="Keep music ratings, playlists and movie layouts in step across Plex, Jellyfin and disk.",
    no_args_is_help=True,
    add_completion=False,
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
) -> None:
    """Crossfade command line."""


# Each module registers its own commands; keep one line per module here.
app.add_typer(system_app)
app.add_typer(tags_app, name="tags")
app.add_typer(plex_app, name="plex")
app.add_typer(mirror_app, name="mirror")
app.add_typer(ratings_app, name="ratings")
app.add_typer(playlists_app, name="playlists")
app.add_typer(token_app, name="token")
app.add_typer(admin_app, name="admin")
app.add_typer(import_app, name="import")
app.add_typer(libraries_app, name="libraries")
app.add_typer(links_app, name="links")
app.add_typer(subsonic_app, name="subsonic")
app.command("emulator")(emulator)
app.command("demo")(demo)


def main() -> None:
    app()
