"""What the commands that run a job in this process share: a started container with the
in-process runner, following a job to its end with a progress line on a terminal, and the exit
code its end makes (``app.domain.problems.ExitCode``): 0 the job succeeded cleanly, 1 it
failed, was cancelled or interrupted, 3 it succeeded with problems (warnings or errors about
items; see its events)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from app.cli.progress import ProgressMode, progress_display
from app.cli.system import configure_logging
from app.domain.jobs import JobRecord
from app.domain.names import display_form
from app.domain.problems import exit_code

if TYPE_CHECKING:
    from app.bootstrap import Container


@contextmanager
def local_container() -> Iterator[Container]:
    """Settings from the environment, the database migrated, jobs run in this process."""
    from app.bootstrap import build_container
    from app.cli.where import announcing_new_database
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
    with announcing_new_database(settings):  # "created a new database at ..." once
        container = build_container(settings, runner="inline")
        try:
            container.startup()
        except BaseException:
            container.close()
            raise
    try:
        yield container
    finally:
        container.close()


def follow(
    container: Container,
    job: JobRecord,
    *,
    show_progress: bool = False,
    mode: ProgressMode | None = None,
) -> JobRecord:
    """Wait for the job to end, showing its progress on stderr as ``mode`` says (by default a
    live display when ``show_progress``, else nothing; see ``app.cli.progress``)."""
    if mode is None:
        mode = ProgressMode.LIVE if show_progress else ProgressMode.OFF
    with progress_display(mode) as display:
        while job.status.is_active:
            time.sleep(0.2)
            job = container.jobs.get(job.id)
            display.update(job.phase or job.status.value, job.done, job.total or None)
    return job


def print_summary(job: JobRecord, title: str, lines: Sequence[tuple[str, str]]) -> None:
    """``<title>: job N succeeded`` and one aligned line per counter the job has."""
    heading = "Dry run (nothing written)" if job.dry_run else title
    typer.echo(f"{heading}: job {job.id} {job.status.value}")
    for name, label in lines:
        if name in job.counters:
            typer.echo(f"  {label:<28} {job.counters[name]}")
    if job.problems:
        typer.secho(f"  {'problems (see its events)':<28} {job.problems}", fg=typer.colors.YELLOW)
    if job.error:
        typer.secho(f"  error: {display_form(job.error)}", fg=typer.colors.RED)


def job_exit_code(job: JobRecord) -> int:
    """0 clean, 1 failed (or cancelled, interrupted), 3 succeeded with problems."""
    return int(exit_code(job.status, job.problems))
