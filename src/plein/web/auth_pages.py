"""Login, logout and the account page (personal API tokens), in Dutch."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from plein.audit.actions import AuditAction
from plein.audit.events import record_event
from plein.auth.accounts import LoginFailed, authenticate
from plein.auth.models import ApiToken, UserAccount
from plein.auth.sessions import COOKIE, end_session, start_session
from plein.auth.throttle import LoginThrottle
from plein.auth.tokens import issue_token, revoke_token
from plein.core.models import utcnow
from plein.errors import ValidationError
from plein.web.access import (
    PRE_CSRF_COOKIE,
    AuthDep,
    CsrfDep,
    SessionDep,
    actor_info,
    audit_refusal,
    login_csrf_token,
    request_keys,
    request_trace,
    set_login_csrf_cookie,
    set_session_cookie,
)
from plein.web.requires import PUBLIC, AccountAuth

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a fresh login to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 500:
        return "/"
    return target


def _login_form(
    request: Request, *, status: int = 200, message: str = "", username: str = "", next_path: str = "/"
) -> Response:
    token = login_csrf_token(request)
    response = request.app.state.templates.TemplateResponse(
        request,
        "auth/login.html",
        {"message": message, "username": username, "next_path": next_path, "csrf_token": token},
        status_code=status,
    )
    set_login_csrf_cookie(request, response, token)
    return response


@router.get("/inloggen", response_class=HTMLResponse, dependencies=[PUBLIC])
def login_page(request: Request, volgende: str | None = None, verlopen: str | None = None) -> Response:
    """Het inlogformulier."""
    message = "Uw sessie is verlopen of beëindigd. Log opnieuw in." if verlopen else ""
    return _login_form(request, message=message, next_path=_safe_next(volgende))


@router.post("/inloggen", response_class=HTMLResponse, dependencies=[PUBLIC])
def login(
    request: Request,
    session: SessionDep,
    gebruikersnaam: Annotated[str, Form(max_length=200)] = "",
    wachtwoord: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    volgende: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Inloggen met gebruikersnaam en wachtwoord."""
    next_path = _safe_next(volgende)
    cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        audit_refusal(request, session, None, AuditAction.LOGIN, "csrf", "CSRF-controle bij inloggen mislukt")
        return _login_form(
            request,
            status=403,
            username=gebruikersnaam[:80],
            next_path=next_path,
            message="Het formulier is verlopen. Probeer opnieuw in te loggen.",
        )
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "onbekend"
    wait = throttle.wait_seconds(address)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        message = (
            f"Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over {minutes} "
            f"{'minuut' if minutes == 1 else 'minuten'} opnieuw."
        )
        audit_refusal(request, session, None, AuditAction.LOGIN, "te-veel-pogingen-adres", message)
        response = _login_form(request, status=429, username=gebruikersnaam[:80], next_path=next_path, message=message)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        user = authenticate(session, gebruikersnaam, wachtwoord)
    except LoginFailed as exc:
        throttle.failed(address)
        known = session.scalars(
            select(UserAccount).where(UserAccount.username == gebruikersnaam.strip().lower()[:80])
        ).first()
        record_event(
            session,
            request_keys(request),
            actor=actor_info(known),
            name=AuditAction.LOGIN,
            processing_activity="toegangsbeheer",
            trace=request_trace(request),
            status="geweigerd",
            rule=exc.reason,
        )  # buffered: this route returns normally, so the request commits it with the failure counter
        return _login_form(request, status=401, message=exc.message, username=gebruikersnaam[:80], next_path=next_path)
    value, _row = start_session(session, user)
    record_event(
        session,
        request_keys(request),
        actor=actor_info(user),
        name=AuditAction.LOGIN,
        processing_activity="toegangsbeheer",
        trace=request_trace(request),
    )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(request, response, value)
    response.delete_cookie(PRE_CSRF_COOKIE, path="/inloggen")
    return response


@router.post("/uitloggen")
def logout(request: Request, session: SessionDep, auth: AccountAuth, _csrf: CsrfDep) -> Response:
    """Uitloggen: de sessie is meteen ongeldig."""
    if auth.web_session is not None:
        end_session(auth.web_session)
    record_event(
        session,
        request_keys(request),
        actor=actor_info(auth.user),
        name=AuditAction.LOGOUT,
        processing_activity="toegangsbeheer",
        trace=request_trace(request),
    )
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _account_page(
    request: Request, session: SessionDep, auth: AuthDep, *, new_token: str = "", message: str = "", status: int = 200
) -> Response:
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == auth.user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return request.app.state.templates.TemplateResponse(
        request,
        "auth/account.html",
        {
            "auth": auth,
            "user": auth.user,
            "tokens": tokens,
            "new_token": new_token,
            "message": message,
            "csrf_token": auth.csrf_token,
            "now": utcnow(),
        },
        status_code=status,
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, auth: AccountAuth) -> Response:
    """Uw account en persoonlijke API-tokens."""
    return _account_page(request, session, auth)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: SessionDep,
    auth: AccountAuth,
    _csrf: CsrfDep,
    naam: Annotated[str, Form(max_length=200)] = "",
    dagen: Annotated[int, Form(ge=1, le=365)] = 90,
) -> Response:
    """Maak een persoonlijk API-token; het wordt één keer getoond."""
    try:
        secret, row = issue_token(session, auth.user, naam, days=dagen)
    except ValidationError as exc:
        return _account_page(request, session, auth, message=exc.message, status=400)
    record_event(
        session,
        request_keys(request),
        actor=actor_info(auth.user),
        name=AuditAction.TOKEN_CREATE,
        processing_activity="toegangsbeheer",
        trace=request_trace(request),
        object_type="token",
        object_id=row.prefix,
    )
    return _account_page(request, session, auth, new_token=secret)


@router.post("/account/tokens/{token_id}/intrekken", response_class=HTMLResponse)
def revoke(request: Request, session: SessionDep, auth: AccountAuth, _csrf: CsrfDep, token_id: int) -> Response:
    """Trek een eigen token in."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != auth.user.id:
        return _account_page(request, session, auth, message=f"Token {token_id} bestaat niet.", status=404)
    revoke_token(row)
    record_event(
        session,
        request_keys(request),
        actor=actor_info(auth.user),
        name=AuditAction.TOKEN_REVOKE,
        processing_activity="toegangsbeheer",
        trace=request_trace(request),
        object_type="token",
        object_id=row.prefix,
    )
    return _account_page(request, session, auth, message=f"Token {row.name} is ingetrokken.")


__all__ = ["router"]
