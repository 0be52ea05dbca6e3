"""Which access rule each route follows: the register the authorization test matrix runs over.

Every route of the app must be registered here (a test fails for any route that is not), so a new
endpoint joins the matrix by being registered with its kind of access. Other modules call
``register(...)`` at import time for their own routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Access(StrEnum):
    """Kinds of access, each with its own expectations in the matrix."""

    PUBLIC = "openbaar"  # no login needed (login page, API specification)
    ACCOUNT = "account"  # any logged-in user; only their own account or non-personal reference data
    RECORDS = "registraties"  # case data through the gate (lists, or one record when record_param is set)
    AGGREGATE = "aggregaat"  # counts through the gate; suppressed for aggregates-only purposes
    COLLABORATION = "samenwerking"  # acting inside a collaboration (sharing)
    ADMIN = "beheer"  # beheerder only
    AUDIT = "audit"  # privacy officer only


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    """How a route is protected; ``record_param`` names a path parameter holding a record id."""

    access: Access
    record_param: str | None = None
    samples: dict[str, str] = field(default_factory=dict)  # values for other path parameters in probes
    query: dict[str, str] = field(default_factory=dict)  # query parameters a probe sends (e.g. a search term)


ROUTES: dict[tuple[str, str], RoutePolicy] = {}


def register(method: str, path: str, policy: RoutePolicy) -> None:
    """Register a route's access rule (method in capitals, path as FastAPI writes it)."""
    ROUTES[(method.upper(), path)] = policy


for _method, _path, _policy in (
    ("GET", "/v1/openapi.json", RoutePolicy(Access.PUBLIC)),
    ("GET", "/inloggen", RoutePolicy(Access.PUBLIC)),
    ("POST", "/inloggen", RoutePolicy(Access.PUBLIC)),
    ("GET", "/inloggen/sso", RoutePolicy(Access.PUBLIC)),  # 404 unless a provider is configured
    ("GET", "/inloggen/sso/terug", RoutePolicy(Access.PUBLIC)),
    ("GET", "/toegankelijkheidsverklaring", RoutePolicy(Access.PUBLIC)),
    ("GET", "/privacyverklaring", RoutePolicy(Access.PUBLIC)),
    ("GET", "/contact", RoutePolicy(Access.PUBLIC)),
    ("GET", "/aan-de-slag", RoutePolicy(Access.PUBLIC)),
    ("GET", "/v1/organisaties", RoutePolicy(Access.ACCOUNT)),
    ("GET", "/v1/organisaties/{organisatie_id}", RoutePolicy(Access.ACCOUNT, samples={"organisatie_id": "1"})),
    ("GET", "/v1/samenwerkingen", RoutePolicy(Access.ACCOUNT)),
    ("POST", "/uitloggen", RoutePolicy(Access.ACCOUNT)),
    ("GET", "/account", RoutePolicy(Access.ACCOUNT)),
    ("POST", "/account/tokens", RoutePolicy(Access.ACCOUNT)),
    ("POST", "/account/tokens/{token_id}/intrekken", RoutePolicy(Access.ACCOUNT, samples={"token_id": "1"})),
    ("GET", "/", RoutePolicy(Access.AGGREGATE)),
    ("GET", "/v1/statistieken/registraties", RoutePolicy(Access.AGGREGATE)),
    ("GET", "/v1/registraties", RoutePolicy(Access.RECORDS)),
    ("GET", "/v1/registraties/{registratie_id}", RoutePolicy(Access.RECORDS, record_param="registratie_id")),
    ("GET", "/registraties", RoutePolicy(Access.RECORDS)),
    ("GET", "/registraties/{registratie_id}", RoutePolicy(Access.RECORDS, record_param="registratie_id")),
    (
        "POST",
        "/v1/samenwerkingen/{samenwerking_id}/gedeelde-registraties",
        RoutePolicy(Access.COLLABORATION, samples={"samenwerking_id": "1"}),
    ),
    ("GET", "/beheer", RoutePolicy(Access.ADMIN)),
    ("POST", "/beheer/gebruikers", RoutePolicy(Access.ADMIN)),
    ("POST", "/beheer/gebruikers/{user_id}/status", RoutePolicy(Access.ADMIN, samples={"user_id": "1"})),
    ("GET", "/beheer/gebruikers/{user_id}", RoutePolicy(Access.ADMIN, samples={"user_id": "1"})),
    ("POST", "/beheer/gebruikers/{user_id}/rol", RoutePolicy(Access.ADMIN, samples={"user_id": "1"})),
    ("POST", "/beheer/gebruikers/{user_id}/wachtwoord", RoutePolicy(Access.ADMIN, samples={"user_id": "1"})),
    ("GET", "/beheer/organisaties", RoutePolicy(Access.ADMIN)),
    ("POST", "/beheer/organisaties", RoutePolicy(Access.ADMIN)),
    ("GET", "/beheer/rechtsgrondslagen", RoutePolicy(Access.ADMIN)),
    ("POST", "/beheer/rechtsgrondslagen", RoutePolicy(Access.ADMIN)),
    ("POST", "/beheer/rechtsgrondslagen/{basis_id}/intrekken", RoutePolicy(Access.ADMIN, samples={"basis_id": "1"})),
    ("GET", "/beheer/samenwerkingen", RoutePolicy(Access.ADMIN)),
    ("POST", "/beheer/samenwerkingen", RoutePolicy(Access.ADMIN)),
    ("GET", "/beheer/samenwerkingen/{collab_id}", RoutePolicy(Access.ADMIN, samples={"collab_id": "1"})),
    ("POST", "/beheer/samenwerkingen/{collab_id}/wijzigen", RoutePolicy(Access.ADMIN, samples={"collab_id": "1"})),
    ("GET", "/audit", RoutePolicy(Access.AUDIT)),
    ("GET", "/audit/betrokkene", RoutePolicy(Access.AUDIT)),
    ("GET", "/audit/verificatie", RoutePolicy(Access.AUDIT)),
):
    register(_method, _path, _policy)

