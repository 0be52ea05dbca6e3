"""NL API Design Rules on the /v1 API: versioned path, public spec, API-Version, 404 on a trailing
slash, problem+json errors and 400 for invalid input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    return body  # type: ignore[no-any-return]


def test_openapi_is_public_and_versioned(client: TestClient) -> None:
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["version"] == response.headers["API-Version"] == "1.0.0"
    assert all(path.startswith("/v1/") for path in spec["paths"])
    assert "/v1/organisaties" in spec["paths"]


@pytest.mark.parametrize("path", ["/v1/organisaties", "/v1/openapi.json", "/", "/v1/bestaat-niet", "/nergens"])
def test_api_version_header_everywhere(client: TestClient, path: str) -> None:
    assert client.get(path).headers["API-Version"] == "1.0.0"


@pytest.mark.parametrize("path", ["/v1/organisaties/", "/v1/organisaties/1/", "/v1/openapi.json/"])
def test_trailing_slash_is_404_not_redirect(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    body = assert_problem(response, 404)
    assert body["instance"] == path


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("pagina=0", "pagina"),
        ("pagina=abc", "pagina"),
        ("paginaGrootte=1000", "paginaGrootte"),
        ("soort=bakkerij", "soort"),
        ("rechtsdomein=civiel", "rechtsdomein"),
    ],
)
def test_invalid_input_is_400_with_the_parameter_named(client: TestClient, query: str, parameter: str) -> None:
    body = assert_problem(client.get(f"/v1/organisaties?{query}"), 400)
    assert [p["name"] for p in body["invalidParams"]] == [parameter]  # type: ignore[union-attr]


def test_invalid_path_parameter_is_400(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/organisaties/niet-een-getal"), 400)
    assert body["invalidParams"][0]["name"] == "organisatie_id"  # type: ignore[index]


def test_unknown_resource_and_method(client: TestClient) -> None:
    assert_problem(client.get("/v1/organisaties/999999"), 404)
    assert_problem(client.get("/v1/bestaat-niet"), 404)
    assert_problem(client.delete("/v1/organisaties"), 405)


def test_sql_metacharacters_are_just_input(client: TestClient) -> None:
    assert_problem(client.get("/v1/organisaties?soort=' OR 1=1 --"), 400)
    assert_problem(client.get("/v1/organisaties/1;DROP TABLE organisation"), 400)


def test_html_errors_are_dutch_pages(client: TestClient) -> None:
    response = client.get("/nergens")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in response.text and 'lang="nl"' in response.text
