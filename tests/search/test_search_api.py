"""Every search mode on the small demo world returns exactly what the gate allows, on both backends."""

from __future__ import annotations

import io
import math

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rapidfuzz.distance import OSA
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry, AuditSubject
from plein.core.geo import distance_m
from plein.core.models import Address, Establishment, LegalEntity, LegalEntityLink, Organisation, Record, Theme
from plein.core.names import tokens
from plein.webwatch.models import WebOffer
from tests.search.helpers import bearer, collaboration_id, rows, visible

ANALIST = "od-nzkg.analist"
INSPECTEUR = "dcmr.inspecteur"


@pytest.fixture(scope="module")
def places(seeded_engine: Engine) -> list[tuple[int, str, str, str, float, float, str | None]]:
    """(establishment, name, postcode, city, lat, lon, kvk) of every establishment."""
    return [
        tuple(r)
        for r in rows(
            seeded_engine,
            select(  # type: ignore[misc]
                Establishment.id,
                Establishment.name,
                Address.postcode,
                Address.city,
                Address.latitude,
                Address.longitude,
                LegalEntity.kvk,
            )
            .join(Address, Address.id == Establishment.address_id)
            .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id),
        )
    ]


def _doelen(engine: Engine) -> list[str]:
    return ["toezicht", f"samenwerking:{collaboration_id(engine, 'TAFEL-AFVAL-NZKG')}"]


def test_name_search_is_tolerant_and_gated(seeded_client: TestClient, seeded_engine: Engine, places: list) -> None:
    headers = bearer(seeded_engine, ANALIST)
    for doel in _doelen(seeded_engine):
        allowed, _ = visible(seeded_engine, ANALIST, doel)
        target = next(p for p in sorted(places) if p[0] in allowed and len(p[1].split()) >= 3 and "B.V." in p[1])
        words = target[1].replace("B.V.", "").split()
        messy = " ".join(reversed(words)) + " bv"  # word order and legal-form noise
        longest = max(words, key=len)
        messy = messy.replace(longest, longest[:2] + longest[3:], 1) if len(longest) > 5 else messy  # a typo
        body = seeded_client.get(
            "/v1/subjecten/_zoek", params={"q": messy, "doel": doel, "paginaGrootte": 100}, headers=headers
        ).json()
        found = {s["vestiging"] for s in body["subjecten"]}
        assert target[0] in found, (messy, body["subjecten"][:3])
        assert found <= allowed
        counts = {s["vestiging"]: s["aantalRegistraties"] for s in body["subjecten"]}
        _, records = visible(seeded_engine, ANALIST, doel)
        per_est = dict(
            rows(
                seeded_engine,
                select(Record.establishment_id, func.count())
                .where(Record.id.in_(records or {-1}))
                .group_by(Record.establishment_id),
            )
        )
        assert all(counts[e] == per_est.get(e, 0) for e in found)
        common = seeded_client.get(
            "/v1/subjecten/_zoek", params={"q": "transport", "doel": doel, "paginaGrootte": 100}, headers=headers
        ).json()
        named = {
            est
            for est, name, trade, legal in rows(
                seeded_engine,
                select(Establishment.id, Establishment.name, Establishment.trade_names, LegalEntity.name).outerjoin(
                    LegalEntity, LegalEntity.id == Establishment.legal_entity_id
                ),
            )
            if any(
                OSA.distance(word, "transport") <= 2
                for text in (name, legal or "", *(trade or []))
                for word in tokens(text)
            )
        }
        assert {s["vestiging"] for s in common["subjecten"]} <= allowed
        if len(named & allowed) <= 100:
            assert common["totaal"] == len(named & allowed)


