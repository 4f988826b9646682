"""``crossfade token create | list | revoke``: API tokens without a browser (headless setup).

Works on the database directly (migrating it first), so it also works before the first
``crossfade serve``. ``create`` prints the token alone on stdout, once; nothing else ever
shows it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from app.cli.system import configure_logging, reported_errors
from app.domain.auth import SCOPE_MEANINGS, Scope
from app.domain.auth_records import TokenRecord

if TYPE_CHECKING:
    from app.services.auth.service import AuthService

token_app = typer.Typer(
    help="API tokens for scripts and Home Assistant (sent as 'Authorization: Bearer ...').",
    no_args_is_help=True,
)

SCOPE_HELP = "; ".join(f"{scope.value}: {SCOPE_MEANINGS[scope]}" for scope in Scope)


@contextmanager
def _auth_service() -> Iterator[AuthService]:
    """The auth service on the migrated database (imported here: the database stack is heavy)."""
    from app.adapters.db import migrate
    from app.adapters.db.auth_repo import AuthRepository
    from app.adapters.db.engine import create_db_engine, create_session_factory
    from app.bootstrap import secure_data_dir
    from app.services.auth.service import AuthService
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
    engine = create_db_engine(settings.effective_database_url)
    try:
        migrate.upgrade(engine, secret_box=secure_data_dir(settings))
        yield AuthService(AuthRepository(create_session_factory(engine)))
    finally:
        engine.dispose()


def _scopes(record: TokenRecord) -> list[str]:
    return [scope.value for scope in sorted(record.scopes, key=lambda scope: scope.rank)]


def _when(record: TokenRecord) -> dict[str, str | None]:
    return {
        "created_at": record.created_at.isoformat(),
        "last_used_at": record.last_used_at.isoformat() if record.last_used_at else None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }


@token_app.command("create")
def create(
    name: str = typer.Option(..., "--name", "-n", help="What will use it, e.g. 'home assistant'."),
    scope: list[str] = typer.Option(["read"], "--scope", "-s", help=SCOPE_HELP),
) -> None:
    """Create a token and print it (stdout, once: only its hash is stored)."""
    with reported_errors(), _auth_service() as auth:
        issued = auth.create_token(name, scope)
    typer.echo(issued.secret)
    record = issued.record
    typer.echo(
        f"token {record.id} {record.name!r} ({', '.join(_scopes(record))}) created; "
        "copy it now, it is not shown again",
        err=True,
    )


@token_app.command("list")
def list_tokens(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    include_revoked: bool = typer.Option(
        True, "--all/--active", help="Include revoked tokens (default) or only active ones."
    ),
) -> None:
    """Tokens by id: name, scopes, the first characters, when used; never the token."""
    with reported_errors(), _auth_service() as auth:
        records = auth.tokens(include_revoked=include_revoked)
    if as_json:
        document = [
            {
                "id": record.id,
                "name": record.name,
                "scopes": _scopes(record),
                "prefix": record.prefix,
                "active": record.active,
                **_when(record),
            }
            for record in records
        ]
        typer.echo(json.dumps(document, ensure_ascii=False))
        return
    if not records:
        typer.echo("no tokens")
        return
    for record in records:
        used = record.last_used_at.strftime("%Y-%m-%d %H:%M") if record.last_used_at else "never"
        state = "active" if record.active else "revoked"
        typer.echo(
            f"{record.id:>4}  {record.prefix}…  {state:<7}  {','.join(_scopes(record)):<14}  "
            f"used {used:<16}  {record.name}"
        )


@token_app.command("revoke")
def revoke(
    token_id: int = typer.Argument(..., help="The token's id (see `crossfade token list`)."),
) -> None:
    """Revoke a token: it stops working at once."""
    with reported_errors(), _auth_service() as auth:
        record = auth.revoke_token(token_id)
    typer.echo(f"token {record.id} {record.name!r} revoked")
