"""The dashboard's renderer as a FastAPI dependency, so that an area's routes are plain
module-level functions: the area's router is built with :class:`ProvidePages` (which puts the
:class:`~app.web.responses.Pages` on the request) and a route asks for :data:`PagesDep`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.web.responses import Pages


class ProvidePages:
    """A router-level dependency: hands ``pages`` to the routes of one router."""

    def __init__(self, pages: Pages) -> None:
        self._pages = pages

    def __call__(self, request: Request) -> None:
        request.state.pages = self._pages


def current_pages(request: Request) -> Pages:
    pages: Pages = request.state.pages
    return pages


PagesDep = Annotated[Pages, Depends(current_pages)]
