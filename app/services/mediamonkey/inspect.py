"""``crossfade mediamonkey inspect`` and the library page's MediaMonkey summary: a read-only
look at a database (``app.adapters.mediamonkey.inspect``), and its anonymised dump written to
a file a user can attach to a report."""

from __future__ import annotations

import json
from pathlib import Path

from app.adapters.mediamonkey.inspect import Inspection, inspect_database
from app.domain.library_records import LibraryRecord
from app.services.mediamonkey.kind import FileTags, MediaMonkeyConfig

__all__ = ["Inspection", "inspect_database", "inspect_library", "write_dump"]


def write_dump(inspection: Inspection, target: Path) -> Path:
    """The anonymised dump (schema and numbers, no titles, no paths) as JSON at ``target``."""
    target.write_text(json.dumps(inspection.dump(), indent=2, sort_keys=True) + "\n", "utf-8")
    return target


def inspect_library(library: LibraryRecord) -> tuple[Inspection, FileTags]:
    """A MediaMonkey library's database inspected, and who keeps its files' rating tags."""
    config = MediaMonkeyConfig.model_validate(library.config)
    return inspect_database(Path(config.database)), config.file_tags
