"""``crossfade admin set-password``: set the admin's password from the host (a forgotten
password, or a scripted rotation). Every browser session of the admin ends.

Prompts twice (hidden) or reads one line from stdin with ``--password-stdin``; the password is
never an argument (it would sit in the shell history and the process list).
"""

from __future__ import annotations

import sys

import typer

from app.cli.system import reported_errors
from app.cli.token import _auth_service

admin_app = typer.Typer(help="The admin account (the dashboard's one user).", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    return password


@admin_app.command("set-password")
def set_password(
    username: str | None = typer.Option(
        None, "--username", "-u", help="The admin's name (default: the one admin)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from the first line of stdin."
    ),
) -> None:
    """Set the admin's password; every signed-in browser is signed out."""
    password = _read_password(password_stdin)
    with reported_errors(), _auth_service() as auth:
        user, ended = auth.set_password(password, username=username)
    typer.echo(f"password of admin {user.username!r} set; {ended} sessions signed out")
