"""Jinja2 templates from the top-level ``templates/`` folder, with display filters."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from fastapi import Request
from fastapi.templating import Jinja2Templates

from app import __version__
from app.adapters.assets import asset_dir
from app.domain.jobs import format_duration
from app.domain.names import display_form
from app.services.auth.service import session_csrf


def short_time(
    value: datetime | None, now: datetime | None = None, zone: tzinfo | None = None
) -> str:
    """``14:03:22 CET`` today, ``2025-01-02 14:03 CET`` on other days: in the server's zone
    (``CROSSFADE_TIMEZONE`` or ``TZ``, the one schedules fire in), always named."""
    if value is None:
        return "–"
    if value.tzinfo is None:  # stored as UTC without its zone
        value = value.replace(tzinfo=UTC)
    shown = value.astimezone(zone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    pattern = "%H:%M:%S %Z" if shown.date() == today else "%Y-%m-%d %H:%M %Z"
    return shown.strftime(pattern).strip()


def rate(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}/s" if value < 100 else f"{value:,.0f}/s"


def csrf_token(request: Request) -> str:
    """This session's CSRF token for forms and HTMX headers ("" when there is no session)."""
    if "session" not in request.scope:
        return ""
    return session_csrf(request.session) or ""


def shown(value: object) -> object:
    """Every ``{{ value }}``: a text holding a file name that is not UTF-8 (lone surrogates,
    which no page can encode) is shown in its display form (``Caf\\xe9``); all else as is."""
    if isinstance(value, str) and not value.isascii() and not value.isprintable():
        return display_form(value) if _has_surrogate(value) else value
    return value


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def url_root(request: Request) -> dict[str, str]:
    """``root``: the URL prefix the app is served under (``""``, or ``/crossfade`` behind a
    proxy's sub-path); every absolute link in a template starts with it."""
    return {"root": str(request.scope.get("root_path", "")).rstrip("/")}


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(
        directory=str(asset_dir("templates")), context_processors=[url_root]
    )
    env = templates.env
    env.finalize = shown
    env.filters["duration"] = format_duration
    env.filters["short_time"] = short_time
    env.filters["rate"] = rate
    env.globals["version"] = __version__
    env.globals["csrf_token"] = csrf_token
    return templates