# Search and dossiers (the search module); all go through the gate (GateDep / CsrfDep).
# The empty search form holds no data (its results come from /zoeken/resultaten), so any account may open it.
for _form in ("/zoeken", "/zoeken/bulk", "/zoeken/kaart"):
    register("GET", _form, RoutePolicy(Access.ACCOUNT))
register("GET", "/zoeken/resultaten", RoutePolicy(Access.RECORDS, query={"q": "transport"}))
register("GET", "/v1/subjecten/_zoek", RoutePolicy(Access.RECORDS, query={"q": "transport"}))
for _method, _path in (
    ("POST", "/v1/registraties/_zoek"),
    ("GET", "/v1/registraties/_zoek-kaart"),
    ("POST", "/v1/registraties/_zoek-kvk-bestand"),
    ("POST", "/v1/registraties/_zoek/export"),
    ("GET", "/v1/subjecten/{vestiging_id}/dossier"),
    ("GET", "/v1/subjecten/{vestiging_id}/dossier.pdf"),
    ("GET", "/dossier/{vestiging_id}"),
    ("GET", "/dossier/{vestiging_id}.pdf"),
):
    if (_method, _path) not in ROUTES:
        register(_method, _path, RoutePolicy(Access.RECORDS, samples={"vestiging_id": "1"}))

# Internet supervision (webwatch): best reading by the gate's owner; webwatch's own register() calls win.
register("GET", "/v1/internettoezicht/themas", RoutePolicy(Access.ACCOUNT))
_WEBWATCH_SAMPLES = {"thema": "f-gassen", "aanbod_id": "1", "pagina_id": "1", "formaat": "csv"}
for _method, _path in (
    ("GET", "/v1/internettoezicht/aanbod"),
    ("GET", "/v1/internettoezicht/aanbod/{aanbod_id}"),
    ("POST", "/v1/internettoezicht/aanbod/{aanbod_id}/beoordeling"),
    ("GET", "/v1/internettoezicht/marktbeeld/{thema}"),
    ("GET", "/v1/internettoezicht/crawls"),
    ("GET", "/internettoezicht"),
    ("POST", "/internettoezicht/crawls"),
    ("GET", "/internettoezicht/thema/{thema}"),
    ("GET", "/internettoezicht/thema/{thema}/werklijst.{formaat}"),
    ("GET", "/internettoezicht/aanbod/{aanbod_id}"),
    ("POST", "/internettoezicht/aanbod/{aanbod_id}/beoordeling"),
    ("GET", "/internettoezicht/aanbod/{aanbod_id}/bewijs/{pagina_id}"),
):
    register(_method, _path, RoutePolicy(Access.RECORDS, samples=_WEBWATCH_SAMPLES))
