"""The dashboard's library forms, read through the library-kind registry: a kind's fields
(``KindEntry.form``) turn the posted values into the library's ``config`` and its secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.kinds import FieldType, FormField
from app.services.libraries.kinds import KindEntry


def section_ids_of(text: str) -> list[int]:
    """``"1, 3"`` -> ``[1, 3]``; anything else is an InvalidInput."""
    parts = text.replace(",", " ").split()
    if not parts or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise InvalidInput(f"section ids are positive numbers separated by commas, not {text!r}")
    return [int(part) for part in parts]


def _value(field: FormField, raw: object) -> object:
    """One posted value as the config holds it: numbers parsed (a list of checked boxes is
    taken as it is), text stripped, an optional field left empty as its ``if_empty``."""
    if field.type is FieldType.NUMBERS:
        return raw if isinstance(raw, list) else section_ids_of(str(raw))
    text = str(raw)
    if field.type is not FieldType.CHOICE:
        text = text.strip()
    if not text and not field.required:
        return field.if_empty
    return text


def config_of(entry: KindEntry, values: Mapping[str, object]) -> dict[str, Any]:
    """The ``config`` the form's posted ``values`` describe (the secret is not part of it)."""
    return {
        field.name: _value(field, values.get(field.name, field.default))
        for field in entry.form_fields
        if field.type is not FieldType.PASSWORD
    }


def secret_of(entry: KindEntry, values: Mapping[str, object]) -> str | None:
    """The posted secret (None when empty: an update keeps the stored one)."""
    for field in entry.form_fields:
        if field.type is FieldType.PASSWORD:
            return str(values.get(field.name) or "").strip() or None
    return None


def settings_fields(entry: KindEntry) -> tuple[str, ...]:
    """The fields the settings form of ``entry``'s kind posts, besides the name."""
    return tuple(field.name for field in entry.form_fields)


def typed_config(entry: KindEntry, values: Mapping[str, object]) -> dict[str, Any]:
    """The ``config`` of the fields ``values`` holds (a connection test from the add form:
    a field the form does not show keeps the kind's default)."""
    return {
        field.name: _value(field, values[field.name])
        for field in entry.form_fields
        if field.type is not FieldType.PASSWORD and field.name in values
    }
