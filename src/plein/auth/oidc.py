"""OpenID Connect single sign-on (Authlib), for a real deployment with an identity provider.

Off unless ``PLEIN_OIDC_ISSUER``, ``PLEIN_OIDC_CLIENT_ID`` and ``PLEIN_OIDC_CLIENT_SECRET`` are set
(``Settings.oidc_*``).
The provider proves who someone is; plein still decides what they may do: a login succeeds only for
an account a beheerder linked to that identity (``plein users sso``), with its own role and
organisation. Accounts are never created from a provider's claims.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.auth.models import UserAccount


def subject_key(issuer: str, subject: str) -> str:
    """How a provider identity is stored on an account: ``<issuer>|<sub>``."""
    return f"{issuer.rstrip('/')}|{subject}"[:200]


def linked_user(session: Session, issuer: str, subject: str) -> UserAccount | None:
    """The active account linked to this identity, if any."""
    user = session.scalars(select(UserAccount).where(UserAccount.oidc_subject == subject_key(issuer, subject))).first()
    return user if user is not None and user.active else None


@lru_cache(maxsize=4)
def oauth_client(issuer: str, client_id: str, client_secret: str, scope: str) -> Any:
    """The Authlib client for the provider (metadata fetched on first use)."""
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    return oauth.register(
        "plein",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256"},
    )
