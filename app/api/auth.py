"""Who is calling, and may they: the session cookie, the auth gate, the principal dependency.

The session cookie is signed (Starlette's session middleware) and carries the admin's id, the
CSRF token and a server-side session id; the gate accepts it only while the database says that
session is live (:meth:`app.services.auth.service.AuthService.session_user`), so sign out, "sign out
everywhere" and a password change end it at once. The cookie is HttpOnly, SameSite=Lax, and
``Secure`` when the request came over HTTPS (``CROSSFADE_COOKIE_SECURE``: ``auto``, the default,
reads the request's scheme, which comes from ``X-Forwarded-Proto`` only when the peer is one of
``CROSSFADE_TRUSTED_PROXIES`` (see ``app.main``); ``always``; ``never``).

:class:`AuthGate` is a pure ASGI middleware in front of every route, so a route added later is
guarded without anyone remembering to: it resolves the caller (``Authorization: Bearer`` on
API paths, else the session cookie), stores it on ``request.state.principal`` (and the admin on
``request.state.user``), then applies :func:`app.domain.auth.gate_for`:

* public paths (health, webhooks, login, setup, static files) pass;
* API paths need a token or a session (401 problem+json otherwise, saying when setup is
  still needed) and the scope that :func:`app.domain.auth.required_scope` names (403);
* pages need a session: a browser is redirected to ``/setup`` or ``/login?next=...``; an
  HTMX request gets 401 with ``HX-Redirect`` so the whole page moves, not a fragment.

Every state-changing request that is not authenticated by a bearer token must show the
session's CSRF token (``X-CSRF-Token`` header, or a ``csrf_token`` form field), compared in
constant time; a mismatch is 403.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Security
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import HtmlErrorRenderer, problem
from app.domain.auth import (
    LOGIN_PATH,
    PUBLIC_PAGE_PATHS,
    PUBLIC_PAGE_PREFIXES,
    SESSION_LIFETIME,
    SETUP_PATH,
    CookieSecurity,
    Gate,
    Principal,
    bearer_token,
    cookie_secure,
    csrf_matches,
    gate_for,
    needs_csrf,
    required_scope,
)
from app.domain.errors import AuthError, SetupRequired
from app.services.auth.service import (
    AuthService,
    session_csrf,
    session_id,
    session_principal,
    session_user_id,
)
from app.settings import Settings

SESSION_COOKIE = "crossfade_session"
SESSION_MAX_AGE_S = int(SESSION_LIFETIME.total_seconds())
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
# A form body larger than this is not read for its CSRF field: send the header instead.
MAX_FORM_BYTES = 8 * 1024 * 1024
WWW_AUTHENTICATE = 'Bearer realm="crossfade"'
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token (`cf_...`) from Settings → API tokens or `crossfade token create`.",
)


def get_auth(request: Request) -> AuthService:
    auth: AuthService = request.app.state.auth
    return auth


AuthDep = Annotated[AuthService, Depends(get_auth)]


def current_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Principal:
    """The caller :class:`AuthGate` resolved; declares the bearer scheme in the OpenAPI schema.

    Raises :class:`AuthError` when no gate ran or it let an anonymous caller through, so a
    router mounted without the gate still refuses.
    """
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise AuthError("authentication required: send a bearer token or sign in")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


class SessionLayer:
    """Starlette's signed-cookie session (HttpOnly, SameSite=Lax, 14 days), keyed with the
    settings' secret, ``Secure`` as :func:`app.domain.auth.cookie_secure` decides for each
    request. Built when the middleware stack is (on the first ASGI event), so ``create_app``
    itself still touches no file."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self._mode = CookieSecurity(settings.cookie_secure)
        secret_key = settings.effective_secret_key()
        self._plain, self._secure = (
            SessionMiddleware(
                app,
                secret_key=secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_MAX_AGE_S,
                same_site="lax",
                https_only=https_only,
            )
            for https_only in (False, True)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = cookie_secure(self._mode, str(scope.get("scheme", "http")))
        await (self._secure if secure else self._plain)(scope, receive, send)


class _Replay:
    """A ``receive`` that hands out an already-read body once, then defers to the original."""

    def __init__(self, body: bytes, receive: Receive) -> None:
        self._body = body
        self._receive = receive
        self._sent = False

    async def __call__(self) -> Message:
        if not self._sent:
            self._sent = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        return await self._receive()


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` when it exceeds ``limit`` or the client left."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class AuthGate:
    def __init__(self, app: ASGIApp, *, html_error: HtmlErrorRenderer | None = None) -> None:
        self.app = app
        self._html_error = html_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        state: dict[str, Any] = scope.setdefault("state", {})
        state["principal"] = None
        state["user"] = None
        if path.startswith(PUBLIC_PAGE_PREFIXES):
            await self.app(scope, receive, send)
            return
        auth: AuthService = scope["app"].state.auth
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send, auth, state)
            return
        request = Request(scope, receive)
        gate = gate_for(path)
        if gate is Gate.PUBLIC and path not in PUBLIC_PAGE_PATHS:
            await self.app(scope, receive, send)
            return

        principal, refused = await self._identify(request, scope, receive, send, auth, state, gate)
        if refused:
            return
        state["principal"] = principal
        admitted = await self._admit(request, scope, receive, send, auth, gate, principal)
        if admitted is None:
            return
        await self.app(scope, admitted, send)

    async def _identify(
        self,
        request: Request,
        scope: Scope,
        receive: Receive,
        send: Send,
        auth: AuthService,
        state: dict[str, Any],
        gate: Gate,
    ) -> tuple[Principal | None, bool]:
        """Who calls (a bearer token on the API, else the session); True when a bad token
        was refused (answered already)."""
        token = bearer_token(request.headers.get("authorization")) if gate is Gate.API else None
        if token is not None:
            try:
                return await run_in_threadpool(auth.authenticate_token, token), False
            except AuthError as exc:
                await self._refuse_api(request, scope, receive, send, exc, invalid_token=True)
                return None, True
        if "session" in scope:
            return await self._session_principal(scope, auth, state), False
        return None, False

    async def _admit(
        self,
        request: Request,
        scope: Scope,
        receive: Receive,
        send: Send,
        auth: AuthService,
        gate: Gate,
        principal: Principal | None,
    ) -> Receive | None:
        """The receive channel to pass on (the CSRF check may have read the body), or None
        when the request was refused (answered already): no credentials, no session on a
        page, no CSRF token, or a token scope that does not allow it."""
        method = request.method
        path: str = scope["path"]
        if gate is Gate.API and principal is None:
            error = await self._missing_credentials(auth)
            await self._refuse_api(request, scope, receive, send, error)
            return None
        if gate is Gate.PAGE and (principal is None or principal.kind != "session"):
            await self._redirect_to_login(request, scope, receive, send, auth)
            return None

        bearer_used = principal is not None and principal.kind == "token"
        if needs_csrf(method, path, bearer=bearer_used):
            receive, csrf_ok = await self._csrf_ok(scope, receive)
            if not csrf_ok:
                await self._refuse(
                    request,
                    scope,
                    receive,
                    send,
                    gate,
                    403,
                    "csrf_failed",
                    "the form or request lacks this session's CSRF token; reload the page and "
                    "try again (scripts: use a bearer token)",
                )
                return None

        if gate is Gate.API and principal is not None:
            needed = required_scope(method, path)
            if not principal.allows(needed):
                await self._refuse(
                    request,
                    scope,
                    receive,
                    send,
                    gate,
                    403,
                    "forbidden",
                    f"this token's scope does not allow {method} {path}: it needs {needed}",
                )
                return None
        return receive

    async def _websocket(
        self, scope: Scope, receive: Receive, send: Send, auth: AuthService, state: dict[str, Any]
    ) -> None:
        """A WebSocket (none exist yet) is accepted only from a signed-in browser session."""
        public = gate_for(scope["path"]) is Gate.PUBLIC
        principal = None
        if not public and "session" in scope:
            principal = await self._session_principal(scope, auth, state)
        if not public and principal is None:
            await send({"type": "websocket.close", "code": 1008})
            return
        state["principal"] = principal
        await self.app(scope, receive, send)

    async def _session_principal(
        self, scope: Scope, auth: AuthService, state: dict[str, Any]
    ) -> Principal | None:
        session = scope["session"]
        user_id = session_user_id(session)
        if user_id is None:
            return None
        user = await run_in_threadpool(auth.session_user, user_id, session_id(session))
        if user is None:
            session.clear()
            return None
        state["user"] = user
        return session_principal(user)

    async def _missing_credentials(self, auth: AuthService) -> AuthError:
        if await run_in_threadpool(auth.needs_setup):
            return SetupRequired(
                "setup needed: no admin exists yet; open /setup in a browser or start with "
                "CROSSFADE_ADMIN_PASSWORD"
            )
        return AuthError("authentication required: send 'Authorization: Bearer <token>' or sign in")

    async def _csrf_ok(self, scope: Scope, receive: Receive) -> tuple[Receive, bool]:
        session = scope.get("session")
        expected = session_csrf(session, create=False) if session is not None else None
        request = Request(scope, receive)
        given = request.headers.get(CSRF_HEADER)
        if given is not None:
            return receive, csrf_matches(expected, given)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in FORM_TYPES:
            return receive, False
        body = await _read_body(receive, MAX_FORM_BYTES)
        if body is None:
            return receive, False
        form_value: Any = None
        try:
            form = await Request(scope, _Replay(body, receive)).form()
            form_value = form.get(CSRF_FIELD)
            await form.close()
        except (MultiPartException, StarletteHTTPException, ValueError):
            form_value = None
        given_field = form_value if isinstance(form_value, str) else None
        return _Replay(body, receive), csrf_matches(expected, given_field)

    async def _refuse_api(
        self,
        request: Request,
        scope: Scope,
        receive: Receive,
        send: Send,
        error: AuthError,
        *,
        invalid_token: bool = False,
    ) -> None:
        response = problem(401, str(error), code=error.code, instance=request.url.path)
        challenge = WWW_AUTHENTICATE + (', error="invalid_token"' if invalid_token else "")
        response.headers["WWW-Authenticate"] = challenge
        await response(scope, receive, send)

    async def _redirect_to_login(
        self, request: Request, scope: Scope, receive: Receive, send: Send, auth: AuthService
    ) -> None:
        if await run_in_threadpool(auth.needs_setup):
            target = SETUP_PATH
        else:
            target = LOGIN_PATH
            if request.method == "GET":
                here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                target += f"?next={quote(here, safe='')}"
        response: Response
        if request.headers.get("hx-request") == "true":
            response = Response(status_code=401, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, status_code=303)
        await response(scope, receive, send)

    async def _refuse(
        self,
        request: Request,
        scope: Scope,
        receive: Receive,
        send: Send,
        gate: Gate,
        status: int,
        code: str,
        detail: str,
    ) -> None:
        response: Response
        if gate is Gate.API or self._html_error is None:
            response = problem(status, detail, code=code, instance=request.url.path)
        else:
            response = self._html_error(request, status, "Forbidden", detail)
        await response(scope, receive, send)
