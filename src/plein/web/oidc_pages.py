"""``/inloggen/sso``: log in through the configured OpenID Connect provider."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from plein.audit.actions import AuditAction
from plein.audit.events import record_event
from plein.auth.oidc import linked_user, oauth_client, subject_key
from plein.auth.sessions import start_session
from plein.errors import NotAuthenticated, NotFound
from plein.policy.errors import Refused
from plein.settings import Settings
from plein.web.access import actor_info, request_keys, request_trace, set_session_cookie
from plein.web.requires import PUBLIC

router = APIRouter(include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    if not settings.oidc_configured:
        raise NotFound("Inloggen via single sign-on is op deze installatie niet ingericht.")
    return settings


def _client(settings: Settings) -> Any:
    return oauth_client(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret, settings.oidc_scope)


@router.get("/inloggen/sso", dependencies=[PUBLIC])
async def sso_start(request: Request) -> Response:
    """Doorsturen naar de identiteitsaanbieder."""
    settings = _settings(request)
    response: Response = await _client(settings).authorize_redirect(request, str(request.url_for("sso_callback")))
    return response


@router.get("/inloggen/sso/terug", name="sso_callback", dependencies=[PUBLIC])
async def sso_callback(request: Request) -> Response:
    """Terug van de identiteitsaanbieder: alleen een gekoppeld plein-account logt in."""
    from authlib.integrations.starlette_client import OAuthError

    settings = _settings(request)
    client = _client(settings)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:
        raise NotAuthenticated(f"Inloggen via single sign-on is mislukt ({exc.error}). Probeer het opnieuw.") from exc
    claims = token.get("userinfo") or await client.userinfo(token=token)
    subject = str(claims.get("sub", ""))
    with request.app.state.sessions() as session:
        user = linked_user(session, settings.oidc_issuer, subject) if subject else None
        if user is None:
            record_event(
                session,
                request_keys(request),
                actor=actor_info(None, "sso"),
                name=AuditAction.LOGIN_SSO,
                processing_activity="toegangsbeheer",
                trace=request_trace(request),
                status="geweigerd",
                rule="geen-account",
                details={"identiteit": subject_key(settings.oidc_issuer, subject)[:200]},
                durable=True,
            )
            raise Refused(
                "geen-account",
                "Aan deze identiteit is geen plein-account gekoppeld. Vraag de beheerder uw account te koppelen.",
            )
        value, _row = start_session(session, user)
        record_event(
            session,
            request_keys(request),
            actor=actor_info(user),
            name=AuditAction.LOGIN_SSO,
            processing_activity="toegangsbeheer",
            trace=request_trace(request),
        )
        session.commit()
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, value)
    return response


def install_oidc(app: FastAPI, plein_settings: Settings) -> None:
    """Mount the SSO routes; the OAuth state cookie middleware only when a provider is configured."""
    app.state.templates.env.globals["sso_enabled"] = plein_settings.oidc_configured
    if plein_settings.oidc_configured:
        from starlette.middleware.sessions import SessionMiddleware

        loopback = plein_settings.host in ("127.0.0.1", "localhost", "::1")
        app.add_middleware(
            SessionMiddleware,
            secret_key=plein_settings.resolved_secret_key(),
            session_cookie="plein_sso",
            max_age=600,
            same_site="lax",
            https_only=not loopback,
        )
    app.include_router(router)
