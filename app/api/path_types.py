"""Path fields of request bodies, checked by :mod:`app.domain.path_input` (NUL, absolute):
a bad one is a 422 problem naming the field, before any handler runs."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from app.domain.path_input import path_problem


def _local(value: str) -> str:
    problem = path_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _server(value: str) -> str:
    problem = path_problem(value, absolute=False)
    if problem is not None:
        raise ValueError(problem)
    return value


LocalPath = Annotated[str, AfterValidator(_local)]
ServerPath = Annotated[str, AfterValidator(_server)]
