"""What ``crossfade mediamonkey inspect`` and the library page show of a MediaMonkey database,
read-only: version, journal mode, tables and triggers, counts, the rating histogram, the
columns Crossfade uses (found or not), the path forms seen, and what a rating write would do
with each trigger. :meth:`Inspection.dump` is the anonymised version a user can attach to a
report: the schema (no rows) and numbers only, never a title or a path.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.adapters.mediamonkey.database import MMDatabase
from app.adapters.mediamonkey.schema import PLAYLIST_WRITES, RATING_WRITES, REQUIRED_COLUMNS
from app.domain.mediamonkey import PathForm, path_form


@dataclass
class Inspection:
    database: str
    version: int
    journal_mode: str
    user_version: int
    tables: list[str]
    triggers: list[str]  # "name (on table)"
    private_fts: list[str]
    counts: dict[str, int]
    ratings: dict[str, int]  # Songs.Rating value (text; "NULL") → songs
    columns: dict[str, bool]  # "Songs.Rating" → found
    path_forms: dict[str, int]  # drive / unc / other → songs
    write_triggers: dict[str, str]  # trigger → what a write does with it
    problems: list[str] = field(default_factory=list)
    schema: list[dict[str, str]] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.problems

    def dump(self) -> dict[str, Any]:
        """The anonymised dump: everything but the database's own path."""
        data = asdict(self)
        data.pop("database")
        return data


def _trigger_plan(db: MMDatabase) -> tuple[dict[str, str], list[str]]:
    plan: dict[str, str] = {}
    problems: list[str] = []
    for what, writes in (("rating", RATING_WRITES), ("playlist", PLAYLIST_WRITES)):
        for trigger in db.schema.fired_by(writes):
            if db.schema.feeds_private_fts(trigger):
                plan[trigger.name] = (
                    f"fired by {what} writes: feeds the private full-text "
                    "index; dropped and re-created around them"
                )
            else:
                plan[trigger.name] = f"fired by {what} writes: unknown, writes refused"
                problems.append(f"unknown trigger {trigger.name} on {trigger.table}")
    return plan, problems


def _count(db: MMDatabase, sql: str) -> int:
    rows = db.query(sql)
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def _counts(db: MMDatabase) -> dict[str, int]:
    return {
        "songs": _count(db, "SELECT count(*) FROM Songs"),
        "medias": _count(db, "SELECT count(*) FROM Medias"),
        "playlists": _count(db, "SELECT count(*) FROM Playlists WHERE IsAutoPlaylist = 0"),
        "auto_playlists": _count(db, "SELECT count(*) FROM Playlists WHERE IsAutoPlaylist <> 0"),
        "nested_playlists": _count(db, "SELECT count(*) FROM Playlists WHERE ParentPlaylist <> 0"),
        "playlist_songs": _count(db, "SELECT count(*) FROM PlaylistSongs"),
    }


def _path_forms(db: MMDatabase) -> dict[str, int]:
    forms = dict.fromkeys((f.value for f in PathForm), 0)
    for prefix, n in db.query("SELECT substr(SongPath, 1, 2), count(*) FROM Songs GROUP BY 1"):
        form = path_form(prefix if isinstance(prefix, str) else "")
        forms[form.value] += int(n)  # type: ignore[call-overload]
    return forms


def inspect_database(db_path: Path) -> Inspection:
    """Inspect ``db_path`` read-only (the file is left byte-identical)."""
    db = MMDatabase(db_path, read_only=True)
    try:
        schema = db.schema
        found = {
            f"{table}.{column}": column.casefold()
            in {c.casefold() for c in schema.tables.get(table, ())}
            for table, columns in REQUIRED_COLUMNS.items()
            for column in columns
        }
        problems = [f"missing column {name}" for name, ok in found.items() if not ok]
        plan, trigger_problems = _trigger_plan(db)
        problems += trigger_problems
        complete = not [p for p in problems if p.startswith("missing")]
        counts = _counts(db) if complete else {}
        histogram = (
            {("NULL" if v is None else str(v)): n for v, n in sorted(
                db.rating_counts().items(), key=lambda kv: -2 if kv[0] is None else kv[0])}
            if complete else {}
        )  # fmt: skip
        rows = db.query(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL ORDER BY 1, 2"
        )
        return Inspection(
            database=str(db_path),
            version=schema.version,
            journal_mode=schema.journal_mode,
            user_version=schema.user_version,
            tables=sorted(schema.tables),
            triggers=[f"{t.name} (on {t.table})" for t in schema.triggers],
            private_fts=list(schema.private_fts),
            counts=counts,
            ratings=histogram,
            columns=found,
            path_forms=_path_forms(db) if complete else {},
            write_triggers=plan,
            problems=problems,
            schema=[{"type": str(r[0]), "name": str(r[1]), "table": str(r[2]), "sql": str(r[3])}
                    for r in rows],
        )  # fmt: skip
    finally:
        db.close()
