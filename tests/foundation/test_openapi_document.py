"""The OpenAPI document as a developer meets it: every operation names its 401 and 403 answers (but the
public ones), the dossier PDF its content type, ``doel`` its form; and every 400 reason is Dutch."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from plein.errors import ValidationError
from plein.policy.roles import Role
from plein.web.access import PURPOSE_PATTERN, parse_purpose
from plein.web.app import public_routes

PROBLEM = "#/components/schemas/Probleem"


def test_every_operation_documents_401_and_403_as_problems(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    public = public_routes(client.app.routes)
    operations = [(m.upper(), p, o) for p, ops in spec["paths"].items() for m, o in ops.items()]
    assert len(operations) > 10
    for method, path, operation in operations:
        responses = operation["responses"]
        assert "422" not in responses, (method, path)
        expected = ("400", "404", "500") if (method, path) in public else ("400", "401", "403", "404", "500")
        for status in expected:
            assert status in responses, (method, path, status)
            content = responses[status]["content"]
            assert content["application/problem+json"]["schema"]["$ref"] == PROBLEM, (method, path, status)


def test_dossier_pdf_is_documented_as_pdf(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    ok = spec["paths"]["/v1/subjecten/{vestiging_id}/dossier.pdf"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["application/pdf"]


def test_doel_pattern_is_documented_and_agrees_with_the_parser(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    documented = [
        param["schema"].get("pattern")
        for ops in spec["paths"].values()
        for operation in ops.values()
        for param in operation.get("parameters", [])
        if param["name"] == "doel"
    ]
    assert documented and all(p == PURPOSE_PATTERN for p in documented)
    pattern = re.compile(PURPOSE_PATTERN)
    for value in ("toezicht", "thematische-tafel", "samenwerking:12", "wgs_knelpunt"):
        assert pattern.match(value), value
        parse_purpose(value, Role.ANALIST)
    for value in ("samenwerking:", "samenwerking:0", "samenwerking:x", "toe zicht", "a;b", "x" * 61):
        assert not pattern.match(value), value
        try:
            parse_purpose(value, Role.ANALIST)
        except ValidationError:
            continue
        raise AssertionError(f"{value!r} matches no documented form but was accepted")


ENGLISH = re.compile(r"\b(should|must|valid|Input|field|required|value|type)\b")


def test_wrong_types_get_dutch_reasons(client: TestClient) -> None:
    cases = [
        ("get", "/v1/registraties", {"params": {"pagina": "twee"}}),
        ("post", "/v1/registraties/_zoek", {"json": ["geen", "object"]}),
        ("post", "/v1/registraties/_zoek", {"json": {"kvkNummers": "12345678"}}),
        ("post", "/v1/registraties/_zoek", {"json": {"kvkNummers": [{"a": 1}]}}),
        ("post", "/v1/registraties/_zoek", {"json": {"onbekendVeld": True}}),
        ("post", "/v1/registraties/_zoek", {"content": b"{kapot", "headers": {"content-type": "application/json"}}),
    ]
    for method, path, kwargs in cases:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 400, (path, kwargs, response.status_code, response.text)
        body = response.json()
        reasons = [p["reason"] for p in body.get("invalidParams", [])]
        assert reasons, (path, kwargs, body)
        for reason in reasons:
            assert not ENGLISH.search(reason), (path, kwargs, reason)
        assert not ENGLISH.search(body["detail"]), (path, kwargs, body["detail"])
