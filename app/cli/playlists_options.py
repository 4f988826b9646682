"""The options the ``crossfade playlists sync|import|export`` commands share."""

from __future__ import annotations

import typer

LINK = typer.Option(
    None,
    "--link",
    help="Run a saved playlists link (its id, its label or the name of one of its libraries) "
    "as it is configured, instead of naming Plex and a folder.",
    show_default=False,
)
PLAYLIST_DIR = typer.Option(
    None,
    "--playlist-dir",
    help="The folder of .m3u/.m3u8/.pls files (needed without --link).",
    show_default=False,
)
MUSIC_DIR = typer.Option(
    None,
    "--music-dir",
    help="The folder holding the audio files (to match tracks by tags when paths differ).",
)
PATH_MAP = typer.Option(
    [], "--path-map", help="PLEX_PREFIX=LOCAL_PREFIX, repeatable, tried in order."
)
MODE = typer.Option(
    None,
    "--mode",
    help="mirror: the target becomes identical; append: only add what is missing "
    "(default: the link's mode, mirror for a new one).",
    show_default=False,
)
POLICY = typer.Option(
    None,
    "--policy",
    help="When both sides changed (default: the link's policy, ask for a new one).",
    show_default=False,
)
DRY_RUN = typer.Option(False, "--dry-run", help="Plan and report; write nothing anywhere.")
AS_JSON = typer.Option(False, "--json", help="Print one JSON document instead of a summary.")
