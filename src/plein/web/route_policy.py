"""Which access rule each route follows, read from the routes themselves.

A route declares its kind of access once, in its signature, through a dependency made by
``plein.web.requires.Requires`` (e.g. ``gate: Annotated[Gate, Requires(Access.RECORDS)]``). That
dependency carries a ``RoutePolicy``; ``route_table`` walks an app's routes and collects them, so the
authorization matrix runs over exactly the routes the app serves, and a route that declares nothing
(or two different things) is refused there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from plein.errors import ConfigurationError


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


RouteKey = tuple[str, str]  # (method in capitals, path as FastAPI writes it)


def _policies(dependant: Dependant) -> Iterator[RoutePolicy]:
    for sub in dependant.dependencies:
        policy = getattr(sub.call, "route_policy", None)
        if isinstance(policy, RoutePolicy):
            yield policy
        yield from _policies(sub)


def declarations(routes: Sequence[BaseRoute]) -> dict[RouteKey, list[RoutePolicy]]:
    """Every method route (HEAD aside) with the distinct policies its dependencies declare."""
    found: dict[RouteKey, list[RoutePolicy]] = {}
    for ctx in iter_route_contexts(routes):
        methods = getattr(ctx, "methods", None) or ()
        if not methods:
            continue  # mounts (static files) are not routes with an access rule
        dependant: Dependant | None = getattr(ctx, "dependant", None)
        policies: list[RoutePolicy] = []
        for policy in _policies(dependant) if dependant is not None else ():
            if policy not in policies:
                policies.append(policy)
        for method in sorted(methods):
            if method != "HEAD":
                found[(method, str(ctx.path))] = policies
    return found


def route_table(routes: Sequence[BaseRoute]) -> dict[RouteKey, RoutePolicy]:
    """Each route's one declared policy; ConfigurationError naming every route that declares none or several."""
    found = declarations(routes)
    wrong = sorted(key for key, policies in found.items() if len(policies) != 1)
    if wrong:
        raise ConfigurationError(
            "Deze routes verklaren niet precies één soort toegang (gebruik Requires(...) in hun signatuur): "
            + ", ".join(f"{method} {path}" for method, path in wrong)
        )
    return {key: policies[0] for key, policies in found.items()}
