"""The HTML error page for browser paths (the API answers problem+json instead)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates


def html_error_renderer(
    templates: Jinja2Templates,
) -> Callable[[Request, int, str, str], Response]:
    def render(request: Request, status: int, title: str, detail: str) -> Response:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            status_code=status,
        )

    return render
