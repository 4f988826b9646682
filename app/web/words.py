"""The vocabulary (:mod:`app.domain.vocabulary`) as Jinja filters, and the small text helpers
pages use to show an item by its name with its key or path as secondary text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment

from app.domain import vocabulary

# "Artist – Title [key or path]": the label the ratings sync gives an item
_KEYED = re.compile(r"^(?P<name>.+?) \[(?P<ref>[^\[\]]+)\]$")


def item_name(subject: str) -> str:
    """``Artist – Title`` of ``Artist – Title [1000]``; the subject itself otherwise."""
    found = _KEYED.match(subject)
    return found.group("name") if found else subject


def item_ref(subject: str) -> str:
    """``1000`` of ``Artist – Title [1000]``; empty when the subject has no key."""
    found = _KEYED.match(subject)
    return found.group("ref") if found else ""


_STARS = re.compile(r"(?:\d+½?|½)★|unrated")


def side_value(text: str | None) -> str:
    """The rating a side holds, as stars: ``2½★`` of ``B popm:musicbee 118 (2½★)``."""
    if not text:
        return ""
    found = _STARS.findall(text)
    return found[-1] if found else text


def relative(path: str | None, roots: Iterable[str] = ()) -> str:
    """``path`` under the first of ``roots`` that holds it, else as it is."""
    if not path:
        return ""
    for root in roots:
        head = root.rstrip("/\\")
        if head and path.startswith(head) and path[len(head) : len(head) + 1] in ("/", "\\"):
            return path[len(head) + 1 :]
    return path


def split_path(path: str) -> tuple[str, str]:
    """``(file name, folder)`` of a relative or absolute path; the folder may be empty."""
    head, _, name = path.replace("\\", "/").rstrip("/").rpartition("/")
    return name, head


def library_roots(*libraries: Any) -> list[str]:
    """The folders of those libraries that have one (``config["root"]``)."""
    roots = []
    for library in libraries:
        root = (getattr(library, "config", None) or {}).get("root")
        if isinstance(root, str) and root:
            roots.append(root)
    return roots


def install(env: Environment) -> None:
    """Every filter and global the templates use to say things in words."""
    env.filters["kind_label"] = vocabulary.job_kind_label
    env.filters["counter_label"] = vocabulary.counter_label
    env.filters["action_label"] = vocabulary.action_label
    env.filters["planned_words"] = vocabulary.planned_words
    env.globals["action_reason"] = vocabulary.action_reason
    env.filters["status_label"] = vocabulary.status_label
    env.filters["trigger_label"] = vocabulary.trigger_label
    env.filters["item_name"] = item_name
    env.filters["item_ref"] = item_ref
    env.filters["relative"] = relative
    env.filters["side_value"] = side_value
    env.filters["split_path"] = split_path
    env.globals["phase_label"] = vocabulary.phase_label
    env.globals["run_summary"] = vocabulary.run_summary
    env.globals["is_undo_kind"] = vocabulary.is_undo_kind
    env.globals["library_roots"] = library_roots
    env.globals["undo_question"] = vocabulary.undo_question
    env.globals["explain_failure"] = vocabulary.explain_failure
