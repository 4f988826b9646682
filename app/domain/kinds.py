"""The library kinds Crossfade knows, and how a kind describes its dashboard form (pure).

A library *kind* names the outside system a library lives in. The values are stored in the
database and shown by the API, so they never change. What each kind can do (its configuration,
its secret, the links it joins, how its sides are built) is declared once, in the registry of
``app.services.libraries.kinds``; see docs/ARCHITECTURE.md, "Adding an outside system".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LibraryKind(StrEnum):
    """The built-in library kinds."""

    PLEX_MUSIC = "plex_music"
    PLEX_MOVIES = "plex_movies"
    MUSIC_FOLDER = "music_folder"
    MOVIE_FOLDER = "movie_folder"
    SUBSONIC = "subsonic"
    JELLYFIN = "jellyfin"
    MEDIAMONKEY = "mediamonkey"


class FieldType(StrEnum):
    """How a form field is entered: ``text``, ``url``, ``password`` (a secret, never shown
    back), ``numbers`` (a comma-separated list of whole numbers), ``choice`` (one of
    :attr:`FormField.choices`)."""

    TEXT = "text"
    URL = "url"
    PASSWORD = "password"  # noqa: S105 (a field type, not a password)
    NUMBERS = "numbers"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a kind's dashboard form. ``name`` is the config key, or the kind's secret
    for a ``password`` field; ``choices`` are (value, label) pairs for a ``choice`` field;
    ``default`` is what the add form shows first; an optional field left empty stands for
    ``if_empty``; ``on_add``: the add form shows it (else it comes from elsewhere: Plex's
    sections are picked after "Test connection", the account keeps its default)."""

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    help: str = ""
    required: bool = False
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""
    if_empty: str | None = None
    on_add: bool = True


@dataclass(frozen=True, slots=True)
class KindForm:
    """A kind's dashboard form: the add form's ``anchor`` (its card's id), ``title`` and
    ``button``, the placeholder of its name, and its fields (the settings form shows them all).
    ``connection_test``: the add form tests the connection first and picks from what it lists
    (Plex: "Test connection" lists the server's sections)."""

    anchor: str
    title: str
    button: str
    name_placeholder: str
    fields: tuple[FormField, ...]
    connection_test: bool = False
