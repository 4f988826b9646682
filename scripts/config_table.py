"""Print the README's configuration table, generated from app.settings.Settings.

Usage: python scripts/config_table.py   (tests/test_readme.py checks the README matches)
"""

from __future__ import annotations

import typing
from pathlib import Path

from app.settings import Settings


def default_text(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, Path):
        return f"`{value.as_posix() if value.is_absolute() else './' + value.as_posix()}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def choices_text(annotation: object) -> str:
    if typing.get_origin(annotation) is typing.Literal:
        choices = ", ".join(f"`{choice}`" for choice in typing.get_args(annotation))
        return f" One of: {choices}."
    return ""


def config_table() -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        variable = f"`{prefix}{name.upper()}`"
        meaning = (field.description or "") + choices_text(field.annotation)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        shown = extra.get("shown_default")
        default = str(shown) if shown is not None else default_text(field.default)
        rows.append(f"| {variable} | {default} | {meaning} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(config_table())
