"""``crossfade serve | worker | info | db ...``: run and inspect an installation."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from app import __version__
from app.adapters.log_format import configure as configure_log_format
from app.adapters.log_redaction import install as install_log_redaction
from app.adapters.log_redaction import remember
from app.domain.errors import CrossfadeError, SetupError

if TYPE_CHECKING:
    from app.adapters.assets import AssetName
    from app.settings import Settings

# The web stack, the database and the worker are imported inside the commands that use them,
# so that ``crossfade --help`` and light commands start fast (see app/cli/main.py).

system_app = typer.Typer(add_completion=False)
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
system_app.add_typer(db_app, name="db")


_verbosity = {"verbose": False}


def set_verbose() -> None:
    """``crossfade -v``: commands log at the configured level, informational records included."""
    _verbosity["verbose"] = True


def configure_logging(settings: Settings, *, quiet: bool = True) -> None:
    """Our log format and level; no secret in any record (``app.adapters.log_redaction``).

    A command is ``quiet`` unless ``-v`` was given: warnings and errors only, so that cron
    mails nothing about migrations or the scheduler. ``serve`` and ``worker`` are services and
    log at ``CROSSFADE_LOG_LEVEL`` (``quiet=False``).
    """
    install_log_redaction()
    for secret in (settings.secret_key, settings.admin_password):
        remember(secret.get_secret_value() if secret else None)
    level = settings.log_level.upper()
    if quiet and not _verbosity["verbose"] and logging.getLevelName(level) < logging.WARNING:
        level = "WARNING"
    configure_log_format(level, settings.log_format)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Our errors end the command with their message and exit code 1, not a traceback."""
    try:
        yield
    except CrossfadeError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


# A long-lived process gives the memory of a finished run back to the system only if its
# objects live in the C allocator (which ``malloc_trim`` can shrink) rather than in Python's
# own arenas, which stay while any object in them lives: measured on a 20,000-track sync,
# +67 MB kept with Python's allocator, +20 MB with glibc's limited to two arenas.
LEAN_ALLOCATOR = {"PYTHONMALLOC": "malloc", "MALLOC_ARENA_MAX": "2"}


def _restart_with_lean_allocator(command: str) -> None:
    """Replace this process (same pid, same arguments) by one with ``LEAN_ALLOCATOR``, unless
    the environment chose an allocator already (``PYTHONMALLOC`` set), this is not Linux, or
    the process is not the ``crossfade`` command line running ``command`` (a test calling the
    command in its own process must not be replaced)."""
    if not sys.platform.startswith("linux") or "PYTHONMALLOC" in os.environ:
        return
    if Path(sys.argv[0]).name not in ("crossfade", "-c") or command not in sys.argv[1:]:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, {**os.environ, **LEAN_ALLOCATOR})  # noqa: S606


def _without_httpx_command_line() -> None:
    """httpx imports its own command line (rich, pygments, click: about 6 MB resident) when it
    can; a server never runs it. A ``None`` entry makes that import fail, and httpx goes on
    without it (it expects the failure)."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


@system_app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default: CROSSFADE_HOST)."),
    port: int | None = typer.Option(None, help="Port to bind (default: CROSSFADE_PORT)."),
) -> None:
    """Run the web app: migrate the database, recover dead jobs, start the job runner."""
    _restart_with_lean_allocator("serve")
    _without_httpx_command_line()
    import uvicorn

    from app.adapters.private_files import private_dir
    from app.main import create_app
    from app.settings import load_settings

    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = load_settings(**overrides)
    configure_logging(settings, quiet=False)
    with reported_errors():
        private_dir(settings.data_dir)  # before anything (the secret key) is written into it
        _upgrade_schema_in_child(settings)
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


def _upgrade_schema_in_child(settings: Settings) -> None:
    """Bring the schema to head in a child process (``crossfade db upgrade``, same environment)
    when it is not there yet, so that the long-lived server never loads Alembic, Mako and
    Pygments (about 12 MB resident that a process does not give back): the server's own
    start-up then finds the schema at head. If the child fails, its error is reported and
    the server does not start."""
    from app.adapters.db import migrate
    from app.adapters.db.engine import create_db_engine

    engine = create_db_engine(settings.effective_database_url)
    try:
        if migrate.at_head(engine):
            return
    except SetupError:
        pass  # the child says why, in its own words
    finally:
        engine.dispose()
    command = [sys.executable, "-c", "from app.cli.main import main; main()", "db", "upgrade"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = done.stderr.strip().removeprefix("error: ") or f"exit code {done.returncode}"
        raise SetupError(f"the database could not be migrated: {message}")
    logging.getLogger("crossfade").info("schema: %s", done.stdout.strip())


@system_app.command()
def worker() -> None:
    """Run an arq worker: take jobs from redis (CROSSFADE_REDIS_URL) and run them."""
    _restart_with_lean_allocator("worker")
    from app.settings import load_settings
    from worker.main import run_worker

    settings = load_settings()
    configure_logging(settings, quiet=False)
    with reported_errors():
        run_worker(settings)


@system_app.command()
def info(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Version, paths, database, queue and the effective settings (secrets masked)."""
    from app.settings import load_settings, mask_url_password

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
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from app.adapters.db import migrate
    from app.adapters.db.engine import create_db_engine

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
    from app.adapters.queue import redis_reachable

    if not settings.redis_url:
        return "in-process runner inside `crossfade serve`"
    ok, why = redis_reachable(settings.redis_url)
    return "redis reachable" if ok else f"redis unreachable: {why}"


def _asset_path(name: AssetName) -> str:
    from app.adapters.assets import asset_dir

    try:
        return str(asset_dir(name))
    except CrossfadeError as exc:
        return f"missing ({exc})"


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", help="Target revision (default: the newest)."),
) -> None:
    """Create or update the database schema (serve and worker also do this on start)."""
    from app.adapters.db import migrate
    from app.adapters.db.engine import create_db_engine
    from app.bootstrap import secure_data_dir
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
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
    from app.adapters.db import migrate
    from app.adapters.db.engine import create_db_engine
    from app.bootstrap import secure_data_dir
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
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
    from app.settings import load_settings

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
    from app.adapters.db import migrate
    from app.adapters.db.engine import create_db_engine

    with reported_errors(), tempfile.TemporaryDirectory() as scratch:
        engine = create_db_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            migrate.upgrade(engine)
            path = migrate.new_revision(engine, message)
        finally:
            engine.dispose()
        typer.echo(f"wrote {path}")
