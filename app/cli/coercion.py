"""Command-line values turned into their annotated types without importing pydantic.

typer 0.29 converts every parameter's value through a pydantic ``TypeAdapter`` built on first
use, so any command that runs imports pydantic for it: about 50 ms, a fifth of a whole
``crossfade mirror sync`` of 300 movies, spent on converting a few strings. The annotations our
commands use are plain: ``str``, ``bool``, ``int`` and ``float`` (with ``min``/``max``/``clamp``),
``Path``, an ``Enum`` or ``Literal`` of choices, and lists of those. For these,
:func:`lean_runtime_param` converts in plain Python with typer's own choice and path checks and
pydantic's messages; any other annotation (a file, a date, a custom ``parser``...) goes to
typer's coercion unchanged. :func:`install` puts it in place (``app.cli.main`` does, before
any command is built). tests/cli/test_coercion.py holds it to typer's own results, value for
value and message for message, so a typer release that changes them is caught there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

import typer.core
from typer._click.exceptions import BadParameter
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path
from typer._typing import is_literal_type, literal_values

if TYPE_CHECKING:
    from typer._click import Context
    from typer.core import _TyperParameter
    from typer.models import ParameterInfo

Convert = Callable[[Any, "_TyperParameter", "Context"], Any]

_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"", "0", "off", "f", "false", "n", "no"})
_SCALAR_MESSAGES = {
    int: "Input should be a valid integer, unable to parse string as an integer",
    float: "Input should be a valid number, unable to parse string as a number",
}


@dataclass(frozen=True)
class LeanRuntimeParam(RuntimeParam):
    """typer's coercion contract (``None`` and multi-value handling in ``RuntimeParam``), with
    a plain ``convert`` for each item."""

    convert: Convert
    many: bool

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if not self.many:
            return self.convert(value, param, ctx)
        items = value if isinstance(value, (list, tuple)) else [value]
        return [self.convert(item, param, ctx) for item in items]


def _text(value: Any, param: _TyperParameter, ctx: Context) -> str:
    if value is None:
        raise BadParameter("Value error, None is not a valid string", ctx=ctx, param=param)
    if isinstance(value, bytes):
        return value.decode(sys.getfilesystemencoding(), "surrogateescape")
    return str(value)


def _flag(value: Any, param: _TyperParameter, ctx: Context) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise BadParameter(
        "Input should be a valid boolean, unable to interpret input", ctx=ctx, param=param
    )


def _number(kind: type[int] | type[float], info: ParameterInfo) -> Convert:
    low, high, clamp = info.min, info.max, info.clamp

    def convert(value: Any, param: _TyperParameter, ctx: Context) -> int | float:
        try:
            number = kind(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise BadParameter(_SCALAR_MESSAGES[kind], ctx=ctx, param=param) from None
        if low is not None and number < low:
            if clamp:
                return kind(low)
            raise BadParameter(
                f"Input should be greater than or equal to {low}", ctx=ctx, param=param
            )
        if high is not None and number > high:
            if clamp:
                return kind(high)
            raise BadParameter(
                f"Input should be less than or equal to {high}", ctx=ctx, param=param
            )
        return number

    return convert


def _choice(choices: tuple[Any, ...], info: ParameterInfo) -> Convert:
    def convert(value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            return coerce_cli_choice(
                value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError as exc:
            raise BadParameter(f"Value error, {exc}", ctx=ctx, param=param) from None

    return convert


def _path(annotation: Any, info: ParameterInfo) -> Convert:
    path_type: type[Any] | None = info.path_type
    if path_type is None and isinstance(annotation, type) and issubclass(annotation, Path):
        path_type = annotation
    # typer's own check would build a TypeAdapter to make a Path of the value: made here
    make_path = path_type if isinstance(path_type, type) and issubclass(path_type, Path) else None

    def convert(value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if make_path is not None:
            value = make_path(value)
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)

    return convert


def _leaf(annotation: Any, info: ParameterInfo) -> Convert | None:
    """The plain conversion for one annotation, or ``None`` to leave it to typer."""
    if info.parser is not None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(tuple(annotation), info)
    if is_literal_type(annotation):
        return _choice(literal_values(annotation), info)
    if annotation is bool:
        return _flag
    if annotation is int or annotation is float:
        return _number(annotation, info)
    if annotation is str:
        return _text
    if routes_to_path(annotation, info) and isinstance(annotation, type):
        return _path(annotation, info)
    return None


def lean_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam | None:
    """A pydantic-free coercion for ``descriptor``, or ``None`` when typer's is needed."""
    if descriptor.file_annotation is not None:
        return None
    annotation: Any = descriptor.annotation
    info = descriptor.parameter_info
    many = get_origin(annotation) is list
    if many:
        (annotation,) = get_args(annotation)
    convert = _leaf(annotation, info)
    if convert is None:
        return None
    return LeanRuntimeParam(
        parameter_info=info, annotation=descriptor.annotation, convert=convert, many=many
    )


TYPER_BUILD = build_runtime_param  # typer's own, for what we leave to it


def _build(descriptor: TypeDescriptor) -> RuntimeParam:
    return lean_runtime_param(descriptor) or TYPER_BUILD(descriptor)


def install() -> None:
    """Make typer build parameters with :func:`lean_runtime_param` first (idempotent)."""
    typer.core.build_runtime_param = _build  # type: ignore[attr-defined]
