"""The web application factory: ``create_app(settings) -> FastAPI``."""

from __future__ import annotations

from fastapi import FastAPI

from app import __version__
from app.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    application = FastAPI(title="Crossfade", version=__version__)
    application.state.settings = settings
    return application
