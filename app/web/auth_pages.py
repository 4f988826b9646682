"""Pages of authentication: first-run setup, sign in, sign out (here or everywhere), the
account page (password change), API token management.

``/setup`` and ``/login`` are the only pages an anonymous visitor sees (``app.api.auth``
redirects everything else here); their forms carry the anonymous session's CSRF token, and a
successful sign-in starts a fresh session with a new one. A new API token is shown once, on
the page the create form answers with (never through a redirect, so it never sits in a cookie
or a URL).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.domain.auth import (
    LOGIN_PATH,
    PASSWORD_MIN,
    SCOPE_MEANINGS,
    SETUP_PATH,
    TOKEN_NAME_MAX,
    Scope,
    safe_next,
)
from app.domain.errors import AuthError, InvalidInput, StateConflict, TooManyAttempts
from app.services.auth.service import AuthService, IssuedToken, session_id, start_session
from app.settings import Settings
from app.web.device_cookie import device_id, remember_device
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages

TOKEN_NOTICES = {"revoked": "Token revoked: it stops working at once."}
ACCOUNT_PATH = "/account"
ACCOUNT_NOTICES = {
    "password": "Password changed; every other session was signed out.",
}


def _auth(request: Request) -> AuthService:
    auth: AuthService = request.app.state.auth
    return auth


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def render(
    pages: Pages, request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    response = pages.render(request, template, status_code=status_code, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- first run --------------------------------------------------------------------------


def setup_page(pages: PagesDep, request: Request) -> Response:
    if not _auth(request).needs_setup():
        return _see(LOGIN_PATH)
    return render(
        pages, request, "auth/setup.html", username="admin", error=None, password_min=PASSWORD_MIN
    )


def setup(
    pages: PagesDep,
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=4096)] = "",
    password_confirm: Annotated[str, Form(max_length=4096)] = "",
) -> Response:
    auth = _auth(request)
    if not auth.needs_setup():
        return _see(LOGIN_PATH)
    error: str | None = None
    if password != password_confirm:
        error = "The two passwords differ."
    else:
        try:
            user = auth.create_admin(username, password)
        except InvalidInput as exc:
            error = str(exc)
        except StateConflict:
            return _see(LOGIN_PATH)
        else:
            start_session(request.session, user, auth.open_session(user))
            response = _see("/")
            remember_device(request, response, _settings(request), None)
            return response
    return render(
        pages,
        request,
        "auth/setup.html",
        status_code=422,
        username=username,
        error=error,
        password_min=PASSWORD_MIN,
    )


# -- sign in and out ----------------------------------------------------------------------


def login_page(
    pages: PagesDep,
    request: Request,
    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    auth = _auth(request)
    if auth.needs_setup():
        return _see(SETUP_PATH)
    if request.state.user is not None:
        return _see(safe_next(next_))
    return render(pages, request, "auth/login.html", next=safe_next(next_), username="", error=None)


def login(
    pages: PagesDep,
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=4096)] = "",
    next_: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    auth = _auth(request)
    if auth.needs_setup():
        return _see(SETUP_PATH)
    target = safe_next(next_)
    device = device_id(request, _settings(request))
    try:
        user = auth.login(username, password, client=_client(request), device_id=device)
    except TooManyAttempts as exc:
        response = render(
            pages,
            request,
            "auth/login.html",
            status_code=429,
            next=target,
            username=username,
            error=str(exc),
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except AuthError as exc:
        return render(
            pages,
            request,
            "auth/login.html",
            status_code=401,
            next=target,
            username=username,
            error=str(exc),
        )
    start_session(request.session, user, auth.open_session(user))
    signed_in = _see(target)
    remember_device(request, signed_in, _settings(request), device)
    return signed_in


def logout(request: Request) -> Response:
    """Sign out: the server-side session ends, so a copy of the cookie stops working."""
    user = request.state.user
    if user is not None:
        _auth(request).end_session(user.id, session_id(request.session))
    request.session.clear()
    return _see(LOGIN_PATH)


def logout_everywhere(request: Request) -> Response:
    """Every session of the admin ends, this one included."""
    user = request.state.user
    if user is not None:
        _auth(request).end_all_sessions(user.id)
    request.session.clear()
    return _see(LOGIN_PATH)


# -- the account: password change ---------------------------------------------------------


def account_page(
    pages: Pages,
    request: Request,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    user = request.state.user
    return render(
        pages,
        request,
        "auth/account.html",
        status_code=status_code,
        error=error,
        notice=notice,
        password_min=PASSWORD_MIN,
        live_sessions=len(_auth(request).live_sessions(user.id)),
    )


def account(
    pages: PagesDep, request: Request, notice: Annotated[str | None, Query(max_length=32)] = None
) -> Response:
    return account_page(pages, request, notice=ACCOUNT_NOTICES.get(notice or ""))


def change_password(
    pages: PagesDep,
    request: Request,
    current_password: Annotated[str, Form(max_length=4096)],
    new_password: Annotated[str, Form(max_length=4096)],
    new_password_confirm: Annotated[str, Form(max_length=4096)],
) -> Response:
    user = request.state.user
    if new_password != new_password_confirm:
        return account_page(pages, request, status_code=422, error="The two new passwords differ.")
    try:
        _auth(request).change_password(
            user.id,
            current_password,
            new_password,
            keep_session_id=session_id(request.session),
        )
    except AuthError as exc:
        return account_page(pages, request, status_code=403, error=str(exc))
    except InvalidInput as exc:
        return account_page(pages, request, status_code=422, error=str(exc))
    return _see(f"{ACCOUNT_PATH}?notice=password")


# -- API tokens ---------------------------------------------------------------------------


def tokens_page(
    pages: Pages,
    request: Request,
    *,
    status_code: int = 200,
    issued: IssuedToken | None = None,
    error: str | None = None,
    notice: str | None = None,
    name: str = "",
    scope: str = Scope.READ.value,
) -> HTMLResponse:
    return render(
        pages,
        request,
        "auth/tokens.html",
        status_code=status_code,
        tokens=_auth(request).tokens(),
        issued=issued,
        error=error,
        notice=notice,
        name=name,
        scope=scope,
        scopes=list(Scope),
        meanings=SCOPE_MEANINGS,
        name_max=TOKEN_NAME_MAX,
        base_url=str(request.base_url).rstrip("/"),
    )


def tokens(
    pages: PagesDep, request: Request, notice: Annotated[str | None, Query(max_length=32)] = None
) -> Response:
    return tokens_page(pages, request, notice=TOKEN_NOTICES.get(notice or ""))


def create_token(
    pages: PagesDep,
    request: Request,
    name: Annotated[str, Form(max_length=500)] = "",
    scope: Annotated[str, Form(max_length=32)] = Scope.READ.value,
) -> Response:
    try:
        issued = _auth(request).create_token(name, [scope])
    except InvalidInput as exc:
        return tokens_page(pages, request, status_code=422, error=str(exc), name=name, scope=scope)
    return tokens_page(pages, request, status_code=201, issued=issued)


def revoke_token(request: Request, token_id: int) -> Response:
    _auth(request).revoke_token(token_id)
    return _see("/tokens?notice=revoked")


def build_auth_router(templates: Jinja2Templates) -> APIRouter:
    """The authentication pages, rendered with ``templates`` (handed to the routes through
    :class:`ProvidePages`)."""
    router = APIRouter(
        include_in_schema=False, dependencies=[Depends(ProvidePages(Pages(templates)))]
    )
    router.add_api_route(SETUP_PATH, setup_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(SETUP_PATH, setup, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route(LOGIN_PATH, login_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(LOGIN_PATH, login, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/logout", logout, methods=["POST"])
    router.add_api_route("/logout/everywhere", logout_everywhere, methods=["POST"])
    router.add_api_route(ACCOUNT_PATH, account, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        f"{ACCOUNT_PATH}/password", change_password, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route("/tokens", tokens, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/tokens", create_token, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/tokens/{token_id}/revoke", revoke_token, methods=["POST"])
    return router
