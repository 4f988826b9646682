"""The one exception emulator handlers raise: an HTTP status with PMS's HTML error body."""

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
