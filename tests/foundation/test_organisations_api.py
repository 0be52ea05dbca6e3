"""``/v1/organisaties`` on the demo world, with paging and filters."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_lists_the_demo_organisations(seeded_client: TestClient) -> None:
    response = seeded_client.get("/v1/organisaties?paginaGrootte=100")
    assert response.status_code == 200
    body = response.json()
    assert body["totaal"] == 80
    codes = {org["code"] for org in body["organisaties"]}
    assert {"ILT", "NVWA", "NLA", "POLITIE", "OM-FP", "DCMR", "RIEC-AA"} <= codes
    assert set(body["_links"]) >= {"self", "first", "last"}


def test_filters_and_paging(seeded_client: TestClient) -> None:
    page1 = seeded_client.get("/v1/organisaties?soort=omgevingsdienst&rechtsdomein=strafrecht&paginaGrootte=5")
    body = page1.json()
    assert body["totaal"] == 22
    assert len(body["organisaties"]) == 5
    assert all(org["rechtsdomein"] == "strafrecht" and org["onderdeelVan"] for org in body["organisaties"])
    page2 = seeded_client.get(body["_links"]["next"]["href"])
    assert {o["id"] for o in page2.json()["organisaties"]}.isdisjoint({o["id"] for o in body["organisaties"]})


def test_one_organisation(seeded_client: TestClient) -> None:
    listing = seeded_client.get("/v1/organisaties?soort=rijksinspectie").json()
    ilt = next(org for org in listing["organisaties"] if org["code"] == "ILT")
    response = seeded_client.get(f"/v1/organisaties/{ilt['id']}")
    assert response.status_code == 200
    assert response.json()["naam"] == "Inspectie Leefomgeving en Transport"
