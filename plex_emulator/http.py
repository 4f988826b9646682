"""Requests and responses as the emulator's route functions see them, and paging rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from plex_emulator.errors import HttpError, bad_request
from plex_emulator.knobs import Knobs
from plex_emulator.model import Account
from plex_emulator.xmlrender import CONTENT_TYPE, document


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    account: Account | None
    match: tuple[str, ...] = ()  # groups captured by the route pattern

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    def plex_value(self, name: str) -> str | None:
        """An ``X-Plex-*`` value from the headers or, as PMS allows, the query string."""
        value = self.headers.get(name.lower())
        return value if value is not None else self.param(name)

    def flag(self, name: str) -> bool:
        return self.param(name) in {"1", "true"}

    def int_param(self, name: str) -> int | None:
        value = self.param(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"{name} must be an integer") from None

    @property
    def user(self) -> Account:
        if self.account is None:
            raise HttpError(401, "Unauthorized")
        return self.account


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def xml(container_attrs: str, children: Sequence[str] = (), **headers: str) -> Response:
    return Response(body=document(container_attrs, children), headers=dict(headers))


def empty() -> Response:
    return Response(status=200, body=b"", content_type=CONTENT_TYPE)


@dataclass(frozen=True)
class Page:
    start: int
    stop: int
    total: int

    @property
    def headers(self) -> dict[str, str]:
        return {
            "X-Plex-Container-Start": str(self.start),
            "X-Plex-Container-Total-Size": str(self.total),
        }


def page_of(request: Request, total: int, knobs: Knobs, *, strict: bool = False) -> Page:
    """The slice a request asks for (docs/PLEX.md §2.3): Start/Size from headers or query.

    ``strict`` marks the big listings where ``require_container_size`` and
    ``max_container_size`` apply; ``page_cap`` applies to every paged response.
    """
    start_text = request.plex_value("X-Plex-Container-Start")
    size_text = request.plex_value("X-Plex-Container-Size")
    try:
        start = int(start_text) if start_text else 0
        size = int(size_text) if size_text not in (None, "") else None
    except ValueError:
        raise bad_request("X-Plex-Container-Start/Size must be integers") from None
    if start < 0 or (size is not None and size < 0):
        raise bad_request("X-Plex-Container-Start/Size must not be negative")
    if strict and size is None and knobs.require_container_size:
        raise bad_request("Missing X-Plex-Container-Size header")
    if (
        strict
        and size is not None
        and knobs.max_container_size is not None
        and size > knobs.max_container_size
        and knobs.over_max == "reject"
    ):
        raise bad_request(f"X-Plex-Container-Size above {knobs.max_container_size}")
    count = total - start if size is None else size
    if knobs.page_cap is not None:
        count = min(count, knobs.page_cap)
    start = min(start, total)
    return Page(start=start, stop=min(total, start + max(count, 0)), total=total)


Handler = Callable[[Request], Response]
