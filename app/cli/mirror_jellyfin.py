"""``crossfade mirror jellyfin-check URL``: "test connection" for a Jellyfin server that a mirror
link tells of changed folders. Registered by :mod:`app.cli.mirror`; httpx and the services are
imported only when the command runs."""

from __future__ import annotations

import os

import typer

JELLYFIN_KEY_ENV = "CROSSFADE_JELLYFIN_API_KEY"


def jellyfin_check_command(
    url: str = typer.Argument(..., help="The Jellyfin server's URL.", show_default=False),
    timeout_s: float = typer.Option(10.0, "--timeout", help="Seconds to wait for the server."),
) -> None:
    """Test the connection to a Jellyfin server (GET /System/Info). The API key comes from
    $CROSSFADE_JELLYFIN_API_KEY, else it is asked for (never echoed)."""
    from app.adapters.jellyfin import JellyfinClient  # httpx: only for this command
    from app.domain.errors import CrossfadeError
    from app.services.libraries.kind_jellyfin import check_connection

    api_key = os.environ.get(JELLYFIN_KEY_ENV) or typer.prompt("API key", hide_input=True)

    def client(base_url: str, key: str, timeout: float) -> JellyfinClient:
        return JellyfinClient(base_url, key, timeout_s=timeout)

    try:
        info = check_connection(url, api_key, client, timeout_s=timeout_s)
    except (CrossfadeError, ValueError) as exc:
        typer.echo(f"Failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Connected: {info.server_name or '?'} (Jellyfin {info.version or '?'})")
