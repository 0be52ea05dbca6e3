"""Search criteria in the audit log are pseudonymised like subjects, and still found by the privacy officer."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.keys import audit_keys
from plein.audit.models import AuditEntry
from plein.audit.query import for_subject, parse_subject
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.clients import authorise_client
from tests.access.world import World


def test_searched_names_and_numbers_are_pseudonymised_and_findable(
    shared_world: tuple[Engine, World], settings: Settings
) -> None:
    engine, _world = shared_world
    with TestClient(create_app(engine, settings)) as client:
        authorise_client(client, engine, "a.analist")
        searches = (
            {"naam": "Bakkerij De   Gouden Korenaar"},
            {"kvk": "69599084"},
            {"postcode": "1011 AB", "huisnummer": "12"},
        )
        traces = []
        for params in searches:
            trace = f"00-{'%032x' % (len(traces) + 77)}-{'1' * 16}-01"
            response = client.get("/v1/subjecten/_zoek", params=params, headers={"traceparent": trace})
            assert response.status_code == 200, response.text
            traces.append(trace.split("-")[1])
    keys = audit_keys(settings)
    with Session(engine) as session:
        for trace_id, typed in zip(
            traces, ("naam:bakkerij de gouden korenaar", "69599084", "adres:1011AB 12"), strict=True
        ):
            entry = session.scalars(select(AuditEntry).where(AuditEntry.trace_id == trace_id)).one()
            stored = json.dumps(entry.details)
            for clear in ("Korenaar", "korenaar", "69599084", "1011", "AB"):
                assert clear not in stored, stored  # no search term in clear
            assert "gepseudonimiseerd" in stored
            kind, value = parse_subject(typed)  # the privacy officer types what was searched for…
            found = [view.seq for view in for_subject(session, keys, kind, value)]
            assert entry.seq in found  # …and finds the search by its pseudonym
