"""``crossfade libraries list`` and ``crossfade links list``: what is saved, with the ids and
labels that ``--link`` accepts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from app.services.libraries.service import LibraryCatalog

libraries_app = typer.Typer(help="Saved libraries.", no_args_is_help=True)
links_app = typer.Typer(help="Saved links between libraries.", no_args_is_help=True)

JSON_HELP = "Print a JSON list instead of a table."


@contextmanager
def _catalog() -> Iterator[LibraryCatalog]:
    from app.bootstrap import build_container
    from app.cli.system import configure_logging, reported_errors
    from app.cli.where import announcing_new_database
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
    with reported_errors(), announcing_new_database(settings):
        container = build_container(settings, runner="inline")
        try:
            container.startup()
            yield container.domains.libraries
        finally:
            container.close()


def _print(
    rows: list[dict[str, Any]], line: Callable[[dict[str, Any]], str], *, as_json: bool
) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    elif not rows:
        typer.echo("none yet")
    else:
        for row in rows:
            typer.echo(line(row))


@libraries_app.command("list")
def list_libraries(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Every library: id, kind, name and where it is (never its secret)."""
    with _catalog() as catalog:
        rows = [
            {
                "id": library.id,
                "kind": library.kind,
                "name": library.name,
                "where": str(
                    library.config.get("root")
                    or library.config.get("base_url")
                    or library.config.get("database")
                    or ""
                ),
            }
            for library in catalog.libraries()
        ]
    _print(
        rows,
        lambda r: f"{r['id']:>4}  {r['kind']:<13} {r['name']}  ({r['where']})",
        as_json=as_json,
    )


@links_app.command("list")
def list_links(
    kind: str | None = typer.Option(
        None, "--kind", help="Only links of this kind (ratings, playlists, mirror)."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Every link: id, kind, its libraries and direction, schedule; `--link` takes the id or
    the label shown."""
    from app.services.libraries.lookup import link_label

    with _catalog() as catalog:
        names = {library.id: library.name for library in catalog.libraries()}
        rows = [
            {
                "id": link.id,
                "kind": link.kind,
                "label": link_label(link, names),
                "direction": link.direction,
                "policy": link.policy,
                "schedule": link.schedule,
                "enabled": link.enabled,
            }
            for link in catalog.links(kind=kind)
        ]
    _print(
        rows,
        lambda r: (
            f"{r['id']:>4}  {r['kind']:<9} {r['label']}"
            + (f"  [{r['schedule']}]" if r["schedule"] else "")
            + ("" if r["enabled"] else "  (disabled)")
        ),
        as_json=as_json,
    )
