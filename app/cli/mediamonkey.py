"""``crossfade mediamonkey inspect DB``: what Crossfade sees in a MediaMonkey 4/5 database,
read-only (the file stays byte-identical), and an anonymised dump to attach to a report.

Heavy modules are imported inside the command (``import app.cli.main`` stays light).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from app.services.mediamonkey.inspect import Inspection

mediamonkey_app = typer.Typer(
    help="MediaMonkey 4 and 5 databases (MM.DB, MM5.DB).", no_args_is_help=True
)


def _lines(inspection: Inspection) -> list[str]:
    found = sum(inspection.columns.values())
    lines = [
        f"database:      {inspection.database}",
        f"version:       MediaMonkey {inspection.version or 'unknown'}",
        f"journal mode:  {inspection.journal_mode}",
        f"tables:        {', '.join(inspection.tables) or '-'}",
        f"triggers:      {', '.join(inspection.triggers) or '-'}",
        f"full-text:     {', '.join(inspection.private_fts) or '-'} (private 'mm' tokenizer)",
        "counts:        " + ", ".join(f"{k} {v}" for k, v in inspection.counts.items()),
        "ratings:       " + ", ".join(f"{k}: {v}" for k, v in inspection.ratings.items()),
        "path forms:    " + ", ".join(f"{k} {v}" for k, v in inspection.path_forms.items()),
        f"columns used:  {found} of {len(inspection.columns)} found",
    ]
    lines += [
        f"  {name}: {'found' if ok else 'MISSING'}" for name, ok in inspection.columns.items()
    ]
    lines += [f"trigger {name}: {plan}" for name, plan in inspection.write_triggers.items()]
    lines += [f"problem: {problem}" for problem in inspection.problems]
    return lines


@mediamonkey_app.command("inspect")
def inspect(
    database: Annotated[Path, typer.Argument(help="MM5.DB or MM.DB (opened read-only).")],
    dump: Annotated[
        Path | None,
        typer.Option(help="Write the anonymised schema dump here (JSON: no titles, no paths)."),
    ] = None,
) -> None:
    """Show the version, journal mode, tables, triggers, counts, rating histogram, the columns
    Crossfade uses and the path forms seen; exit 1 when Crossfade could not write to it."""
    from app.domain.errors import CrossfadeError
    from app.services.mediamonkey.inspect import inspect_database, write_dump

    try:
        inspection = inspect_database(database)
    except CrossfadeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    for line in _lines(inspection):
        typer.echo(line)
    target = dump or Path(f"{database.name}.schema.json")
    write_dump(inspection, target)
    typer.echo(f"anonymised schema dump: {target} (attach it to a report)")
    if not inspection.usable:
        raise typer.Exit(1)
