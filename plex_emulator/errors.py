"""The exceptions of the emulator: :class:`HttpError`, which handlers raise (an HTTP status with
PMS's HTML error body), and :class:`StateError`, which the state raises and the HTTP layer
translates (:func:`http_error_of`)."""

from __future__ import annotations


class HttpError(Exception):
    """Answer ``status`` with ``<html>…<h1>{status} {title}</h1>…``; ``detail`` goes to the log."""

    def __init__(self, status: int, title: str, detail: str = "") -> None:
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")
        self.status = status
        self.title = title
        self.detail = detail


def bad_request(detail: str) -> HttpError:
    return HttpError(400, "Bad Request", detail)


def not_found(detail: str = "") -> HttpError:
    return HttpError(404, "Not Found", detail)


def forbidden(detail: str = "") -> HttpError:
    return HttpError(403, "Forbidden", detail)


def unauthorized(detail: str = "") -> HttpError:
    return HttpError(401, "Unauthorized", detail)


class StateError(Exception):
    """A request the emulated server's state refuses; ``str(error)`` is the detail."""


class InvalidRequest(StateError):
    """The request cannot be done as asked (answered 400)."""


class UnknownItem(StateError):
    """No such section or item (answered 404)."""


class NotShared(StateError):
    """The item exists but is not shared with the account (answered 403)."""


def http_error_of(error: StateError) -> HttpError:
    """The HTTP answer to a refusal of the state."""
    if isinstance(error, UnknownItem):
        return not_found(str(error))
    if isinstance(error, NotShared):
        return forbidden(str(error))
    return bad_request(str(error))
