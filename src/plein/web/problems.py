"""Errors as ``application/problem+json`` (RFC 9457) on the API and as Dutch pages elsewhere.

The NL API Design Rules want 400 for invalid input (FastAPI's default is 422), problem details for
every error, and never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from plein.errors import PleinError
from plein.policy.errors import Refused
from plein.web.refusals import audit_unlogged_refusal

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/v1"
log = logging.getLogger("plein.web")

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    413: "Invoer te groot",
    415: "Niet-ondersteund mediatype",
    429: "Te veel verzoeken",
    500: "Interne fout",
    503: "Dienst niet beschikbaar",
}


def problem(status: int, detail: str, request: Request, *, title: str | None = None, **extra: Any) -> JSONResponse:
    """A problem+json response for ``status`` with a Dutch title and the request path as instance."""
    body: dict[str, Any] = {
        "type": f"https://plein.example/problemen/{status}",
        "title": title or TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def _html_error(request: Request, status: int, detail: str) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Fout"), "detail": detail},
        status_code=status,
    )


DUTCH_REASONS = {
    "missing": "is verplicht",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "bool_parsing": "moet true of false zijn",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "datetime_parsing": "moet een tijdstip zijn (ISO 8601)",
    "greater_than_equal": "moet minimaal {ge} zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "less_than_equal": "mag hoogstens {le} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "string_too_short": "moet minstens {min_length} tekens hebben",
    "string_too_long": "mag hoogstens {max_length} tekens hebben",
    "too_long": "mag hoogstens {max_length} elementen hebben",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
    "enum": "moet een van deze waarden zijn: {expected}",
    "literal_error": "moet een van deze waarden zijn: {expected}",
    "json_invalid": "is geen geldige JSON",
    "json_type": "moet geldige JSON zijn",
    "value_error": "is ongeldig",
    "assertion_error": "is ongeldig",
    "string_type": "moet tekst zijn",
    "string_unicode": "moet geldige tekst (UTF-8) zijn",
    "string_sub_type": "moet tekst zijn",
    "int_type": "moet een geheel getal zijn",
    "float_type": "moet een getal zijn",
    "bool_type": "moet true of false zijn",
    "decimal_parsing": "moet een getal zijn",
    "decimal_type": "moet een getal zijn",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "datetime_type": "moet een tijdstip zijn (ISO 8601)",
    "datetime_from_date_parsing": "moet een tijdstip zijn (ISO 8601)",
    "list_type": "moet een lijst zijn",
    "tuple_type": "moet een lijst zijn",
    "set_type": "moet een lijst zijn",
    "dict_type": "moet een object zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "dataclass_type": "moet een object zijn",
    "too_short": "moet minstens {min_length} elementen hebben",
    "extra_forbidden": "is geen bekend veld",
    "uuid_parsing": "moet een UUID zijn",
    "uuid_type": "moet een UUID zijn",
    "url_parsing": "moet een URL zijn",
    "url_type": "moet een URL zijn",
    "url_scheme": "moet een URL met een toegestaan schema zijn",
    "multiple_of": "moet een veelvoud van {multiple_of} zijn",
    "finite_number": "moet een eindig getal zijn",
    "none_required": "moet leeg zijn",
    "union_tag_invalid": "heeft een onbekende soort",
    "union_tag_not_found": "mist het veld dat de soort aangeeft",
}
GENERIC_REASON = "is ongeldig"


def dutch_reason(error: dict[str, Any]) -> str:
    """Pydantic's English message in Dutch, with its limits filled in; a general Dutch reason for an
    error type not in the list (never pydantic's English; the type stays in ``code``)."""
    template = DUTCH_REASONS.get(str(error.get("type", "")))
    if template is None:
        return GENERIC_REASON
    if "expected" in (error.get("ctx") or {}):
        error = {**error, "ctx": {**error["ctx"], "expected": str(error["ctx"]["expected"]).replace(" or ", " of ")}}
    try:
        return template.format(**{k: str(v).replace("'", "") for k, v in (error.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template.split(" {")[0]


def _invalid_params(exc: RequestValidationError) -> list[dict[str, str]]:
    params = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        params.append(
            {
                "name": ".".join(location) or "verzoek",
                "code": str(error.get("type", "invalid")),
                "reason": dutch_reason(error),
            }
        )
    return params


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers so every error is a problem (API) or a Dutch error page (HTML)."""

    # plein raises only PleinError kinds; this answers the framework's own (unknown path, wrong method).
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Fout")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"Er is niets op {request.url.path}."
        if exc.status_code == 405 and detail == "Method Not Allowed":
            detail = f"{request.method} is niet toegestaan op {request.url.path}."
        if _is_api(request):
            response: Response = problem(exc.status_code, detail, request)
        else:
            response = _html_error(request, exc.status_code, detail)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        params = _invalid_params(exc)
        detail = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
        if _is_api(request):
            return problem(400, detail, request, invalidParams=params)
        return _html_error(request, 400, detail)

    @app.exception_handler(PleinError)
    async def plein_error(request: Request, exc: PleinError) -> Response:
        """Every kind of PleinError, with the status its class carries (refusals with their rule)."""
        if isinstance(exc, Refused):
            await run_in_threadpool(audit_unlogged_refusal, request, exc)  # logged once, wherever raised
        if _is_api(request):
            return problem(exc.status, exc.message, request, **exc.problem_fields())
        return _html_error(request, exc.status, exc.message)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("Unhandled error on %s", request.url.path)
        detail = "Er ging iets mis aan onze kant. De fout is vastgelegd; probeer het later opnieuw."
        if _is_api(request):
            return problem(500, detail, request)
        return _html_error(request, 500, detail)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Foutmelding volgens RFC 9457 (application/problem+json).",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "required": ["title", "status"],
}


def document_problems(spec: dict[str, Any], public: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Rewrite FastAPI's generated 422 responses into the 400/404/500 problem responses plein gives, and
    name the 401 (not logged in) and 403 (refused) answers of every operation that is not ``public``
    (a set of (METHOD, path))."""
    public = public or set()
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    components["Probleem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    reference = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Probleem"}}}
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses.setdefault("400", {"description": TITLES[400], "content": reference})
            if (method.upper(), path) not in public:
                responses.setdefault("401", {"description": TITLES[401], "content": reference})
                responses.setdefault("403", {"description": TITLES[403], "content": reference})
            responses.setdefault("404", {"description": TITLES[404], "content": reference})
            responses.setdefault("500", {"description": TITLES[500], "content": reference})
    return spec


def html_response_for(content: str, status: int = 200) -> HTMLResponse:
    """A plain HTML response (used where no template is needed)."""
    return HTMLResponse(content, status_code=status)