@pytest.mark.parametrize("username", [INSPECTEUR, ANALIST])
def test_structured_lookups_match_the_gate(
    seeded_client: TestClient, seeded_engine: Engine, places: list, username: str
) -> None:
    headers = bearer(seeded_engine, username)
    doel = "toezicht" if username == INSPECTEUR else _doelen(seeded_engine)[1]
    allowed, _ = visible(seeded_engine, username, doel)
    sample = next(p for p in places if p[6] and p[0] in allowed)
    cases = {
        "kvk": (sample[6], {p[0] for p in places if p[6] == sample[6]}),
        "postcode": (sample[2], {p[0] for p in places if p[2] == sample[2]}),
        "plaats": (sample[3], {p[0] for p in places if p[3] == sample[3]}),
    }
    # the city holds establishments this user may not see: a search that skipped the gate would show them
    assert cases["plaats"][1] - allowed
    for field, (value, expected) in cases.items():
        body = seeded_client.get(
            "/v1/subjecten/_zoek", params={field: value, "paginaGrootte": 100, "doel": doel}, headers=headers
        ).json()
        assert body["totaal"] == len(expected & allowed)
        if len(expected & allowed) <= 100:
            assert {s["vestiging"] for s in body["subjecten"]} == expected & allowed
    free = seeded_client.get("/v1/subjecten/_zoek", params={"q": sample[6], "doel": doel}, headers=headers).json()
    assert {s["vestiging"] for s in free["subjecten"]} == cases["kvk"][1] & allowed


def test_apostrophe_city_names(seeded_client: TestClient, seeded_engine: Engine, places: list) -> None:
    headers = bearer(seeded_engine, INSPECTEUR)
    allowed, _ = visible(seeded_engine, INSPECTEUR, "toezicht")
    expected = {p[0] for p in places if p[3] == "'s-Hertogenbosch"} & allowed
    assert expected, "the demo world has establishments in 's-Hertogenbosch"
    for spelling in ("'s-Hertogenbosch", "s-hertogenbosch", "’s-Hertogenbosch", "Den Bosch"):
        body = seeded_client.get(
            "/v1/subjecten/_zoek", params={"plaats": spelling, "paginaGrootte": 100}, headers=headers
        ).json()
        assert body["totaal"] == len(expected), spelling


