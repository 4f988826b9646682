"""The OpenAPI document as the server really behaves (``/api/v1/openapi.json``).

FastAPI's generated document is corrected once, when first asked for, by :func:`honest`:

* every operation gets a stable, readable ``operationId``: the first path segment after
  ``/api/v1`` and the route function's name without that resource's word (``list_jobs`` on
  ``/jobs`` -> ``jobs-list``, ``run_link`` -> ``links-run``, ``plex_hook`` -> ``hooks-plex``);
* every error response (4xx, 5xx) is ``application/problem+json`` with the real
  :class:`~app.api.schemas.Problem` schema; 422 with :class:`~app.api.schemas.ValidationProblem`
  and its ``errors[]`` (FastAPI's ``HTTPValidationError`` is never sent, so it goes);
* what the middleware answers before any route runs is documented where it can happen: 401 and
  403 on every operation that needs credentials (the auth gate: no or a bad token, a missing
  scope, a CSRF mismatch), 400 (a body that does not parse) and 413 (the body limit) on every
  operation with a request body, 422 on every operation with a parameter or a body, 503 on
  every operation that starts a job (202: the queue may be unreachable).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.api.errors import PROBLEM_JSON
from app.api.schemas import Problem, ValidationProblem

API_PREFIX = "/api/v1/"
PROBLEM_REF = "#/components/schemas/Problem"
VALIDATION_REF = "#/components/schemas/ValidationProblem"
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")
GATE_RESPONSES = {
    "401": "no credentials, or a token that is unknown, expired or revoked",
    "403": "the token lacks the scope, or the session's CSRF token is missing or wrong",
}
BODY_NOT_PARSED = "the body could not be parsed (not JSON, or not the declared media type)"
QUEUE_DOWN = "the job queue cannot be reached"
BODY_TOO_LARGE = "the request body is larger than the limit"
VALIDATION_FAILED = "a parameter or the body is not valid; errors[] says which and why"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation_id(path: str, name: str) -> str:
    """``/api/v1/links/{link_id}/run`` + ``run_link`` -> ``links-run``."""
    rest = path.removeprefix(API_PREFIX.rstrip("/")).strip("/")
    resource = rest.split("/", 1)[0] or "root"
    forms = _forms(resource)
    words = [word for word in name.split("_") if word and word not in forms]
    return "-".join([resource, *words]) if words else f"{resource}-get"


def _forms(resource: str) -> set[str]:
    """A resource word and its singular forms (``libraries``: ``library``; ``matches``:
    ``match``)."""
    forms = {resource, resource.removesuffix("s")}
    if resource.endswith("ies"):
        forms.add(resource[:-3] + "y")
    if resource.endswith("es"):
        forms.add(resource[:-2])
    return forms


def honest(application: FastAPI) -> Callable[[], dict[str, Any]]:
    """A replacement for ``application.openapi`` (see the module docstring)."""
    generate = application.openapi

    def openapi() -> dict[str, Any]:
        if application.openapi_schema is None:
            document = generate()
            correct(document)
            application.openapi_schema = document
        return application.openapi_schema

    return openapi


def route_name(path: str, method: str, generated_id: str) -> str | None:
    """The route function's name inside FastAPI's generated id (``{name}{path}_{method}`` with
    non-word characters as ``_``); None for an id a route chose itself."""
    suffix = re.sub(r"\W", "_", path) + f"_{method}"
    if generated_id.endswith(suffix) and len(generated_id) > len(suffix):
        return generated_id[: -len(suffix)]
    return None


def correct(document: dict[str, Any]) -> None:
    """Corrects ``document`` in place (see the module docstring)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _add_problem_schemas(schemas)
    seen: set[str] = set()
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            generated = str(operation.get("operationId", ""))
            name = route_name(path, method, generated)
            wanted = generated if name is None else operation_id(path, name)
            if wanted in seen:
                wanted = f"{wanted}-{method}"
            seen.add(wanted)
            operation["operationId"] = wanted
            _document_errors(operation)
    for unused in _UNUSED_SCHEMAS:
        schemas.pop(unused, None)


def _add_problem_schemas(schemas: dict[str, Any]) -> None:
    ref_template = "#/components/schemas/{model}"
    for model in (Problem, ValidationProblem):
        found = model.model_json_schema(ref_template=ref_template)
        for name, nested in found.pop("$defs", {}).items():
            schemas[name] = nested
        schemas[model.__name__] = found


def _document_errors(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if operation.get("security"):
        for status, description in GATE_RESPONSES.items():
            responses.setdefault(status, {"description": description})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": BODY_NOT_PARSED})
        responses.setdefault("413", {"description": BODY_TOO_LARGE})
    if "202" in responses:  # starts a job: the queue (redis) may be unreachable
        responses.setdefault("503", {"description": QUEUE_DOWN})
    if operation.get("parameters") or "requestBody" in operation:
        responses.setdefault("422", {"description": VALIDATION_FAILED})
    for status, response in responses.items():
        if not _is_error(status):
            continue
        ref = VALIDATION_REF if status == "422" else PROBLEM_REF
        response["content"] = {PROBLEM_JSON: {"schema": {"$ref": ref}}}
        if status == "422" and response.get("description") == "Validation Error":
            response["description"] = VALIDATION_FAILED


def _is_error(status: str) -> bool:
    return bool(re.fullmatch(r"[45]\d\d", status))
