"""``crossfade subsonic check``: test the connection to a Subsonic / OpenSubsonic server.

Shows the server's name and version, the API version, the OpenSubsonic extensions, the auth
mode that worked (a token first; the password only where the server needs it) and any warning
(credentials over plain HTTP to another machine). The adapter is imported inside the command,
so ``import app.cli.main`` stays light.
"""

from __future__ import annotations

import typer

subsonic_app = typer.Typer(help="Subsonic servers: connection test.", no_args_is_help=True)


@subsonic_app.command("check")
def check(
    url: str = typer.Option(..., "--url", help="Base URL of the server (no /rest)."),
    user: str = typer.Option("", "--user", help="User name; leave out with --api-key."),
    password: str = typer.Option(
        "", "--password", envvar="CROSSFADE_SUBSONIC_PASSWORD", help="The user's password."
    ),
    api_key: str = typer.Option(
        "", "--api-key", envvar="CROSSFADE_SUBSONIC_API_KEY", help="An OpenSubsonic API key."
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="Never send the password itself (token auth only)."
    ),
    timeout_s: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
) -> None:
    """Ping the server with the detected auth and list what it offers."""
    from app.adapters.subsonic import AuthMode, SubsonicClient
    from app.domain.errors import CrossfadeError

    if bool(api_key) == bool(password):
        typer.echo("error: give either --password (with --user) or --api-key", err=True)
        raise typer.Exit(2)
    mode = AuthMode.API_KEY if api_key else AuthMode.AUTO
    try:
        with SubsonicClient(
            url,
            "" if api_key else user,
            api_key or password,
            auth=mode,
            allow_password=not no_password,
            timeout_s=timeout_s,
        ) as client:
            info = client.server_info()
    except CrossfadeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    server = " ".join(x for x in (info.server_type, info.server_version) if x) or "(not said)"
    typer.echo(f"Server: {server}")
    typer.echo(f"API version: {info.api_version}")
    typer.echo(f"OpenSubsonic: {'yes' if info.open_subsonic else 'no'}")
    typer.echo(f"Extensions: {', '.join(info.extensions) or '-'}")
    typer.echo(f"Auth: {info.auth_mode}")
    for warning in info.warnings:
        typer.echo(f"warning: {warning}")