def _bulk(client: TestClient, headers: dict, body: dict, doel: str = "toezicht") -> dict:
    response = client.post(
        "/v1/registraties/_zoek", params={"doel": doel, "paginaGrootte": 100}, json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_postcode_range_edges(seeded_client: TestClient, seeded_engine: Engine) -> None:
    headers = bearer(seeded_engine, ANALIST)
    for doel in _doelen(seeded_engine):
        _, records = visible(seeded_engine, ANALIST, doel)
        by_record = dict(
            rows(
                seeded_engine,
                select(Record.id, Address.postcode)
                .join(Establishment, Establishment.id == Record.establishment_id)
                .join(Address, Address.id == Establishment.address_id),
            )
        )
        postcodes = sorted({by_record[r] for r in records if r in by_record})
        low, high = postcodes[len(postcodes) // 4], postcodes[len(postcodes) // 2]
        expected = {r for r in records if r in by_record and low <= by_record[r] <= high}
        body = _bulk(seeded_client, headers, {"postcodeVan": low.replace(" ", ""), "postcodeTot": high}, doel)
        assert body["totaal"] == len(expected)
        assert sum(v or 0 for v in body["facetten"]["thema"].values()) == len(expected)
        # one postcode past either edge falls out
        narrower = {r for r in expected if low < by_record[r] < high}
        just_inside = _bulk(seeded_client, headers, {"postcodeVan": _next(low), "postcodeTot": _prev(high)}, doel)
        assert just_inside["totaal"] == len(narrower)


def _next(postcode: str) -> str:
    digits, letters = postcode.split()
    return f"{digits} {letters[0]}{chr(ord(letters[1]) + 1)}" if letters[1] != "Z" else f"{int(digits) + 1} AA"


def _prev(postcode: str) -> str:
    digits, letters = postcode.split()
    return f"{digits} {letters[0]}{chr(ord(letters[1]) - 1)}" if letters[1] != "A" else f"{int(digits) - 1} ZZ"


def test_radius_edges_and_polygon(seeded_client: TestClient, seeded_engine: Engine, places: list) -> None:
    headers = bearer(seeded_engine, INSPECTEUR)
    allowed, _ = visible(seeded_engine, INSPECTEUR, "toezicht")
    centre = next(p for p in places if p[0] in allowed and p[3] == "Rotterdam")
    near = sorted(
        (distance_m(centre[4], centre[5], p[4], p[5]), p[0])
        for p in places
        if p[0] in allowed and p[0] != centre[0] and distance_m(centre[4], centre[5], p[4], p[5]) > 1
    )[5]
    edge = near[0]
    for radius, inside in ((edge + 0.5, True), (edge - 0.5, False)):
        body = seeded_client.get(
            "/v1/registraties/_zoek-kaart",
            params={"breedtegraad": centre[4], "lengtegraad": centre[5], "straal": radius},
            headers=headers,
        ).json()
        ids = {v["vestiging"] for v in body["vestigingen"]}
        expected = {p[0] for p in places if p[0] in allowed and distance_m(centre[4], centre[5], p[4], p[5]) <= radius}
        assert ids == expected
        assert (near[1] in ids) is inside
        assert all(v["afstandMeter"] <= radius + 0.1 for v in body["vestigingen"])
    # a square drawn around the centre holds exactly the points inside it
    d = 0.01
    square = [
        (centre[4] - d, centre[5] - d),
        (centre[4] - d, centre[5] + d),
        (centre[4] + d, centre[5] + d),
        (centre[4] + d, centre[5] - d),
    ]
    body = _bulk(seeded_client, headers, {"gebied": square, "metVestigingen": True})
    expected = {p[0] for p in places if p[0] in allowed and abs(p[4] - centre[4]) < d and abs(p[5] - centre[5]) < d}
    assert {v["vestiging"] for v in body["vestigingen"]} == expected
    assert math.isfinite(body["totaal"])


def test_kvk_list_city_and_exports(seeded_client: TestClient, seeded_engine: Engine, places: list) -> None:
    headers = bearer(seeded_engine, ANALIST)
    _, records = visible(seeded_engine, ANALIST, "toezicht")
    kvks = sorted({p[6] for p in places if p[6]})[:40]
    record_kvk = rows(
        seeded_engine,
        select(Record.id, LegalEntity.kvk, Record.reported_kvk, Record.establishment_id)
        .outerjoin(Establishment, Establishment.id == Record.establishment_id)
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id),
    )
    expected = {r for r, kvk, reported, _est in record_kvk if r in records and (kvk in kvks or reported in kvks)}
    body = _bulk(seeded_client, headers, {"kvkNummers": kvks})
    assert body["totaal"] == len(expected)
    upload = seeded_client.post(
        "/v1/registraties/_zoek-kvk-bestand",
        headers=headers,
        files={"bestand": ("kvk.csv", ("kvk\n" + "\n".join(kvks)).encode(), "text/csv")},
    )
    assert upload.json()["totaal"] == len(expected)
    city = _bulk(seeded_client, headers, {"plaats": "amsterdam", "filters": {"soort": ["inspectie"]}})
    in_city = {
        r
        for (r,) in rows(
            seeded_engine,
            select(Record.id)
            .join(Establishment, Establishment.id == Record.establishment_id)
            .join(Address, Address.id == Establishment.address_id)
            .where(Address.city == "Amsterdam", Record.kind == "inspectie"),
        )
    }
    assert city["totaal"] == len(in_city & records)
    csv_response = seeded_client.post(
        "/v1/registraties/_zoek/export", params={"formaat": "csv"}, json={"kvkNummers": kvks}, headers=headers
    )
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert len(csv_response.content.decode("utf-8-sig").strip().splitlines()) == len(expected) + 1
    xlsx = seeded_client.post(
        "/v1/registraties/_zoek/export", params={"formaat": "xlsx"}, json={"kvkNummers": kvks}, headers=headers
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == len(expected) + 1


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "name"),
    [
        ("get", "/v1/subjecten/_zoek", {"params": {"postcode": "12345"}}, "postcode"),
        ("get", "/v1/subjecten/_zoek", {"params": {"q": "12345"}}, "q"),
        (
            "get",
            "/v1/registraties/_zoek-kaart",
            {"params": {"breedtegraad": 52.1, "lengtegraad": 5.1, "straal": -1}},
            "straal",
        ),
        (
            "get",
            "/v1/registraties/_zoek-kaart",
            {"params": {"breedtegraad": 52.1, "lengtegraad": 5.1, "straal": 1e9}},
            "straal",
        ),
        (
            "get",
            "/v1/registraties/_zoek-kaart",
            {"params": {"breedtegraad": 5.1, "lengtegraad": 52.1, "straal": 100}},
            "straal",
        ),
        ("post", "/v1/registraties/_zoek", {"json": {"postcodeVan": "12345", "postcodeTot": "2000AA"}}, "postcodeVan"),
        ("post", "/v1/registraties/_zoek", {"json": {"postcodeVan": "2000AA", "postcodeTot": "1000AA"}}, "postcodeVan"),
        ("post", "/v1/registraties/_zoek", {"json": {"kvkNummers": ["1234567"]}}, "kvkNummers"),
        (
            "post",
            "/v1/registraties/_zoek",
            {"json": {"kvkNummers": [f"{i:08d}" for i in range(1, 100_001)]}},
            "kvkNummers",
        ),
        ("post", "/v1/registraties/_zoek", {"json": {"plaats": "Amsterdam", "gemeente": "Utrecht"}}, "zoekgebied"),
        (
            "post",
            "/v1/registraties/_zoek-kvk-bestand",
            {
                "files": {
                    "bestand": ("kvk.txt", "\n".join(f"{i:08d}" for i in range(1, 100_001)).encode(), "text/plain")
                }
            },
            "bestand",
        ),
        (
            "post",
            "/v1/registraties/_zoek-kvk-bestand",
            {"files": {"bestand": ("foto.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "image/png")}},
            "bestand",
        ),
    ],
)
def test_malformed_input_is_a_clear_400(
    seeded_client: TestClient, seeded_engine: Engine, method: str, path: str, kwargs: dict, name: str
) -> None:
    response = getattr(seeded_client, method)(path, headers=bearer(seeded_engine, ANALIST), **kwargs)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(p["name"].startswith(name) for p in problem["invalidParams"]), problem
    assert "Traceback" not in response.text


def test_refusals_and_audit(seeded_client: TestClient, seeded_engine: Engine, places: list) -> None:
    policy = seeded_client.get(
        "/v1/subjecten/_zoek", params={"q": "recycling"}, headers=bearer(seeded_engine, "od-nzkg.beleidsmedewerker")
    )
    assert policy.status_code == 403
    doel = f"samenwerking:{collaboration_id(seeded_engine, 'TAFEL-AFVAL-NZKG')}"
    allowed, _ = visible(seeded_engine, ANALIST, doel)
    hidden = next(p[0] for p in places if p[0] not in allowed)
    headers = bearer(seeded_engine, ANALIST)
    assert (
        seeded_client.get(f"/v1/subjecten/{hidden}/dossier", params={"doel": doel}, headers=headers).status_code == 404
    )
    before = rows(
        seeded_engine, select(func.count()).select_from(AuditEntry).where(AuditEntry.name == "zoeken.subjecten")
    )[0][0]
    found = seeded_client.get("/v1/subjecten/_zoek", params={"q": "recycling", "doel": doel}, headers=headers).json()
    after = rows(
        seeded_engine, select(func.count()).select_from(AuditEntry).where(AuditEntry.name == "zoeken.subjecten")
    )[0][0]
    assert after == before + 1
    newest = rows(seeded_engine, select(func.max(AuditEntry.seq)).where(AuditEntry.name == "zoeken.subjecten"))[0][0]
    logged = rows(seeded_engine, select(AuditSubject.kind).where(AuditSubject.entry_seq == newest))
    assert sum(1 for (kind,) in logged if kind == "vestiging") == len(found["subjecten"]) > 0


def test_dossier_follows_kvk_succession(seeded_client: TestClient, seeded_engine: Engine) -> None:
    headers = bearer(seeded_engine, INSPECTEUR)
    allowed, records = visible(seeded_engine, INSPECTEUR, "toezicht")
    links = rows(
        seeded_engine,
        select(LegalEntityLink.from_legal_entity_id, LegalEntityLink.to_legal_entity_id).where(
            LegalEntityLink.kind == "opvolging"
        ),
    )
    est_of = dict(rows(seeded_engine, select(Establishment.legal_entity_id, Establishment.id)))
    old, new = next((a, b) for a, b in links if est_of.get(b) in allowed)
    body = seeded_client.get(f"/v1/subjecten/{est_of[new]}/dossier", headers=headers).json()
    assert old in {s["legal_entity_id"] for s in body["opvolging"] if s["direction"] == "voorganger"}
    assert {i["registratie"] for i in body["tijdlijn"]} <= records
    assert all(i["herkomst"]["organisatie"] for i in body["tijdlijn"])
    pdf = seeded_client.get(f"/v1/subjecten/{est_of[new]}/dossier.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_dossier_shows_visible_web_offers_of_the_subject(seeded_client: TestClient, seeded_engine: Engine) -> None:
    """Offers naming the subject's KvK number: the own organisation's appear, another's never do."""
    allowed, _ = visible(seeded_engine, ANALIST, "toezicht")
    with Session(seeded_engine) as session:
        est_id, kvk, entity_id = next(
            row
            for row in session.execute(
                select(Establishment.id, LegalEntity.kvk, LegalEntity.id)
                .join(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
                .where(LegalEntity.kvk.is_not(None))
                .order_by(Establishment.id)
            )
            if row[0] in allowed
        )
        orgs = dict(session.execute(select(Organisation.code, Organisation.id)).all())
        theme = session.scalars(select(Theme.code).order_by(Theme.code)).first()
        offers = [
            WebOffer(
                theme_code=theme,
                fingerprint=f"dossier-test-{code}",
                url=f"https://winkel.example/{code}",
                platform="winkel.example",
                title=f"Koudemiddel van {code}",
                seller_kvk=kvk if code == "OD-NZKG" else "",
                legal_entity_id=None if code == "OD-NZKG" else entity_id,
                source_organisation_id=orgs[code],
                source_system="webwatch-test",
                source_key=f"dossier-test-{code}",
                likely_violation=True,
            )
            for code in ("OD-NZKG", "DCMR")
        ]
        session.add_all(offers)
        session.commit()
        ids = {offer.source_organisation_id: offer.id for offer in offers}
    try:
        headers = bearer(seeded_engine, ANALIST)
        body = seeded_client.get(f"/v1/subjecten/{est_id}/dossier", headers=headers).json()
        shown = {i["webaanbod"]["aanbod"] for i in body["tijdlijn"] if i["soort"] == "webaanbod"}
        assert shown == {ids[orgs["OD-NZKG"]]}
        assert not any("webaanbiedingen" in text for text in body["nietOpgenomen"])
        doel = f"samenwerking:{collaboration_id(seeded_engine, 'TAFEL-AFVAL-NZKG')}"
        shared = seeded_client.get(f"/v1/subjecten/{est_id}/dossier", params={"doel": doel}, headers=headers)
        assert shared.status_code in (200, 404)  # 404: the subject is not visible inside the table at all
        if shared.status_code == 200:
            assert not [i for i in shared.json()["tijdlijn"] if i["soort"] == "webaanbod"]
        page = seeded_client.get(f"/dossier/{est_id}", headers=headers)
        assert page.status_code == 200
        assert f"/internettoezicht/aanbod/{ids[orgs['OD-NZKG']]}" in page.text
        assert f"/internettoezicht/aanbod/{ids[orgs['DCMR']]}" not in page.text
    finally:
        with Session(seeded_engine) as session:
            session.execute(delete(WebOffer).where(WebOffer.id.in_(list(ids.values()))))
            session.commit()
