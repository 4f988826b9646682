"""Dashboard forms name every field they change: a field that is absent (an empty or truncated
POST, a hand-made request) is a 422 naming it, never a silent reset to a default.

``PresentFields`` is a route dependency holding the names the posted form carries; handlers
call :func:`require` with the fields their record's kind needs. Present but empty is a value
(an empty schedule means "manual"); absent is an error. A checkbox is absent when unchecked,
so forms pair it with a hidden field of the same name and value ``off`` (the box sends ``on``
too when ticked): :func:`checked` reads that pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

CHECKED = "on"
UNCHECKED = "off"
# What a ticked box may send: ``on`` (our templates) or ``true`` (scripts, older forms).
TICKED_VALUES = frozenset({CHECKED, "true"})


async def present_fields(request: Request) -> frozenset[str]:
    form = await request.form()  # parsed once: FastAPI cached it for the Form parameters
    return frozenset(form.keys())


PresentFields = Annotated[frozenset[str], Depends(present_fields)]


def require(present: Iterable[str], *names: str) -> None:
    """A 422 (the same problem as FastAPI's own) naming every field in ``names`` not posted."""
    posted = set(present)
    missing = [name for name in names if name not in posted]
    if missing:
        raise RequestValidationError(
            [
                {
                    "type": "missing",
                    "loc": ("body", name),
                    "msg": "Field required (the form was incomplete; nothing was changed)",
                    "input": None,
                }
                for name in missing
            ]
        )


def checked(values: Sequence[str]) -> bool:
    """A checkbox posted with its hidden ``off`` companion: ticked when ``on`` (or ``true``)
    is among the values."""
    return any(value in TICKED_VALUES for value in values)
