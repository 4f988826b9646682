"""``crossfade serve | worker | info | db ...``: run and inspect an installation."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.adapters.assets import AssetName, asset_dir
from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine
from app.adapters.log_format import configure as configure_log_format
from app.adapters.log_redaction import install as install_log_redaction
from app.adapters.log_redaction import remember
from app.adapters.private_files import private_dir
from app.adapters.queue import redis_reachable
from app.bootstrap import secure_data_dir
from app.domain.errors import CrossfadeError
from app.main import create_app
from app.settings import Settings, load_settings, mask_url_password
from worker.main import run_worker

system_app = typer.Typer(add_completion=False)
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
system_app.add_typer(db_app, name="db")


def configure_logging(settings: Settings) -> None:
    """Our log format and level; no secret in any record (``app.adapters.log_redaction``)."""
    install_log_redaction()
    for secret in (settings.secret_key, settings.admin_password):
        remember(secret.get_secret_value() if secret else None)
    configure_log_format(settings.log_level, settings.log_format)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Our errors end the command with their message and exit code 1, not a traceback."""
    try:
        yield
    except CrossfadeError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


@system_app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default: CROSSFADE_HOST)."),
    port: int | None = typer.Option(None, help="Port to bind (default: CROSSFADE_PORT)."),
) -> None:
    """Run the web app: migrate the database, recover dead jobs, start the job runner."""
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = load_settings(**overrides)
    configure_logging(settings)
    with reported_errors():
        private_dir(settings.data_dir)  # before anything (the secret key) is written into it
        application = create_app(settings)
        typer.echo(
            f"Crossfade {__version__} on http://{settings.host}:{settings.port} "
            f"(data: {settings.data_dir.resolve()}, jobs: {settings.queue_mode})"
        )
        uvicorn.run(
            application,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            log_config=None,  # keep configure_logging's one format (app.adapters.log_format)
            proxy_headers=False,  # the app believes CROSSFADE_TRUSTED_PROXIES only (app.main)
        )


@system_app.command()
def worker() -> None:
    """Run an arq worker: take jobs from redis (CROSSFADE_REDIS_URL) and run them."""
    settings = load_settings()
    configure_logging(settings)
    with reported_errors():
        run_worker(settings)


@system_app.command()
def info(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Version, paths, database, queue and the effective settings (secrets masked)."""
    settings = load_settings()
    facts: dict[str, object] = {
        "version": __version__,
        "config": "environment variables CROSSFADE_* (no config file)",
        "data_dir": str(settings.data_dir.resolve()),
        "database": mask_url_password(settings.effective_database_url),
        "schema": _schema_state(settings),
        "queue_mode": settings.queue_mode,
        "queue": _queue_state(settings),
        "migrations_dir": _asset_path("migrations"),
        "templates_dir": _asset_path("templates"),
        "static_dir": _asset_path("static"),
        "settings": settings.masked(),
    }
    if as_json:
        typer.echo(json.dumps(facts, indent=2, default=str))
        return
    for name, value in facts.items():
        if isinstance(value, dict):
            typer.echo(f"{name}:")
            for key, item in value.items():
                typer.echo(f"  {key}: {item}")
        else:
            typer.echo(f"{name}: {value}")


def _schema_state(settings: Settings) -> str:
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return f"no database file yet (`crossfade db upgrade` creates it at {url.database})"
    engine = create_db_engine(settings.effective_database_url)
    try:
        current = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        return f"unreachable ({type(exc).__name__})"
    finally:
        engine.dispose()
    head = migrate.head_revision()
    if current is None:
        return f"empty (run `crossfade db upgrade` to create revision {head})"
    return f"{current} (up to date)" if current == head else f"{current} (newest is {head})"


def _queue_state(settings: Settings) -> str:
    if not settings.redis_url:
        return "in-process runner inside `crossfade serve`"
    ok, why = redis_reachable(settings.redis_url)
    return "redis reachable" if ok else f"redis unreachable: {why}"


def _asset_path(name: AssetName) -> str:
    try:
        return str(asset_dir(name))
    except CrossfadeError as exc:
        return f"missing ({exc})"


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", help="Target revision (default: the newest)."),
) -> None:
    """Create or update the database schema (serve and worker also do this on start)."""
    settings = load_settings()
    with reported_errors():
        secret_box = secure_data_dir(settings)
        engine = create_db_engine(settings.effective_database_url)
        try:
            migrate.upgrade(engine, revision, secret_box=secret_box)
            typer.echo(f"database at revision {migrate.current_revision(engine)}")
        finally:
            engine.dispose()


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument(..., help="Target revision: an id, -1, or base (all)."),
) -> None:
    """Take the schema back to an older revision (base removes every table)."""
    settings = load_settings()
    with reported_errors():
        secret_box = secure_data_dir(settings)
        engine = create_db_engine(settings.effective_database_url)
        try:
            migrate.downgrade(engine, revision, secret_box=secret_box)
            typer.echo(f"database at revision {migrate.current_revision(engine) or 'base'}")
        finally:
            engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one available."""
    settings = load_settings()
    typer.echo(_schema_state(settings))


@db_app.command("revision")
def db_revision(
    message: str = typer.Option(..., "-m", "--message", help="What the revision changes."),
) -> None:
    """For developers: write a new revision from the difference between models and head.

    Compares against a scratch SQLite database brought to head, so no real database is needed.
    Review the generated file under migrations/versions/ before committing it.
    """
    with reported_errors(), tempfile.TemporaryDirectory() as scratch:
        engine = create_db_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            migrate.upgrade(engine)
            path = migrate.new_revision(engine, message)
        finally:
            engine.dispose()
        typer.echo(f"wrote {path}")
