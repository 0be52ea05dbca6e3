"""Who is asking, for what: sessions, tokens, CSRF, the stated purpose and the gate, per request.

Routes declare their kind of access with ``plein.web.requires`` (which builds the gate); beside it
they may use::

    def page(gate: RecordsGate, auth: AuthDep, ...)   # the account behind the request
    def post(gate: RecordsGate, _: CsrfDep, ...)      # plus a valid CSRF token (forms and cookie-API calls)

Each request's session is committed when the route function returns (before the response is
sent), which appends the buffered audit entries; refusals were written at once.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.chain import ActorInfo
from plein.audit.events import defer_durable, record_event
from plein.audit.keys import AuditKeys, audit_keys
from plein.audit.trace import TraceContext
from plein.auth.accounts import actor_for
from plein.auth.models import UserAccount, WebSession
from plein.auth.sessions import COOKIE, IDLE, check_session
from plein.auth.tokens import token_user
from plein.errors import ValidationError
from plein.policy.errors import Refused
from plein.policy.gate import default_purpose
from plein.policy.roles import Actor, Purpose, Role
from plein.web.problems import problem
from plein.web.refusals import commit_request, renew_after_request, settle_refusals

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
PRE_CSRF_COOKIE = "plein_csrf"


class LoginRequired(Exception):
    """No (live) session or token: 401 on the API, a redirect to the login page elsewhere."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


@dataclass(frozen=True, slots=True)
class NavUser:
    """What templates show of the logged-in user; plain values, so error pages render after a rollback."""

    username: str
    role: str
    organisation_code: str

    @classmethod
    def of(cls, user: UserAccount) -> NavUser:
        return cls(user.username, user.role, user.organisation.code)


@dataclass(slots=True)
class Auth:
    """The logged-in account and how it authenticated."""

    user: UserAccount
    web_session: WebSession | None
    via: str  # sessie | token

    @property
    def actor(self) -> Actor:
        return actor_for(self.user)

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def csrf_token(self) -> str:
        return self.web_session.csrf_token if self.web_session else ""


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/v1" or path.startswith("/v1/")


def request_keys(request: Request) -> AuditKeys:
    """The audit keys of the app's settings."""
    keys: AuditKeys | None = getattr(request.app.state, "audit_keys", None)
    if keys is None:
        keys = audit_keys(request.app.state.settings)
        request.app.state.audit_keys = keys
    return keys


def request_trace(request: Request) -> TraceContext:
    """The request's span (set by the middleware from an incoming ``traceparent``)."""
    trace: TraceContext | None = getattr(request.state, "trace", None)
    if trace is None:
        trace = TraceContext.from_header(request.headers.get("traceparent"))
        request.state.trace = trace
    return trace


def request_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the route returns, rolled back on an error.

    Its refusals are written after its transaction, on the same connection (``web.refusals``); so is
    the login session's idle timer, in a short transaction of its own.
    """
    with request.app.state.sessions() as session:
        defer_durable(session)
        try:
            yield session
        except BaseException as exc:
            session.rollback()
            settle_refusals(request, session, exc)
            raise
        else:
            commit_request(request, session)
        finally:
            renew_after_request(request, session)


SessionDep = Annotated[Session, Depends(request_session, scope="function")]


def optional_auth(request: Request, session: SessionDep) -> Auth | None:
    """The account behind a ``Bearer`` token or the session cookie, or None."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = token_user(session, header[7:].strip())
        if user is None:
            raise LoginRequired()
        request.state.auth_user = NavUser.of(user)
        request.state.audit_actor = actor_info(user)
        return Auth(user, None, "token")
    cookie = request.cookies.get(COOKIE)
    if cookie:
        row, write = check_session(session, cookie)
        request.state.session_write = write
        if row is None:
            raise LoginRequired(expired=True)
        request.state.auth_user = NavUser.of(row.user)
        request.state.audit_actor = actor_info(row.user)
        request.state.csrf_token = row.csrf_token
        return Auth(row.user, row, "sessie")
    return None


def require_auth(auth: Annotated[Auth | None, Depends(optional_auth)]) -> Auth:
    """Demand a logged-in account."""
    if auth is None:
        raise LoginRequired()
    return auth


AuthDep = Annotated[Auth, Depends(require_auth)]


