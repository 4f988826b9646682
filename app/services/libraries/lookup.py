"""Saved libraries and links named the way a person types them on a command line.

A link has no name of its own: it is found by its id (``3``), by its label
(``Plex ⇄ Music files``, also written with ``<->``), or by the name of a library that takes part
in exactly one link of the kind asked for. Anything else is an :class:`InvalidInput` listing
what there is.
"""

from __future__ import annotations

from app.domain.errors import InvalidInput, NotFound
from app.domain.library_records import LibraryRecord, LinkRecord
from app.services.ports import LibraryRepositoryPort

ARROWS = ("⇄", "<->", "→", "->", "←", "<-")


def link_label(link: LinkRecord, names: dict[int, str]) -> str:
    """``Plex ⇄ Music files`` (``→``/``←`` for a one-way link)."""
    arrow = {"a_to_b": "→", "b_to_a": "←"}.get(link.direction, "⇄")
    a = names.get(link.library_a_id, f"library {link.library_a_id}")
    b = names.get(link.library_b_id, f"library {link.library_b_id}")
    return f"{a} {arrow} {b}"


def _normal(text: str) -> str:
    for arrow in ARROWS:
        text = text.replace(arrow, "⇄")
    return " ".join(text.casefold().split())


def find_link(
    libraries: LibraryRepositoryPort, wanted: str, *, kind: str | None = None
) -> LinkRecord:
    """The one link ``wanted`` names (see the module's docstring)."""
    links = [link for link in libraries.links() if kind is None or link.kind == kind]
    text = wanted.strip()
    if text.isdigit():
        for link in links:
            if link.id == int(text):
                return link
        raise NotFound(f"no {kind} link with id {text}" if kind else f"no link with id {text}")
    names = {library.id: library.name for library in libraries.libraries()}
    by_label = [link for link in links if _normal(link_label(link, names)) == _normal(text)]
    if len(by_label) == 1:
        return by_label[0]
    by_library = [
        link
        for link in links
        if _normal(text)
        in {_normal(names.get(link.library_a_id, "")), _normal(names.get(link.library_b_id, ""))}
    ]
    if len(by_library) == 1:
        return by_library[0]
    shown = "; ".join(f"{link.id}: {link_label(link, names)}" for link in links) or "none yet"
    many = "several links match" if len(by_label) > 1 or len(by_library) > 1 else "no link matches"
    raise InvalidInput(f"{many} {wanted!r}; give its id. {kind or 'All'} links: {shown}")


def find_library(libraries: LibraryRepositoryPort, wanted: str) -> LibraryRecord:
    """A library by id or by name (case-insensitive)."""
    text = wanted.strip()
    every = libraries.libraries()
    found = [
        library
        for library in every
        if (text.isdigit() and library.id == int(text)) or _normal(library.name) == _normal(text)
    ]
    if len(found) == 1:
        return found[0]
    shown = "; ".join(f"{library.id}: {library.name}" for library in every) or "none yet"
    raise InvalidInput(f"no single library {wanted!r}; libraries: {shown}")
