"""What every dashboard router answers with: a rendered template, a 303 to a page, and the
test whether a request came from HTMX (which wants a fragment, not a page)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app.web.words import install


def is_htmx(request: Request) -> bool:
    """HTMX sends ``HX-Request: true``; a plain form post (no JavaScript) does not."""
    return request.headers.get("HX-Request") == "true"


def see(url: str) -> RedirectResponse:
    """After a form post: go and GET ``url`` (303 See Other)."""
    return RedirectResponse(url, status_code=303)


class Pages:
    """Renders templates with the request in the context."""

    def __init__(self, templates: Jinja2Templates) -> None:
        self._templates = templates
        install(templates.env)

    def render(
        self, request: Request, name: str, /, *, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        """``name``: the template (positional only, so that a context value may be called
        ``name``)."""
        return self._templates.TemplateResponse(request, name, context, status_code=status_code)