def parse_purpose(value: str | None, role: Role) -> Purpose:
    """``toezicht`` or ``samenwerking:12`` (the ``doel`` parameter); the role's default when absent."""
    if value is None or not value.strip():
        return default_purpose(role)
    value = value.strip()
    if value.startswith("samenwerking:"):
        number = value.split(":", 1)[1]
        if not number.isdigit() or not 0 < int(number) < 2**62:
            raise ValidationError("doel: een samenwerking wordt aangeduid als samenwerking:<nummer>.")
        return Purpose.for_collaboration(int(number))
    if len(value) > 60 or not all(ch.isalnum() or ch in "-_" for ch in value):
        raise ValidationError("doel: gebruik de code van een verwerking (bv. toezicht) of samenwerking:<nummer>.")
    return Purpose.for_activity(value)


# The form of ``doel`` as parse_purpose accepts it, for the API document (parse_purpose gives the message).
PURPOSE_PATTERN = "^(samenwerking:[1-9][0-9]*|[A-Za-z0-9_-]{1,60})$"

DoelQuery = Annotated[
    str | None,
    Query(
        max_length=80,
        description="Doel van de verwerking: een code uit het verwerkingsregister (bv. toezicht) "
        "of samenwerking:<id>. Zonder doel geldt het standaarddoel van uw rol.",
        json_schema_extra={"pattern": PURPOSE_PATTERN, "examples": ["toezicht", "samenwerking:1"]},
    ),
]


def actor_info(user: UserAccount | None, username: str = "") -> ActorInfo:
    """Audit identity of an account (or of an anonymous caller)."""
    if user is None:
        return ActorInfo(None, username[:80], "", "anoniem")
    return ActorInfo(user.id, user.username, user.organisation.code, user.role)


def audit_refusal(
    request: Request, session: Session, auth: Auth | None, name: AuditAction, rule: str, message: str
) -> None:
    """Record a refusal outside the gate (CSRF, login); written after the request's transaction."""
    record_event(
        session,
        request_keys(request),
        actor=actor_info(auth.user if auth else None),
        name=name,
        processing_activity="beveiliging",
        trace=request_trace(request),
        status="geweigerd",
        rule=rule,
        details={"melding": message, "pad": request.url.path[:200]},
        durable=True,
    )


async def check_csrf(request: Request, session: SessionDep, auth: AuthDep) -> None:
    """Refuse a state-changing request whose CSRF token does not match the session's."""
    if auth.via == "token":
        return  # no ambient credential: a token must be sent explicitly, so CSRF cannot forge it
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else ""
    if not sent or not hmac.compare_digest(sent.encode(), auth.csrf_token.encode()):
        message = "Het formulier is verlopen of niet door plein verstuurd (CSRF-controle). Laad de pagina opnieuw."
        audit_refusal(request, session, auth, AuditAction.CSRF_CHECK, "csrf", message)
        refusal = Refused("csrf", message)
        refusal.audited = True
        raise refusal


CsrfDep = Annotated[None, Depends(check_csrf)]


def login_csrf_token(request: Request) -> str:
    """Double-submit token for the login form (there is no session yet): reuse the cookie's or make one."""
    token = request.cookies.get(PRE_CSRF_COOKIE, "")
    return token if 20 <= len(token) <= 100 else secrets.token_urlsafe(24)


def set_login_csrf_cookie(request: Request, response: Response, token: str) -> None:
    """Send the login form's double-submit cookie."""
    response.set_cookie(
        PRE_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=cookie_secure(request), path="/inloggen"
    )


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    """Send the login session's cookie: HttpOnly, SameSite=Lax, Secure off loopback (one place for every login)."""
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        secure=cookie_secure(request),
        samesite="lax",
        path="/",
        max_age=int(IDLE.total_seconds()) * 16,
    )


def cookie_secure(request: Request) -> bool:
    """Secure cookies, except over plain http on a loopback address (local development)."""
    if request.url.scheme == "https":
        return True
    host = request.url.hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _login_redirect(request: Request, expired: bool) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = f"/inloggen?volgende={quote(target, safe='')}"
    if expired:
        location += "&verlopen=1"
    response = RedirectResponse(location, status_code=303)
    if expired:
        response.delete_cookie(COOKIE, path="/")
    return response


def install_access(app: FastAPI) -> None:
    """Middleware (trace context) and the handler for missing logins (refusals: ``web.problems``)."""

    @app.middleware("http")
    async def trace_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        trace = TraceContext.from_header(request.headers.get("traceparent"))
        request.state.trace = trace
        response = await call_next(request)
        response.headers["traceparent"] = trace.header()
        return response  # the security headers: web.security, on every response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if is_api(request):
            detail = "Log in of stuur een geldig persoonlijk token mee (Authorization: Bearer …)."
            if exc.expired:
                detail = "Uw sessie is verlopen of beëindigd. Log opnieuw in."
            response: Response = problem(401, detail, request)
            response.headers["WWW-Authenticate"] = 'Bearer realm="plein"'
            return response
        return _login_redirect(request, exc.expired)
