"""The options that name a Plex server and its music sections on an ad hoc run, shared by
``crossfade ratings`` and ``crossfade playlists``."""

from __future__ import annotations

import typer

PLEX_URL = typer.Option(
    None,
    "--plex-url",
    help="The Plex server, e.g. http://127.0.0.1:32400 (needed without --link).",
    show_default=False,
)
TOKEN = typer.Option(
    None,
    "--token",
    envvar="CROSSFADE_PLEX_TOKEN",
    help="A Plex token (needed without --link).",
    show_default=False,
)
SECTION = typer.Option(
    [],
    "--section",
    help="A music section's title or id; repeatable: one Plex library may hold several "
    "sections (needed without --link).",
    show_default=False,
)
